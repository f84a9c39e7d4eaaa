import { ValidationError } from '../errors.js'
import type { IdentitySpec } from './identity.js'

type UserEntry = NonNullable<IdentitySpec['users']>[number]
type KeyEntry = NonNullable<IdentitySpec['keys']>[number]

/**
 * One `serve --user NAME:PASSWORD[@PROJECT[:ROLE]]`: a user with a password
 * and a role (default `member`) on a project (default: one named after the
 * user, made if missing). The password may hold ':'; the name may not.
 *
 * @example
 * parseUserFlag('alice:s3cret@team:admin') // { name: 'alice', password: 's3cret', project: 'team', role: 'admin' }
 */
export function parseUserFlag(flag: string): UserEntry {
  const at = flag.lastIndexOf('@')
  const credentials = at < 0 ? flag : flag.slice(0, at)
  const colon = credentials.indexOf(':')
  if (colon <= 0 || colon === credentials.length - 1) {
    throw new ValidationError('user', `--user: '${flag.slice(0, 80)}' is not NAME:PASSWORD[@PROJECT[:ROLE]] (e.g. alice:s3cret@team:member)`)
  }
  const user: UserEntry = { name: credentials.slice(0, colon), password: credentials.slice(colon + 1) }
  if (at >= 0) {
    const [project, role, ...more] = flag.slice(at + 1).split(':')
    if (!project || more.length || role === '') throw new ValidationError('user', `--user: '${flag.slice(0, 80)}' names its project as @PROJECT or @PROJECT:ROLE`)
    user.project = project
    if (role !== undefined) user.role = role
  }
  return user
}

/**
 * The content of an `--identity FILE`: `{ "users": [{ "name", "password",
 * "project"?, "role"?, "domain"? }], "keys": [{ "key", "user", "project"?,
 * "audience"?, "domain"? }] }`. A ValidationError names the field at fault
 * (`users[1].password`).
 */
export function checkIdentitySpec(value: unknown): IdentitySpec {
  const root = object(value, 'identity')
  unknownFields(root, ['users', 'keys'], 'identity')
  const users = list(root['users'], 'users').map((u, i): UserEntry => {
    const at = `users[${i}]`
    const o = object(u, at)
    unknownFields(o, ['name', 'password', 'project', 'role', 'domain'], at)
    return { name: text(o['name'], `${at}.name`), password: text(o['password'], `${at}.password`), project: optional(o['project'], `${at}.project`), role: optional(o['role'], `${at}.role`), domain: optional(o['domain'], `${at}.domain`) }
  })
  const keys = list(root['keys'], 'keys').map((k, i): KeyEntry => {
    const at = `keys[${i}]`
    const o = object(k, at)
    unknownFields(o, ['key', 'user', 'project', 'audience', 'domain'], at)
    return { key: text(o['key'], `${at}.key`), user: text(o['user'], `${at}.user`), project: optional(o['project'], `${at}.project`), audience: optional(o['audience'], `${at}.audience`), domain: optional(o['domain'], `${at}.domain`) }
  })
  return { users, keys }
}

function object(v: unknown, field: string): Record<string, unknown> {
  if (v === null || typeof v !== 'object' || Array.isArray(v)) throw new ValidationError(field, `${field}: must be an object`)
  return v as Record<string, unknown>
}

function list(v: unknown, field: string): unknown[] {
  if (v === undefined) return []
  if (!Array.isArray(v)) throw new ValidationError(field, `${field}: must be a list`)
  return v
}

function text(v: unknown, field: string): string {
  if (typeof v !== 'string' || v.length === 0) throw new ValidationError(field, `${field}: must be a non-empty string`)
  return v
}

function optional(v: unknown, field: string): string | undefined {
  return v === undefined ? undefined : text(v, field)
}

function unknownFields(o: Record<string, unknown>, known: readonly string[], field: string): void {
  const extra = Object.keys(o).find((k) => !known.includes(k))
  if (extra !== undefined) throw new ValidationError(`${field}.${extra}`, `${field}.${extra}: not a field (${known.join(', ')})`)
}
