import type { FastifyInstance, InjectOptions } from 'fastify'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { buildApp } from '../../src/server/app.js'
import { until } from '../helpers/process.js'
import { freshDb, TEST_STORE, type TestDb } from '../helpers/store.js'

/**
 * The control face on a shared deployment: two nodes on one PostgreSQL and
 * one Redis see the same fault rules, call log, clock speed and state.
 */
const REDIS = process.env['MOCKCLOUD_TEST_REDIS_URL']
const run = TEST_STORE === 'postgres' && REDIS ? describe : describe.skip

run('the control face across the nodes of a shared deployment', () => {
  let db: TestDb
  let a: FastifyInstance
  let b: FastifyInstance
  beforeAll(async () => {
    db = freshDb()
    a = await buildApp({ db: db.location, queue: REDIS, timeScale: 0.01, seed: 'a', controlKey: '' })
    b = await buildApp({ db: db.location, queue: REDIS, timeScale: 0.01, seed: 'b', controlKey: '' })
  })
  afterAll(async () => {
    await b?.close()
    await a?.close()
    await db?.drop()
  })
  const call = async (app: FastifyInstance, method: string, url: string, payload?: unknown) => {
    const req: InjectOptions = { method: method as InjectOptions['method'], url }
    if (payload !== undefined) req.payload = payload as InjectOptions['payload']
    const res = await app.inject(req)
    return { status: res.statusCode, body: res.body ? res.json() : undefined }
  }

  it('a rule added on one node fires on the other, counted once for both', async () => {
    const rule = await call(a, 'POST', '/_mockcloud/faults', { kind: 'environment', operation: 'create', effect: { error: { status: 503, message: 'region down' } }, count: 1 })
    expect(rule.status).toBe(201)
    const refused = await call(b, 'POST', '/api/v1/environments', { name: 'e' })
    expect(refused).toEqual({ status: 503, body: { error: { status: 503, code: 'EMU_ERR_INJECTED', message: 'region down', field: null } } })
    expect((await call(a, 'POST', '/api/v1/environments', { name: 'e' })).status).toBe(201)
    expect((await call(a, 'GET', '/_mockcloud/faults')).body.items).toEqual([expect.objectContaining({ id: rule.body.id, fired: 1, remaining: 0 })])
  })

  it("one node's calls are in the other's call log, and clearing it clears both", async () => {
    await call(b, 'GET', '/api/v1/vms?status=active')
    const seen = await until(async () => {
      const items = (await call(a, 'GET', '/_mockcloud/calls?operation=vms.list')).body.items as Array<{ query: unknown }>
      return items.length ? items : undefined
    }, "b's call in a's log")
    expect(seen).toEqual([expect.objectContaining({ face: 'native', method: 'GET', status: 200, query: { status: 'active' } })])
    expect((await call(a, 'DELETE', '/_mockcloud/calls')).status).toBe(204)
    await until(async () => ((await call(b, 'GET', '/_mockcloud/calls')).body.items.length === 0 ? true : undefined), "b's log emptied")
  })

  it('a new clock speed set on one node is followed by the other; advancing a shared clock is a conflict', async () => {
    expect((await call(a, 'POST', '/_mockcloud/clock', { time_scale: 0.5 })).body.time_scale).toBe(0.5)
    await until(async () => ((await call(b, 'GET', '/_mockcloud/clock')).body.time_scale === 0.5 ? true : undefined), 'b to follow the new scale')
    const advance = await call(b, 'POST', '/_mockcloud/clock/advance', { ms: 1000 })
    expect(advance.status).toBe(409)
    expect(advance.body.error.message).toMatch(/not manual/)
  })

  it('timings changed on one node are used by the other', async () => {
    expect((await call(b, 'POST', '/_mockcloud/config', { profile: 'realistic', timing: ['vm.create.failureRate=0'] })).status).toBe(200)
    await until(async () => ((await call(a, 'GET', '/_mockcloud/config')).body.profile === 'realistic' ? true : undefined), 'a to follow the new profile')
    expect((await call(a, 'GET', '/_mockcloud/config')).body).toMatchObject({ timing: ['vm.create.failureRate=0'], runner: 'bullmq', bus: 'redis', store: 'postgres' })
    expect(a.mockcloud.engine.timing.of('compute.server', 'create').failureRate).toBe(0)
  })

  it('a reset on one node forgets what the other created; a snapshot on either holds everything', async () => {
    await call(b, 'POST', '/api/v1/environments', { name: 'from-b' })
    const snap = (await call(a, 'GET', '/_mockcloud/snapshot')).body as { state: { resources: Array<{ name: string }> } }
    expect(snap.state.resources.map((r) => r.name)).toContain('from-b')
    expect((await call(a, 'POST', '/_mockcloud/reset', {})).status).toBe(200)
    expect((await call(b, 'GET', '/api/v1/environments')).body.items).toEqual([])
  })
})
