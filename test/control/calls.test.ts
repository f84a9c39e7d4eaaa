import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { environment, T0, testApp, type TestApp } from '../helpers/app.js'
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
