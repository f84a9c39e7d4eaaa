import fc from 'fast-check'
import type { FastifyInstance } from 'fastify'
import { afterEach, describe, expect, it } from 'vitest'
import { ManualClock } from '../../src/clock/manual-clock.js'
import { buildApp } from '../../src/server/app.js'
import { PROPERTY_RUNS, PROPERTY_SEED } from '../helpers/route-properties.js'
import { freshDb } from '../helpers/store.js'

let app: FastifyInstance | undefined
afterEach(() => app?.close())

async function lockedApp(apiKey: string): Promise<FastifyInstance> {
  const db = freshDb()
  const built = await buildApp({ clock: new ManualClock(Date.UTC(2026, 0, 1)), seed: 'auth', db: db.location, apiKey, controlKey: '' })
  built.addHook('onClose', () => db.drop())
  return built
}

async function tokenFor(a: FastifyInstance, user: string, project: string): Promise<string> {
  return (await a.mockcloud.engine.identity.authenticate({ user: { name: user }, password: user, project: { name: project } })).token
}

describe('the native API asks the engine’s identity who calls', () => {
  it('takes a Keystone token beside the key: the token’s project by default, another only for an admin (403)', async () => {
    app = await lockedApp('native-key')
    const demo = await tokenFor(app, 'demo', 'demo')
    const created = await app.inject({ method: 'POST', url: '/api/v1/environments', payload: { name: 'e' }, headers: { 'x-auth-token': demo } })
    expect(created.statusCode).toBe(201)
    // the resource lives in project demo: the key, acting in demo, sees it
    const seen = await app.inject({ method: 'GET', url: '/api/v1/environments', headers: { 'x-api-key': 'native-key', 'x-project-id': 'demo' } })
    expect(seen.json().items.map((e: { id: string }) => e.id)).toEqual([created.json().id])
    const elsewhere = await app.inject({ method: 'GET', url: '/api/v1/environments', headers: { 'x-auth-token': demo, 'x-project-id': 'admin' } })
    expect(elsewhere.statusCode).toBe(403)
    expect(elsewhere.json()).toEqual({ error: { status: 403, code: 'EMU_ERR_FORBIDDEN', message: expect.stringContaining('your credentials are for project demo'), field: null } })
    const admin = await tokenFor(app, 'admin', 'admin')
    const asAdmin = await app.inject({ method: 'GET', url: '/api/v1/environments', headers: { authorization: `Bearer ${admin}`, 'x-project-id': 'demo' } })
    expect(asAdmin.json().items).toHaveLength(1)
  })

  it('refuses a revoked or expired token with 401 in the native shape', async () => {
    app = await lockedApp('native-key')
    const demo = await tokenFor(app, 'demo', 'demo')
    await app.mockcloud.engine.identity.revoke(demo)
    const revoked = await app.inject({ method: 'GET', url: '/api/v1/vms', headers: { 'x-auth-token': demo } })
    expect(revoked.statusCode).toBe(401)
    expect(revoked.json()).toEqual({ error: { status: 401, code: 'EMU_ERR_UNAUTHORIZED', message: 'the native API needs its key: the token was revoked', field: null } })
    const later = await tokenFor(app, 'demo', 'demo')
    await (app.mockcloud.clock as ManualClock).advance(3_600_000)
    const expired = await app.inject({ method: 'GET', url: '/api/v1/vms', headers: { 'x-auth-token': later } })
    expect(expired.json().error.message).toMatch(/^the native API needs its key: the token expired at 2026-01-01T01:00:00.000Z/)
  })

  it('locks the old key out when a server starts again with another', async () => {
    const db = freshDb()
    const first = await buildApp({ clock: new ManualClock(0), seed: 'auth', db: db.location, apiKey: 'key-one', controlKey: '' })
    expect((await first.inject({ method: 'GET', url: '/api/v1/vms', headers: { 'x-api-key': 'key-one' } })).statusCode).toBe(200)
    await first.close()
    app = await buildApp({ clock: new ManualClock(0), seed: 'auth', db: db.location, apiKey: 'key-two', controlKey: '' })
    app.addHook('onClose', () => db.drop())
    expect((await app.inject({ method: 'GET', url: '/api/v1/vms', headers: { 'x-api-key': 'key-one' } })).statusCode).toBe(401)
    expect((await app.inject({ method: 'GET', url: '/api/v1/vms', headers: { 'x-api-key': 'key-two' } })).statusCode).toBe(200)
  })
})

describe('credentials the identity does not know', () => {
  it('any key or token it never issued gets 401 in the native shape, in any of the three headers; never a 5xx', async () => {
    app = await lockedApp('native-key')
    const a = app
    const headerSafe = fc.string({ minLength: 1, maxLength: 300 }).map((s) => s.replace(/[^\x21-\x7e]/g, 'x'))
    await fc.assert(
      fc.asyncProperty(headerSafe, fc.constantFrom('x-api-key', 'x-auth-token', 'authorization'), async (secret, header) => {
        fc.pre(secret !== 'native-key')
        const res = await a.inject({ method: 'GET', url: '/api/v1/vms', headers: { [header]: header === 'authorization' ? `Bearer ${secret}` : secret } })
        expect(res.statusCode).toBe(401)
        expect(res.json()).toMatchObject({ error: { status: 401, code: 'EMU_ERR_UNAUTHORIZED', field: null } })
      }),
      { numRuns: PROPERTY_RUNS, seed: PROPERTY_SEED },
    )
  })
})
