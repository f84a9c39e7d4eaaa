import { createHash } from 'node:crypto'
import type { ResourceRecord } from '../../store/records.js'
import type { Queries } from '../../store/queries.js'
import type { Engine } from '../engine.js'
import type { EngineTx } from '../engine-tx.js'
import { ForbiddenError, UnauthorizedError, ValidationError } from '../errors.js'
import type { CredentialData } from '../kinds/identity-credential.kind.js'
import type { DomainData } from '../kinds/identity-domain.kind.js'
import type { ProjectData } from '../kinds/identity-project.kind.js'
import { assignmentName, type RoleAssignmentData } from '../kinds/identity-role-assignment.kind.js'
import type { RoleData } from '../kinds/identity-role.kind.js'
import type { TokenData } from '../kinds/identity-token.kind.js'
import type { UserData } from '../kinds/identity-user.kind.js'
import { PROJECT_ID_PATTERN, scopes, SHARED_PROJECT } from '../scope.js'
import { hashPassword, verifyPassword } from './password.js'
import { DEFAULT_DOMAIN_ID, seededUserId, seedIdentity } from './seed-identity.js'

/** How long a token lives by default: Keystone's default, one hour (of the engine's clock). */
export const DEFAULT_TOKEN_TTL_MS = 3_600_000

/** A reference by id or by name (with its domain, for names), as Keystone's auth requests carry them. */
export interface NameOrId {
  id?: string | undefined
  name?: string | undefined
  domain?: { id?: string | undefined; name?: string | undefined } | undefined
}

/** Who a caller is, as every face asks it: the user, the project they act in, their roles there. */
export interface Principal {
  user: { id: string; name: string; domainId: string }
  /** The project the credentials are scoped to; null for an unscoped token. */
  project: { id: string; name: string; domainId: string } | null
  roles: Array<{ id: string; name: string }>
  /** When the credentials stop being valid (emulated ms); null for a key. */
  expiresAt: number | null
}

/** A token as issued or validated: the token itself, who it is for, and when. */
export interface TokenInfo extends Principal {
  token: string
  issuedAt: number
  expiresAt: number
  methods: string[]
  auditId: string
}

const MESSAGE_BAD_CREDENTIALS = 'the request you have made requires authentication: no such user, or a wrong password'
const KEY_PREFIX = 'key-'

/**
 * Identity as engine state (docs/decisions/0011-identity.md): domains,
 * projects, users, roles, role assignments, keys and tokens are resources,
 * and every face asks here who its caller is: Keystone's tokens, the native
 * API's key, a pool's key, a cluster's bearer token. Tokens expire on the
 * engine's clock and can be revoked.
 *
 * @example
 * const issued = await engine.identity.authenticate({ user: { name: 'demo' }, password: 'demo', project: { name: 'demo' } })
 * const who = await engine.identity.validate(issued.token) // who.project.id === 'demo', who.roles[0].name === 'member'
 */
export class Identity {
  /** What this server was started with (see configure), applied again by restore. */
  private config: IdentityConfig = {}

  constructor(private readonly engine: Engine) {}

  /**
   * Password authentication, as Keystone's `POST /v3/auth/tokens`: the user by
   * id or by name in a domain (default `Default`), scoped to a project the
   * user has a role on, or unscoped. A wrong password and an unknown user get
   * the same 401; a project without a role for the user, 401 as well.
   */
  async authenticate(req: { user: NameOrId; password: string; project?: NameOrId | undefined; ttlMs?: number | undefined }): Promise<TokenInfo> {
    const read = this.engine.store.read
    const user = await findInDomain<UserData>(read, 'identity.user', req.user)
    // NOTE: the hash is checked before the transaction: a millisecond of scrypt must not hold SQLite's writer.
    if (!user || !verifyPassword(req.password, user.data.passwordHash)) throw new UnauthorizedError(MESSAGE_BAD_CREDENTIALS)
    return this.issue(user, req.project, ['password'], req.ttlMs)
  }

  /**
   * A new token from a valid one (Keystone's `token` method): the same user,
   * scoped to `project` (default: the old token's), expiring no later than
   * the old one.
   */
  async reissue(token: string, project?: NameOrId): Promise<TokenInfo> {
    const old = await this.validate(token)
    const user = (await this.engine.store.read.getResource(old.user.id)) as ResourceRecord<UserData>
    const scope = project ?? (old.project ? { id: old.project.id } : undefined)
    return this.issue(user, scope, ['token'], old.expiresAt - this.engine.clock.now())
  }

  private async issue(user: ResourceRecord<UserData>, project: NameOrId | undefined, methods: string[], ttlMs = DEFAULT_TOKEN_TTL_MS): Promise<TokenInfo> {
    if (!(ttlMs > 0)) throw new UnauthorizedError('the token expired')
    const { value } = await this.engine.transaction((tx) => issueToken(tx, user, project, methods, ttlMs), { scope: scopes.domain(user.data.domainId) })
    return this.validate(value.id)
  }

  /** What a token says, if it is still valid: a 401 when it is unknown, revoked or expired, or its user is gone or disabled. */
  async validate(token: string): Promise<TokenInfo> {
    const res = await this.engine.store.read.getResource(token)
    if (!res || res.kind !== 'identity.token') throw new UnauthorizedError('the token is not one this cloud issued')
    const t = res as ResourceRecord<TokenData>
    if (t.status !== 'valid') throw new UnauthorizedError('the token was revoked')
    if (t.data.expiresAt <= this.engine.clock.now()) throw new UnauthorizedError(`the token expired at ${new Date(t.data.expiresAt).toISOString()}`)
    const principal = await principalOf(this.engine.store.read, t.data.userId, t.data.projectId, t.data.roleIds)
    return { ...principal, expiresAt: t.data.expiresAt, token, issuedAt: t.createdAt, methods: t.data.methods, auditId: t.data.auditId }
  }

  /** Revokes a token: it stops being valid at once, for every face. A 404-free no-op when it already was. */
  async revoke(token: string): Promise<void> {
    await this.engine.transaction(async (tx) => {
      const res = await tx.q.getResource(token)
      if (!res || res.kind !== 'identity.token') throw new UnauthorizedError('the token is not one this cloud issued')
      if (res.status === 'valid') await tx.begin(res, 'revoke')
    })
  }

  /**
   * Who presents `secret` where `audience` is asked for (`native`,
   * `pool:NAME`, `cluster:NAME`): a key made for that audience (or for `*`),
   * or a valid token. A 401 when it is neither; a 403 when it is a key for
   * another audience.
   */
  async whoIs(secret: string, audience: string): Promise<Principal> {
    const key = await this.engine.store.read.getResource(keyId(secret))
    if (key?.kind === 'identity.credential') {
      const c = key as ResourceRecord<CredentialData>
      if (c.data.audience !== '*' && c.data.audience !== audience) throw new ForbiddenError(`this key is for ${c.data.audience}, not for ${audience}`)
      const user = (await this.engine.store.read.getResource(c.data.userId)) as ResourceRecord<UserData> | undefined
      if (!user) throw new UnauthorizedError('the key belongs to a user that no longer exists')
      // NOTE: a key without a project (the native API's --api-key) acts in whichever project the request names.
      const projectId = c.data.projectId
      return principalOf(this.engine.store.read, user.id, projectId, projectId ? await roleIdsOf(this.engine.store.read, user.id, projectId) : [])
    }
    return this.validate(secret)
  }

  /**
   * Where a caller acts when a request names `project` (undefined: none):
   * their credentials' project by default; another only with the admin role
   * (a ForbiddenError whose message starts with `field`). Credentials with no
   * project (the native key) act wherever the request says, `fallback` if it
   * names none.
   */
  actsIn(principal: Principal | undefined, project: string | undefined, fallback: string, field: string): string {
    const own = principal?.project?.id
    if (project === undefined) return own ?? fallback
    if (own !== undefined && project !== own && !principal?.roles.some((r) => r.name === 'admin')) {
      throw new ForbiddenError(`${field}: your credentials are for project ${own}; acting in ${project} needs the admin role`)
    }
    return project
  }

  /** Creates a project in a domain (default `default`); its id is the scope its resources live in. */
  async createProject(p: { name: string; id?: string | undefined; domainId?: string | undefined; description?: string | undefined; enabled?: boolean | undefined }): Promise<ResourceRecord<ProjectData>> {
    const { value } = await this.engine.transaction((tx) => createProjectIn(tx, p))
    return value
  }

  /** Creates a user with a password (stored as a salted scrypt hash) in a domain (default `default`). */
  async createUser(u: UserSpec): Promise<ResourceRecord<UserData>> {
    const { value } = await this.engine.transaction((tx) => createUserIn(tx, u))
    return value
  }

  /** Gives a user a role (by name or id) on a project; a no-op when they have it. */
  async assignRole(a: { userId: string; projectId: string; role: string }): Promise<ResourceRecord<RoleAssignmentData>> {
    const { value } = await this.engine.transaction((tx) => assignRoleIn(tx, a))
    return value
  }

  /**
   * Takes a role from a user on a project, and revokes the user's tokens for
   * that project (they carry the roles they were issued with).
   */
  async unassignRole(a: { userId: string; projectId: string; role: string }): Promise<void> {
    await this.engine.transaction(async (tx) => {
      const project = await requireKind<ProjectData>(tx.q, 'identity.project', a.projectId, 'projectId')
      const role = await findRole(tx.q, a.role)
      const name = assignmentName({ userId: a.userId, projectId: a.projectId, roleId: role.id })
      const [assignment] = await tx.q.findByName('identity.role-assignment', [scopes.domain(project.data.domainId)], name)
      if (!assignment) return
      await tx.remove(assignment, 'delete')
      for (const t of await tokensOf(tx.q, a.userId)) if (t.status === 'valid' && t.data.projectId === a.projectId) await tx.begin(t, 'revoke')
    })
  }

  /**
   * Makes `secret` a key of `userId` for `audience` (the native API's
   * `--api-key`, a pool's key): the key is kept only as a hash, which is also
   * its id. Giving the same key again changes what it is for.
   */
  async setKey(k: KeySpec): Promise<ResourceRecord<CredentialData>> {
    const { value } = await this.engine.transaction((tx) => setKeyIn(tx, k))
    return value
  }

  /**
   * Sets what this server was started with (`serve --api-key`, `--user`,
   * `--identity FILE`) and applies it: creates what is missing (projects,
   * users, role assignments, keys), sets the given passwords, makes the
   * native key the one from the flag. Applied again, with the defaults,
   * whenever a reset or a snapshot load takes identity away: a server's own
   * key keeps working.
   */
  async configure(config: IdentityConfig): Promise<void> {
    this.config = config
    await this.engine.transaction((tx) => this.restore(tx))
  }

  /** Brings back the seeded defaults and what the server was configured with, in the caller's transaction. */
  async restore(tx: EngineTx): Promise<void> {
    await seedIdentity(tx)
    await applyIdentity(tx, this.config.spec ?? {})
    await replaceKeysIn(tx, NATIVE_KEY_AUDIENCE, NATIVE_KEY_ORIGIN, seededUserId('admin'), this.config.apiKey)
  }
}

/** What a server is started with (see Identity.configure). */
export interface IdentityConfig {
  /** The native API's key (`serve --api-key`), a key of user admin. */
  apiKey?: string | undefined
  spec?: IdentitySpec | undefined
}

/** Where the native API's keys are accepted (see Identity.whoIs). */
export const NATIVE_KEY_AUDIENCE = 'native'
const NATIVE_KEY_ORIGIN = 'serve --api-key'

/**
 * Makes `secret` the one key for `audience` that `origin` gave (a server's
 * `--api-key`, a pool's `apiKey`), dropping the keys `origin` gave before;
 * none when `secret` is undefined.
 */
export async function replaceKeysIn(tx: EngineTx, audience: string, origin: string, userId: string, secret: string | undefined): Promise<void> {
  const keep = secret === undefined ? undefined : keyId(secret)
  const keys = await tx.q.listResources({ kind: 'identity.credential', data: [{ field: 'audience', value: audience }], limit: 100_000 })
  for (const k of keys) if (k.id !== keep && (k.data as CredentialData).description === origin) await tx.remove(k, 'delete')
  if (secret !== undefined) await setKeyIn(tx, { secret, userId, audience, description: origin })
}

/** A user to create (or, from `apply`, to make sure of). */
export interface UserSpec {
  name: string
  password: string
  domainId?: string | undefined
  email?: string | null | undefined
  defaultProjectId?: string | null | undefined
  enabled?: boolean | undefined
}

/** A key to accept (see Identity.setKey). */
export interface KeySpec {
  secret: string
  userId: string
  projectId?: string | null | undefined
  audience: string
  description?: string | undefined
}

/** Users, with a project and role each, and keys, as `serve --user` and `--identity FILE` give them. */
export interface IdentitySpec {
  users?: Array<{ name: string; password: string; project?: string | undefined; role?: string | undefined; domain?: string | undefined }> | undefined
  keys?: Array<{ key: string; user: string; project?: string | undefined; audience?: string | undefined; domain?: string | undefined }> | undefined
}

/** The id a key is kept under: a hash of it, so the key itself is never stored. */
export function keyId(secret: string): string {
  return KEY_PREFIX + createHash('sha256').update(secret).digest('hex').slice(0, 40)
}

async function applyIdentity(tx: EngineTx, spec: IdentitySpec): Promise<void> {
  for (const u of spec.users ?? []) {
    const domainId = u.domain ?? DEFAULT_DOMAIN_ID
    const scope = await domainScope(tx.q, domainId)
    const projectName = u.project ?? u.name
    const [found] = await tx.q.findByName('identity.project', [scope], projectName)
    const project = found ?? (await createProjectIn(tx, { name: projectName, id: PROJECT_RE.test(projectName) ? projectName : undefined, domainId }))
    const [existing] = await tx.q.findByName('identity.user', [scope], u.name)
    const user = existing
      ? await tx.write(existing as ResourceRecord<UserData>, { data: { passwordHash: hashPassword(u.password, tx.random.bytes('salt', existing.id, existing.version).subarray(0, 16)) } }, 'update')
      : await createUserIn(tx, { name: u.name, password: u.password, domainId, defaultProjectId: project.id })
    await assignRoleIn(tx, { userId: user.id, projectId: project.id, role: u.role ?? 'member' })
  }
  for (const k of spec.keys ?? []) {
    const scope = await domainScope(tx.q, k.domain ?? DEFAULT_DOMAIN_ID)
    const [user] = await tx.q.findByName('identity.user', [scope], k.user)
    if (!user) throw new ValidationError('keys.user', `keys.user: no user named '${k.user}' in domain ${k.domain ?? DEFAULT_DOMAIN_ID}`)
    await setKeyIn(tx, { secret: k.key, userId: user.id, projectId: k.project ?? null, audience: k.audience ?? 'native' })
  }
}

const PROJECT_RE = new RegExp(PROJECT_ID_PATTERN)

async function createProjectIn(
  tx: EngineTx,
  p: { name: string; id?: string | undefined; domainId?: string | undefined; description?: string | undefined; enabled?: boolean | undefined },
): Promise<ResourceRecord<ProjectData>> {
  const domainId = p.domainId ?? DEFAULT_DOMAIN_ID
  const scope = await domainScope(tx.q, domainId)
  checkName('name', p.name)
  if (p.id !== undefined && !PROJECT_RE.test(p.id)) throw new ValidationError('id', `id: '${p.id.slice(0, 80)}' is not a project id (letters, digits, '.', '_' and '-', up to 64)`)
  // NOTE: Keystone's ids are 32 hex digits; a project id is also the key of the scope its resources live in.
  const id = p.id ?? (await tx.newId()).replaceAll('-', '')
  return tx.create<ProjectData>('identity.project', { id, project: scope, name: p.name, data: { description: p.description ?? '', enabled: p.enabled ?? true, domainId } })
}

async function createUserIn(tx: EngineTx, u: UserSpec): Promise<ResourceRecord<UserData>> {
  const domainId = u.domainId ?? DEFAULT_DOMAIN_ID
  const scope = await domainScope(tx.q, domainId)
  checkName('name', u.name)
  if (typeof u.password !== 'string' || u.password.length === 0) throw new ValidationError('password', 'password: a user needs a password (a non-empty string)')
  if (u.defaultProjectId != null) await requireKind(tx.q, 'identity.project', u.defaultProjectId, 'defaultProjectId')
  const id = (await tx.newId()).replaceAll('-', '')
  const passwordHash = hashPassword(u.password, tx.random.bytes('salt', id).subarray(0, 16))
  return tx.create<UserData>('identity.user', {
    id,
    project: scope,
    name: u.name,
    data: { passwordHash, enabled: u.enabled ?? true, email: u.email ?? null, description: '', defaultProjectId: u.defaultProjectId ?? null, domainId },
  })
}

async function assignRoleIn(tx: EngineTx, a: { userId: string; projectId: string; role: string }): Promise<ResourceRecord<RoleAssignmentData>> {
  await requireKind(tx.q, 'identity.user', a.userId, 'userId')
  const project = await requireKind<ProjectData>(tx.q, 'identity.project', a.projectId, 'projectId')
  const role = await findRole(tx.q, a.role)
  const data: RoleAssignmentData = { userId: a.userId, projectId: a.projectId, roleId: role.id }
  const scope = scopes.domain(project.data.domainId)
  // NOTE: the name lock checkNameFree takes, taken first: two concurrent assignments of one role make one.
  await tx.lockName('identity.role-assignment', scope, assignmentName(data))
  const [had] = await tx.q.findByName('identity.role-assignment', [scope], assignmentName(data))
  if (had) return had as ResourceRecord<RoleAssignmentData>
  return tx.create<RoleAssignmentData>('identity.role-assignment', { project: scope, name: assignmentName(data), data })
}

async function setKeyIn(tx: EngineTx, k: KeySpec): Promise<ResourceRecord<CredentialData>> {
  if (typeof k.secret !== 'string' || k.secret.length === 0) throw new ValidationError('key', 'key: a key is a non-empty string')
  const user = await requireKind<UserData>(tx.q, 'identity.user', k.userId, 'userId')
  if (k.projectId != null) await requireKind(tx.q, 'identity.project', k.projectId, 'projectId')
  const id = keyId(k.secret)
  const data = credentialData(user, k)
  await tx.lock(`identity.credential:${id}`)
  const had = await tx.q.getResource(id)
  if (had) return tx.write(had as ResourceRecord<CredentialData>, { data }, 'update')
  return createKey(tx, id, user, data)
}

/**
 * Brings back a key known only by its id (a hash of it, what a snapshot of a
 * pool's scope keeps of the pool's key) when no credential has that id; one
 * there already, whatever it is for, is left as it is, and so is a key whose
 * user is gone.
 */
export async function restoreKeyIn(tx: EngineTx, id: string, k: Omit<KeySpec, 'secret'>): Promise<void> {
  await tx.lock(`identity.credential:${id}`)
  if (await tx.q.getResource(id)) return
  const user = await tx.q.getResource(k.userId)
  if (user?.kind === 'identity.user') await createKey(tx, id, user as ResourceRecord<UserData>, credentialData(user as ResourceRecord<UserData>, k))
}

function credentialData(user: ResourceRecord<UserData>, k: Omit<KeySpec, 'secret'>): CredentialData {
  return { userId: user.id, projectId: k.projectId ?? null, audience: k.audience, description: k.description ?? '' }
}

function createKey(tx: EngineTx, id: string, user: ResourceRecord<UserData>, data: CredentialData): Promise<ResourceRecord<CredentialData>> {
  return tx.create<CredentialData>('identity.credential', { id, project: scopes.domain(user.data.domainId), name: `${data.audience} key of ${user.name}`, data })
}

/** Issues a token for a user whose credentials were checked, scoped to a project they have a role on (or unscoped). */
async function issueToken(tx: EngineTx, checked: ResourceRecord<UserData>, project: NameOrId | undefined, methods: string[], ttlMs: number): Promise<ResourceRecord<TokenData>> {
  const user = (await tx.q.getResource(checked.id)) as ResourceRecord<UserData> | undefined
  // NOTE: the password was checked against the user as read before this transaction: it must still be theirs.
  if (!user || user.kind !== 'identity.user' || user.data.passwordHash !== checked.data.passwordHash) throw new UnauthorizedError(MESSAGE_BAD_CREDENTIALS)
  if (!user.data.enabled) throw new UnauthorizedError(`user ${user.name} is disabled`)
  const domain = (await tx.q.getResource(user.data.domainId)) as ResourceRecord<DomainData> | undefined
  if (!domain?.data.enabled) throw new UnauthorizedError(`the domain of user ${user.name} is disabled`)
  let projectId: string | null = null
  let roleIds: string[] = []
  if (project) {
    const p = await findInDomain<ProjectData>(tx.q, 'identity.project', project)
    if (!p) throw new UnauthorizedError(`no project ${project.id ?? project.name} to scope the token to`)
    if (!p.data.enabled) throw new UnauthorizedError(`project ${p.name} is disabled`)
    roleIds = await roleIdsOf(tx.q, user.id, p.id)
    if (!roleIds.length) throw new UnauthorizedError(`user ${user.name} has no role on project ${p.name}`)
    projectId = p.id
  }
  await sweepTokens(tx, user)
  const n = await tx.q.nextIdNumber()
  const token = tx.random.bytes('token', n).toString('base64url')
  const auditId = tx.random.bytes('audit', n).subarray(0, 16).toString('base64url')
  return tx.create<TokenData>('identity.token', {
    id: token,
    project: scopes.domain(user.data.domainId),
    name: auditId,
    data: { userId: user.id, projectId, roleIds, methods, expiresAt: tx.now + ttlMs, auditId },
  })
}

/**
 * Removes a user's tokens that expired more than a token's default lifetime
 * ago, oldest first and a few at a time, as a new one is issued: a client
 * that signs in for every command (the openstack CLI does) would otherwise
 * leave a row per command for ever. Until then an expired or revoked token
 * still says so when presented.
 */
async function sweepTokens(tx: EngineTx, user: ResourceRecord<UserData>): Promise<void> {
  const oldest = await tx.q.listResources({ kind: 'identity.token', projects: [scopes.domain(user.data.domainId)], data: [{ field: 'userId', value: user.id }], limit: TOKEN_SWEEP_BATCH })
  for (const t of oldest as Array<ResourceRecord<TokenData>>) if (t.data.expiresAt + DEFAULT_TOKEN_TTL_MS <= tx.now) await tx.remove(t, 'expire')
}

/** How many of a user's oldest tokens each sign-in looks at for removal. */
const TOKEN_SWEEP_BATCH = 20

async function principalOf(q: Queries, userId: string, projectId: string | null, roleIds: readonly string[]): Promise<Principal> {
  const user = (await q.getResource(userId)) as ResourceRecord<UserData> | undefined
  if (!user || user.kind !== 'identity.user') throw new UnauthorizedError('the user of these credentials no longer exists')
  if (!user.data.enabled) throw new UnauthorizedError(`user ${user.name} is disabled`)
  const project = projectId === null ? undefined : ((await q.getResource(projectId)) as ResourceRecord<ProjectData> | undefined)
  if (projectId !== null && !project) throw new UnauthorizedError(`project ${projectId} of these credentials no longer exists`)
  const roles: Principal['roles'] = []
  for (const id of roleIds) {
    const role = await q.getResource(id)
    if (role) roles.push({ id, name: role.name })
  }
  return {
    user: { id: user.id, name: user.name, domainId: user.data.domainId },
    project: project ? { id: project.id, name: project.name, domainId: project.data.domainId } : null,
    roles,
    expiresAt: null,
  }
}

async function roleIdsOf(q: Queries, userId: string, projectId: string): Promise<string[]> {
  const project = (await q.getResource(projectId)) as ResourceRecord<ProjectData> | undefined
  if (!project) return []
  const rows = await q.listResources({
    kind: 'identity.role-assignment',
    projects: [scopes.domain(project.data.domainId)],
    data: [
      { field: 'userId', value: userId },
      { field: 'projectId', value: projectId },
    ],
    limit: 1000,
  })
  return rows.map((r) => (r.data as RoleAssignmentData).roleId)
}

async function tokensOf(q: Queries, userId: string): Promise<Array<ResourceRecord<TokenData>>> {
  const user = (await q.getResource(userId)) as ResourceRecord<UserData> | undefined
  if (!user) return []
  return (await q.listResources({ kind: 'identity.token', projects: [scopes.domain(user.data.domainId)], data: [{ field: 'userId', value: userId }], limit: 100_000 })) as Array<
    ResourceRecord<TokenData>
  >
}

async function findDomain(q: Queries, ref: NameOrId['domain']): Promise<ResourceRecord<DomainData> | undefined> {
  if (ref?.id !== undefined) {
    const d = await q.getResource(ref.id)
    return d?.kind === 'identity.domain' ? (d as ResourceRecord<DomainData>) : undefined
  }
  if (ref?.name !== undefined) return (await q.findByName('identity.domain', [SHARED_PROJECT], ref.name))[0] as ResourceRecord<DomainData> | undefined
  const d = await q.getResource(DEFAULT_DOMAIN_ID)
  return d as ResourceRecord<DomainData> | undefined
}

/** A user or project by id, or by name in its domain (default `Default`), as Keystone's auth requests name them. */
async function findInDomain<D>(q: Queries, kind: 'identity.user' | 'identity.project', ref: NameOrId): Promise<ResourceRecord<D> | undefined> {
  if (ref.id !== undefined) {
    const found = await q.getResource(ref.id)
    return found?.kind === kind ? (found as ResourceRecord<D>) : undefined
  }
  const field = kind.slice('identity.'.length)
  if (ref.name === undefined) throw new ValidationError(field, `${field}: give its id, or its name (and domain)`)
  const domain = await findDomain(q, ref.domain)
  if (!domain) return undefined
  return (await q.findByName(kind, [scopes.domain(domain.id)], ref.name))[0] as ResourceRecord<D> | undefined
}

async function findRole(q: Queries, ref: string): Promise<ResourceRecord<RoleData>> {
  const byId = await q.getResource(ref)
  if (byId?.kind === 'identity.role') return byId as ResourceRecord<RoleData>
  const [byName] = await q.findByName('identity.role', [SHARED_PROJECT], ref)
  if (!byName) throw new ValidationError('role', `role: no role with id or name '${ref.slice(0, 80)}'`)
  return byName as ResourceRecord<RoleData>
}

async function requireKind<D>(q: Queries, kind: string, id: string, field: string): Promise<ResourceRecord<D>> {
  const res = await q.getResource(id)
  if (res?.kind !== kind) throw new ValidationError(field, `${field}: no ${kind.slice('identity.'.length)} with id '${id.slice(0, 80)}'`)
  return res as ResourceRecord<D>
}

async function domainScope(q: Queries, domainId: string): Promise<string> {
  const d = await q.getResource(domainId)
  if (d?.kind !== 'identity.domain') throw new ValidationError('domain', `domain: no domain with id '${domainId.slice(0, 80)}'`)
  return scopes.domain(domainId)
}

function checkName(field: string, name: unknown): void {
  if (typeof name !== 'string' || name.length === 0 || name.length > 255) throw new ValidationError(field, `${field}: a name of 1 to 255 characters`)
}
