import { SeededRandom } from '../../random/seeded-random.js'
import type { EngineTx } from '../engine-tx.js'
import type { DomainData } from '../kinds/identity-domain.kind.js'
import type { ProjectData } from '../kinds/identity-project.kind.js'
import { assignmentName, type RoleAssignmentData } from '../kinds/identity-role-assignment.kind.js'
import type { RoleData } from '../kinds/identity-role.kind.js'
import type { UserData } from '../kinds/identity-user.kind.js'
import { scopes, SHARED_PROJECT } from '../scope.js'
import { hashPassword } from './password.js'

// NOTE: seeded ids and salts do not depend on --seed: users write the ids into their config.
const fixed = new SeededRandom('mockcloud-identity')

/** Keystone's own id for the default domain. */
export const DEFAULT_DOMAIN_ID = 'default'

/** The seeded roles, by name: what Keystone's bootstrap and devstack create. */
export const SEEDED_ROLES = ['admin', 'member', 'reader'] as const

/** The seeded projects and users: devstack's `admin` and `demo`. Project ids are their names, so the native API's `X-Project-Id: demo` is Keystone's demo project. */
export const SEEDED_USERS = [
  { name: 'admin', password: 'admin', project: 'admin', role: 'admin' },
  { name: 'demo', password: 'demo', project: 'demo', role: 'member' },
] as const

export function seededRoleId(name: string): string {
  return fixed.hex(32, 'role', name)
}

export function seededUserId(name: string): string {
  return fixed.hex(32, 'user', name)
}

const seededHashes = new Map<string, string>()

/**
 * A seeded user's password hash. Their salts are fixed, so these are
 * constants: worked out once per process, on the main thread. (On libuv's
 * threads they overlapped the store's opening, but starting those threads
 * cost 2 MB of a server's memory and, with the CLI's code cache, no time.)
 */
function seededPasswordHash(u: (typeof SEEDED_USERS)[number]): string {
  let hash = seededHashes.get(u.name)
  if (hash === undefined) seededHashes.set(u.name, (hash = hashPassword(u.password, fixed.bytes('salt', u.name).subarray(0, 16))))
  return hash
}

/**
 * Creates what is missing of the identity every cloud starts with: domain
 * `Default` (id `default`), roles admin, member and reader, projects admin
 * and demo, users admin/admin (admin on admin) and demo/demo (member on
 * demo). Run at every start, after a reset of the default domain and after
 * a snapshot load, as Keystone's bootstrap is: a default removed comes back.
 */
export async function seedIdentity(tx: EngineTx): Promise<void> {
  const scope = scopes.domain(DEFAULT_DOMAIN_ID)
  if (!(await tx.q.getResource(DEFAULT_DOMAIN_ID))) {
    await tx.create<DomainData>('identity.domain', { id: DEFAULT_DOMAIN_ID, project: SHARED_PROJECT, name: 'Default', data: { description: 'The default domain', enabled: true } })
  }
  for (const role of SEEDED_ROLES) {
    if (!(await tx.q.getResource(seededRoleId(role)))) {
      await tx.create<RoleData>('identity.role', { id: seededRoleId(role), project: SHARED_PROJECT, name: role, data: { description: '' } })
    }
  }
  for (const u of SEEDED_USERS) {
    // NOTE: a name taken since (a project or user made by hand after the default was removed) is left alone.
    if (!(await tx.q.getResource(u.project)) && !(await tx.q.findByName('identity.project', [scope], u.project)).length) {
      await tx.create<ProjectData>('identity.project', { id: u.project, project: scope, name: u.project, data: { description: `Bootstrap project ${u.project}`, enabled: true, domainId: DEFAULT_DOMAIN_ID } })
    }
    const userId = seededUserId(u.name)
    if (!(await tx.q.getResource(userId)) && !(await tx.q.findByName('identity.user', [scope], u.name)).length) {
      const passwordHash = seededPasswordHash(u)
      await tx.create<UserData>('identity.user', {
        id: userId,
        project: scope,
        name: u.name,
        data: { passwordHash, enabled: true, email: null, description: '', defaultProjectId: u.project, domainId: DEFAULT_DOMAIN_ID },
      })
    }
    const a: RoleAssignmentData = { userId, projectId: u.project, roleId: seededRoleId(u.role) }
    const ready = (await tx.q.getResource(userId)) && (await tx.q.getResource(u.project))?.kind === 'identity.project'
    if (ready && !(await tx.q.findByName('identity.role-assignment', [scope], assignmentName(a))).length) {
      await tx.create<RoleAssignmentData>('identity.role-assignment', { project: scope, name: assignmentName(a), data: a })
    }
  }
}
