import type { FastifyInstance } from 'fastify'
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { ManualClock } from '../../src/clock/manual-clock.js'
import type { CallLogOptions } from '../../src/observe/call-log.js'
import { buildApp } from '../../src/server/app.js'
import { environment, T0, testApp, type TestApp } from '../helpers/app.js'
import { freshDb } from '../helpers/store.js'
import { armedAt } from './support.js'

let t: TestApp
beforeEach(async () => {
  t = await testApp()
})
afterEach(() => t.close())

async function calls(query = ''): Promise<any[]> {
  const res = await t.call('GET', `/_mockcloud/calls${query}`)
  expect(res.status, JSON.stringify(res.body)).toBe(200)
  return res.body.items
}

describe('GET /_mockcloud/calls', () => {
  it('records each call of a face: operation, arguments, status and duration, in order', async () => {
    const env = await environment(t, 'e1')
    await t.advance(1_500)
    const vm = (await t.call('POST', '/api/v1/vms', { name: 'web', environment_id: env }, { 'x-project-id': 'default' })).body
    await t.call('GET', `/api/v1/vms/${vm.id}`)
    await t.call('GET', '/api/v1/vms?status=building&limit=5')
    await t.call('GET', '/api/v1/vms/nope')
    await t.call('POST', '/api/v1/volumes', { name: 'v' })

    const log = await calls()
    expect(log.map((c) => [c.seq, c.operation, c.method, c.status])).toEqual([
      [1, 'environments.create', 'POST', 201],
      [2, 'vms.create', 'POST', 202],
      [3, 'vms.get', 'GET', 200],
      [4, 'vms.list', 'GET', 200],
      [5, 'vms.get', 'GET', 404],
      [6, 'volumes.create', 'POST', 400],
    ])
    const [first, create, get, list] = log
    expect(first).toEqual({
      seq: 1,
      at: new Date(T0).toISOString(),
      face: 'native',
      operation: 'environments.create',
      method: 'POST',
      path: '/api/v1/environments',
      project: 'default',
      params: {},
      query: {},
      body: { name: 'e1' },
      status: 201,
      duration_ms: first.duration_ms,
    })
    expect(typeof first.duration_ms).toBe('number')
    expect(first.duration_ms).toBeGreaterThanOrEqual(0)
    expect(create.at).toBe(new Date(T0 + 1_500).toISOString())
    expect(create.body).toEqual({ name: 'web', environment_id: env })
    expect(get).toMatchObject({ path: `/api/v1/vms/${vm.id}`, params: { id: vm.id }, body: null })
    expect(list).toMatchObject({ path: '/api/v1/vms', query: { status: 'building', limit: 5 } })
  })

  it('leaves out the control face, /health, /metrics and unknown routes', async () => {
    await t.call('GET', '/_mockcloud/faults')
    await t.call('GET', '/_mockcloud/clock')
    await t.call('GET', '/health')
    await t.app.inject({ method: 'GET', url: '/metrics' })
    await t.call('GET', '/api/v1/nothing')
    expect(await calls()).toEqual([])
  })

  it('records the answer a fault gave, at the emulated time it was given', async () => {
    await t.call('POST', '/_mockcloud/faults', { kind: 'environment', operation: 'create', effect: { error: { status: 503, message: 'down' }, latency_ms: 2_000 } })
    const armed = armedAt(t.clock, T0 + 2_000)
    const pending = t.call('POST', '/api/v1/environments', { name: 'e' })
    await armed
    await t.clock.advance(2_000)
    expect((await pending).status).toBe(503)
    expect(await calls()).toEqual([expect.objectContaining({ operation: 'environments.create', status: 503, at: new Date(T0 + 2_000).toISOString() })])
  })

  it('filters by face, operation, method, status, project, after and limit', async () => {
    const env = await environment(t)
    const acme = await environment(t, 'a', { 'x-project-id': 'acme' })
    await t.call('POST', '/api/v1/vms', { name: 'x', environment_id: env })
    await t.call('POST', '/api/v1/vms', { name: 'y', environment_id: acme }, { 'x-project-id': 'acme' })
    await t.call('POST', '/api/v1/vms', { name: 'z', environment_id: 'missing' }, { 'x-project-id': 'acme' })
    await t.call('GET', '/api/v1/vms', undefined, { 'x-project-id': 'acme' })
    const seqs = async (q: string) => (await calls(q)).map((c) => c.seq)

    expect(await seqs('')).toEqual([1, 2, 3, 4, 5, 6])
    expect(await seqs('?face=native')).toEqual([1, 2, 3, 4, 5, 6])
    expect(await seqs('?face=openstack')).toEqual([])
    expect(await seqs('?operation=vms.create')).toEqual([3, 4, 5])
    expect(await seqs('?method=get')).toEqual([6])
    expect(await seqs('?method=POST')).toEqual([1, 2, 3, 4, 5])
    expect(await seqs('?status=202')).toEqual([3, 4])
    expect(await seqs('?status=400')).toEqual([5])
    expect(await seqs('?project=acme')).toEqual([2, 4, 5, 6])
    expect(await seqs('?project=default')).toEqual([1, 3])
    expect(await seqs('?after=4')).toEqual([5, 6])
    expect(await seqs('?limit=2')).toEqual([5, 6])
    expect(await seqs('?operation=vms.create&project=acme&status=202')).toEqual([4])
    expect(await seqs('?project=acme&limit=1&after=1')).toEqual([6])
  })

  it('bad filters: 400 naming the parameter', async () => {
    for (const [q, field] of [
      ['?status=abc', 'status'],
      ['?status=99', 'status'],
      ['?limit=0', 'limit'],
      ['?after=-1', 'after'],
      ['?colour=red', 'colour'],
    ]) {
      const res = await t.call('GET', `/_mockcloud/calls${q}`)
      expect(res.status, q).toBe(400)
      expect(res.body.error).toMatchObject({ status: 400, code: 'EMU_ERR_VALIDATION', field })
    }
  })
})

describe('DELETE /_mockcloud/calls', () => {
  it('empties the log; numbering carries on, so an `after` cursor stays valid', async () => {
    await environment(t)
    await environment(t, 'two')
    const del = await t.app.inject({ method: 'DELETE', url: '/_mockcloud/calls' })
    expect(del.statusCode).toBe(204)
    expect(del.body).toBe('')
    expect(await calls()).toEqual([])
    await environment(t, 'three')
    expect((await calls()).map((c) => [c.seq, c.body])).toEqual([[3, { name: 'three' }]])
    expect(await calls('?after=2')).toHaveLength(1)
  })
})

describe('the call log stays small', () => {
  let bounded: FastifyInstance | undefined
  afterEach(async () => {
    await bounded?.close()
    bounded = undefined
  })

  /** A server whose call log has these bounds, on a fresh database of the run's store. */
  async function appWithCallLog(callLog: CallLogOptions): Promise<FastifyInstance> {
    const db = freshDb()
    const app = await buildApp({ db: db.location, clock: new ManualClock(T0), seed: 'calls', profile: 'fast', callLog })
    app.addHook('onClose', () => db.drop())
    return app
  }
  const post = (app: FastifyInstance, name: string) => app.inject({ method: 'POST', url: '/api/v1/environments', payload: { name } })
  const logged = async (app: FastifyInstance) => (await app.inject({ method: 'GET', url: '/_mockcloud/calls' })).json().items as any[]

  it('cuts a long body to 4 KiB with a marker of its whole size, and keeps a short one whole', async () => {
    const long = 'x'.repeat(10_000)
    expect((await t.call('POST', '/api/v1/environments', { name: long })).status).toBe(400)
    const atLimit = 'y'.repeat(4_096 - '{"name":""}'.length)
    await t.call('POST', '/api/v1/environments', { name: atLimit })
    const [cut, whole] = await calls()
    const json = JSON.stringify({ name: long })
    const marker = `…[truncated, ${json.length} bytes]`
    // NOTE: 4 KiB with the marker, so a cut body cut again (on another node of a shared deployment) stays as it is.
    expect(cut.body).toBe(json.slice(0, 4_096 - Buffer.byteLength(marker)) + marker)
    expect(Buffer.byteLength(cut.body)).toBe(4_096)
    expect(whole.body).toEqual({ name: atLimit })
  })

  it('counts multi-byte characters as the bytes they are', async () => {
    const name = 'é'.repeat(3_000)
    await t.call('POST', '/api/v1/environments', { name })
    const [cut] = await calls()
    // NOTE: 4 096 bytes less the 26 of the marker and the 9 of '{"name":"' leave 4 061: 2 030 é and half of one, which is left out.
    expect(cut.body).toMatch(new RegExp(`^\\{"name":"é{2030}…\\[truncated, ${Buffer.byteLength(JSON.stringify({ name }))} bytes\\]$`))
  })

  it('drops the oldest calls once the kept ones weigh more than maxBytes', async () => {
    bounded = await appWithCallLog({ maxBytes: 64 * 1024 })
    for (let i = 1; i <= 40; i++) await post(bounded, `${i}`.padEnd(6_000, '-'))
    const items = await logged(bounded)
    const seqs = items.map((c) => c.seq)
    // NOTE: each call weighs its 4 KiB cut body and a few hundred bytes more: 14 fit in 64 KiB.
    expect(seqs).toEqual(Array.from({ length: 14 }, (_, k) => 27 + k))
    expect(items.every((c) => typeof c.body === 'string' && c.body.endsWith('…[truncated, 6011 bytes]'))).toBe(true)
    expect(bounded.mockcloud.calls.bytes).toBeLessThanOrEqual(64 * 1024)
    // NOTE: a call too heavy for the whole log is dropped at once, with every other.
    await appWithCallLog({ maxBytes: 100, maxBodyBytes: 4_096 }).then(async (tiny) => {
      await post(tiny, 'x'.repeat(5_000))
      expect(await logged(tiny)).toEqual([])
      expect(tiny.mockcloud.calls.bytes).toBe(0)
      await tiny.close()
    })
  })

  it('keeps 200 rejected bodies of 900 KB within the default 16 MiB: each one cut', { timeout: 60_000 }, async () => {
    const payload = JSON.stringify({ name: 'z'.repeat(900_000) })
    for (let i = 0; i < 200; i++) {
      const res = await t.app.inject({ method: 'POST', url: '/api/v1/environments', payload, headers: { 'content-type': 'application/json' } })
      expect(res.statusCode).toBe(400)
    }
    const log = t.app.mockcloud.calls
    // NOTE: whole, they would weigh 180 MB; cut, every one fits.
    expect(log.length).toBe(200)
    expect(log.bytes).toBeLessThanOrEqual(16 * 1024 * 1024)
    // NOTE: each cut body weighs 4 KiB and its marker; the whole record a few hundred bytes more.
    expect(log.bytes).toBeLessThanOrEqual(200 * 5_000)
    const items = await calls()
    expect(items.map((c) => Buffer.byteLength(c.body))).toEqual(Array(200).fill(4_096))
    expect(items.every((c) => c.body.endsWith('…[truncated, 900011 bytes]'))).toBe(true)
    await t.app.inject({ method: 'DELETE', url: '/_mockcloud/calls' })
    expect([log.length, log.bytes]).toEqual([0, 0])
  })
})
