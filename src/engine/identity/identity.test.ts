import { describe, expect, it } from 'vitest'
import { useRuntime } from '../../../test/helpers/runtime.js'
import { TEST_STORE } from '../../../test/helpers/store.js'
import { exportSnapshot, importSnapshot, resetState } from '../state-control.js'
import { DEFAULT_TOKEN_TTL_MS, keyId } from './identity.js'
import { seededUserId } from './seed-identity.js'

describe(`identity in the engine on ${TEST_STORE}`, () => {
  const rc = useRuntime('identity', Date.UTC(2026, 0, 1))

  it('starts with Keystone’s defaults: admin/admin is admin on project admin, demo/demo member on demo; no password is stored', async () => {
    const admin = await rc.engine.identity.authenticate({ user: { name: 'admin', domain: { name: 'Default' } }, password: 'admin', project: { name: 'admin', domain: { id: 'default' } } })
    expect(admin).toMatchObject({ user: { name: 'admin', domainId: 'default' }, project: { id: 'admin', name: 'admin' }, roles: [{ name: 'admin' }], methods: ['password'] })
    expect(admin.expiresAt - admin.issuedAt).toBe(DEFAULT_TOKEN_TTL_MS)
    const demo = await rc.engine.identity.authenticate({ user: { name: 'demo' }, password: 'demo', project: { id: 'demo' } })
    expect(demo).toMatchObject({ project: { id: 'demo' }, roles: [{ name: 'member' }] })
    const user = await rc.engine.store.read.getResource(seededUserId('demo'))
    expect(JSON.stringify(user)).not.toMatch(/"password(Hash)?":"demo"/)
    expect((user!.data as { passwordHash: string }).passwordHash).toMatch(/^scrypt\$/)
    // NOTE: the token names who it is for, and is valid until it expires
    await expect(rc.engine.identity.validate(demo.token)).resolves.toMatchObject({ user: { name: 'demo' }, project: { id: 'demo' } })
  })

  it('refuses a wrong password and an unknown user alike, a project without a role, and a disabled user (401)', async () => {
    const bad = { status: 401, code: 'EMU_ERR_UNAUTHORIZED', message: expect.stringContaining('no such user, or a wrong password') }
    await expect(rc.engine.identity.authenticate({ user: { name: 'demo' }, password: 'nope' })).rejects.toMatchObject(bad)
    await expect(rc.engine.identity.authenticate({ user: { name: 'nobody' }, password: 'demo' })).rejects.toMatchObject(bad)
    await expect(rc.engine.identity.authenticate({ user: { name: 'demo', domain: { name: 'Elsewhere' } }, password: 'demo' })).rejects.toMatchObject(bad)
    await expect(rc.engine.identity.authenticate({ user: { name: 'demo' }, password: 'demo', project: { name: 'admin' } })).rejects.toMatchObject({
      status: 401,
      message: 'user demo has no role on project admin',
    })
    // unscoped: who, but no project
    await expect(rc.engine.identity.authenticate({ user: { name: 'demo' }, password: 'demo' })).resolves.toMatchObject({ project: null, roles: [] })
    await rc.engine.update('domain:default', 'identity.user', seededUserId('demo'), { data: { enabled: false } })
    await expect(rc.engine.identity.authenticate({ user: { name: 'demo' }, password: 'demo' })).rejects.toMatchObject({ status: 401, message: 'user demo is disabled' })
  })

  it('expires tokens on the engine’s clock, and revokes them at once', async () => {
    const t = await rc.engine.identity.authenticate({ user: { name: 'demo' }, password: 'demo', project: { name: 'demo' }, ttlMs: 60_000 })
    await rc.clock.advance(59_999)
    await expect(rc.engine.identity.validate(t.token)).resolves.toMatchObject({ user: { name: 'demo' } })
    await rc.clock.advance(1)
    await expect(rc.engine.identity.validate(t.token)).rejects.toMatchObject({ status: 401, message: expect.stringContaining('the token expired at') })
    const u = await rc.engine.identity.authenticate({ user: { name: 'demo' }, password: 'demo' })
    await rc.engine.identity.revoke(u.token)
    await rc.engine.identity.revoke(u.token)
    await expect(rc.engine.identity.validate(u.token)).rejects.toMatchObject({ status: 401, message: 'the token was revoked' })
    await expect(rc.engine.identity.validate('made-up')).rejects.toMatchObject({ status: 401 })
  })

  it('forgets a user’s tokens a token’s lifetime after they expired, as the user signs in again', async () => {
    const first = await rc.engine.identity.authenticate({ user: { name: 'demo' }, password: 'demo' })
    const revoked = await rc.engine.identity.authenticate({ user: { name: 'demo' }, password: 'demo' })
    await rc.engine.identity.revoke(revoked.token)
    const tokens = async () => (await rc.engine.list('domain:default', 'identity.token', { where: { userId: seededUserId('demo') } })).items.length
    await rc.clock.advance(2 * DEFAULT_TOKEN_TTL_MS - 1)
    await rc.engine.identity.authenticate({ user: { name: 'demo' }, password: 'demo' })
    expect(await tokens()).toBe(3)
    await expect(rc.engine.identity.validate(first.token)).rejects.toMatchObject({ message: expect.stringContaining('expired') })
    await rc.clock.advance(1)
    await rc.engine.identity.authenticate({ user: { name: 'demo' }, password: 'demo' })
    expect(await tokens()).toBe(2)
    await expect(rc.engine.identity.validate(first.token)).rejects.toMatchObject({ message: 'the token is not one this cloud issued' })
  })

  it('rescopes a token to another project of the user, never past its expiry', async () => {
    const project = await rc.engine.identity.createProject({ name: 'team' })
    expect(project.id).toMatch(/^[0-9a-f]{32}$/)
    await rc.engine.identity.assignRole({ userId: seededUserId('demo'), projectId: project.id, role: 'reader' })
    const unscoped = await rc.engine.identity.authenticate({ user: { name: 'demo' }, password: 'demo', ttlMs: 10_000 })
    await rc.clock.advance(4_000)
    const scoped = await rc.engine.identity.reissue(unscoped.token, { name: 'team' })
    expect(scoped).toMatchObject({ project: { id: project.id, name: 'team' }, roles: [{ name: 'reader' }], methods: ['token'], expiresAt: unscoped.expiresAt })
  })

  it('takes a role back with the tokens it was in', async () => {
    const t = await rc.engine.identity.authenticate({ user: { name: 'demo' }, password: 'demo', project: { name: 'demo' } })
    await rc.engine.identity.unassignRole({ userId: seededUserId('demo'), projectId: 'demo', role: 'member' })
    await expect(rc.engine.identity.validate(t.token)).rejects.toMatchObject({ status: 401, message: 'the token was revoked' })
    await expect(rc.engine.identity.authenticate({ user: { name: 'demo' }, password: 'demo', project: { name: 'demo' } })).rejects.toMatchObject({ status: 401 })
  })

  it('answers who holds a key, only where the key is for; a key is kept as a hash', async () => {
    await rc.engine.identity.setKey({ secret: 'pool-secret-1', userId: seededUserId('demo'), projectId: 'demo', audience: 'pool:p1' })
    await expect(rc.engine.identity.whoIs('pool-secret-1', 'pool:p1')).resolves.toMatchObject({ user: { name: 'demo' }, project: { id: 'demo' }, roles: [{ name: 'member' }], expiresAt: null })
    await expect(rc.engine.identity.whoIs('pool-secret-1', 'pool:p2')).rejects.toMatchObject({ status: 403, message: 'this key is for pool:p1, not for pool:p2' })
    await expect(rc.engine.identity.whoIs('pool-secret-2', 'pool:p1')).rejects.toMatchObject({ status: 401 })
    const snapshot = JSON.stringify(await exportSnapshot(rc.engine))
    expect(snapshot).not.toContain('pool-secret-1')
    expect(snapshot).toContain(keyId('pool-secret-1'))
    // a token is accepted wherever a key is
    const t = await rc.engine.identity.authenticate({ user: { name: 'admin' }, password: 'admin', project: { name: 'admin' } })
    await expect(rc.engine.identity.whoIs(t.token, 'pool:p1')).resolves.toMatchObject({ user: { name: 'admin' } })
    // a key from a start-up flag is replaced when the flag changes
    await rc.engine.identity.configure({ apiKey: 'first-key' })
    await rc.engine.identity.configure({ apiKey: 'second-key' })
    await expect(rc.engine.identity.whoIs('first-key', 'native')).rejects.toMatchObject({ status: 401 })
    await expect(rc.engine.identity.whoIs('second-key', 'native')).resolves.toMatchObject({ user: { name: 'admin' }, project: null })
    await expect(rc.engine.identity.whoIs('pool-secret-1', 'pool:p1')).resolves.toMatchObject({ user: { name: 'demo' } })
  })

  it('names the field at fault for bad input (400), and creates nothing', async () => {
    const before = (await rc.engine.list('domain:default', 'identity.user')).items.length
    await expect(rc.engine.identity.createUser({ name: 'x', password: '' })).rejects.toMatchObject({ status: 400, field: 'password' })
    await expect(rc.engine.identity.createUser({ name: '', password: 'p' })).rejects.toMatchObject({ status: 400, field: 'name' })
    await expect(rc.engine.identity.createUser({ name: 'x', password: 'p', domainId: 'nowhere' })).rejects.toMatchObject({ status: 400, field: 'domain' })
    await expect(rc.engine.identity.createUser({ name: 'x', password: 'p', defaultProjectId: 'nope' })).rejects.toMatchObject({ status: 400, field: 'defaultProjectId' })
    await expect(rc.engine.identity.assignRole({ userId: seededUserId('demo'), projectId: 'demo', role: 'king' })).rejects.toMatchObject({ status: 400, field: 'role' })
    await expect(rc.engine.identity.assignRole({ userId: 'nobody', projectId: 'demo', role: 'member' })).rejects.toMatchObject({ status: 400, field: 'userId' })
    await expect(rc.engine.identity.createProject({ name: 'p', id: '../x' })).rejects.toMatchObject({ status: 400, field: 'id' })
    await expect(rc.engine.identity.createUser({ name: 'admin', password: 'p' })).rejects.toMatchObject({ status: 409 })
    expect((await rc.engine.list('domain:default', 'identity.user')).items).toHaveLength(before)
  })

  it('200 concurrent creates of one user name make one user; 200 concurrent grants of one role make one assignment', async () => {
    const users = await Promise.allSettled(Array.from({ length: 200 }, () => rc.engine.identity.createUser({ name: 'racer', password: 'pw' })))
    expect(users.filter((r) => r.status === 'fulfilled')).toHaveLength(1)
    for (const r of users.filter((r) => r.status === 'rejected')) expect((r as PromiseRejectedResult).reason).toMatchObject({ status: 409 })
    const racer = (users.find((r) => r.status === 'fulfilled') as PromiseFulfilledResult<{ id: string }>).value
    const grants = await Promise.allSettled(Array.from({ length: 200 }, () => rc.engine.identity.assignRole({ userId: racer.id, projectId: 'demo', role: 'member' })))
    expect(grants.filter((r) => r.status === 'rejected')).toEqual([])
    const assignments = await rc.engine.list('domain:default', 'identity.role-assignment', { where: { userId: racer.id } })
    expect(assignments.items).toHaveLength(1)
    await expect(rc.engine.identity.authenticate({ user: { name: 'racer' }, password: 'pw', project: { id: 'demo' } })).resolves.toMatchObject({ roles: [{ name: 'member' }] })
  })

  it('keeps accounts through a full reset; a reset of the default domain goes back to its defaults; a snapshot without them gets them', async () => {
    await rc.engine.identity.createUser({ name: 'carol', password: 'pw' })
    await resetState(rc.engine)
    await expect(rc.engine.identity.authenticate({ user: { name: 'carol' }, password: 'pw' })).resolves.toMatchObject({ user: { name: 'carol' } })
    await resetState(rc.engine, { scope: 'domain:default' })
    await expect(rc.engine.identity.authenticate({ user: { name: 'carol' }, password: 'pw' })).rejects.toMatchObject({ status: 401 })
    await expect(rc.engine.identity.authenticate({ user: { name: 'demo' }, password: 'demo', project: { name: 'demo' } })).resolves.toMatchObject({ project: { id: 'demo' } })
    const snapshot = await exportSnapshot(rc.engine)
    const withoutIdentity = { ...snapshot, state: { ...snapshot.state, resources: snapshot.state.resources.filter((r) => !r.kind.startsWith('identity.')) } }
    await importSnapshot(rc.engine, withoutIdentity)
    await expect(rc.engine.identity.authenticate({ user: { name: 'admin' }, password: 'admin', project: { name: 'admin' } })).resolves.toMatchObject({ roles: [{ name: 'admin' }] })
  })
})
