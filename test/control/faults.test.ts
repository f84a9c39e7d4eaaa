import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest'
import { SeededRandom } from '../../src/random/seeded-random.js'
import { environment, T0, testApp, type TestApp } from '../helpers/app.js'
import { armedAt, settled, stateRows } from './support.js'

let t: TestApp
let owned = false
afterEach(async () => {
  if (owned) await t.close()
  owned = false
})

/** A fresh app for one test, closed after it. */
async function fresh(opts: Parameters<typeof testApp>[0] = {}): Promise<TestApp> {
  t = await testApp(opts)
  owned = true
  return t
}

const unavailable = (message = 'injected: compute is down') => ({ error: { status: 503, message } })

async function addFault(rule: Record<string, unknown>): Promise<any> {
  const res = await t.call('POST', '/_mockcloud/faults', rule)
  expect(res.status, JSON.stringify(res.body)).toBe(201)
  return res.body
}

async function faultById(id: number): Promise<any> {
  const { body } = await t.call('GET', '/_mockcloud/faults')
  return body.items.find((f: { id: number }) => f.id === id)
}

describe('fault rules: add, list, remove', () => {
  it('stores a rule as given, lists it with its counters, and removes it by id', async () => {
    await fresh()
    const created = await t.call('POST', '/_mockcloud/faults', { kind: 'server', operation: 'create', match: { name: 'web-*', project: 'acme' }, effect: unavailable(), count: 2 })
    expect(created.status).toBe(201)
    expect(created.body).toEqual({
      id: 1,
      kind: 'vm',
      operation: 'create',
      match: { name: 'web-*', project: 'acme' },
      effect: { error: { status: 503, message: 'injected: compute is down' } },
      count: 2,
      rate: null,
      remaining: 2,
      matched: 0,
      fired: 0,
      created_at: new Date(T0).toISOString(),
    })
    const second = await addFault({ kind: 'volume', operation: 'attach', effect: { latency_ms: 1500, fail_lifecycle: true }, rate: 0.25 })
    expect(second).toMatchObject({ id: 2, kind: 'volume', operation: 'attach', match: {}, effect: { latency_ms: 1500, fail_lifecycle: true }, count: null, rate: 0.25, remaining: null })

    const list = await t.call('GET', '/_mockcloud/faults')
    expect(list.status).toBe(200)
    expect(list.body.items.map((f: { id: number }) => f.id)).toEqual([1, 2])
    expect(list.body.items[0]).toEqual(created.body)

    expect((await t.call('DELETE', '/_mockcloud/faults/1')).status).toBe(204)
    expect((await t.call('GET', '/_mockcloud/faults')).body.items.map((f: { id: number }) => f.id)).toEqual([2])
    const again = await t.call('DELETE', '/_mockcloud/faults/1')
    expect(again.status).toBe(404)
    expect(again.body).toEqual({ error: { status: 404, code: 'EMU_ERR_NOT_FOUND', message: 'fault rule 1 not found', field: null } })

    await addFault({ kind: '*', operation: '*', effect: { latency_ms: 10 } })
    expect((await t.call('DELETE', '/_mockcloud/faults')).status).toBe(204)
    expect((await t.call('GET', '/_mockcloud/faults')).body).toEqual({ items: [] })
  })

  it('a removed rule no longer fires', async () => {
    await fresh()
    const env = await environment(t)
    const f = await addFault({ kind: 'vm', operation: 'create', effect: unavailable() })
    expect((await t.call('POST', '/api/v1/vms', { name: 'a', environment_id: env })).status).toBe(503)
    await t.call('DELETE', `/_mockcloud/faults/${f.id}`)
    expect((await t.call('POST', '/api/v1/vms', { name: 'a', environment_id: env })).status).toBe(202)
  })
})

describe('an error effect answers at once, with the rule status and message, and writes nothing', () => {
  const cases: Array<[kind: string, path: string, body: (env: string) => unknown, okStatus: number]> = [
    ['vm', '/api/v1/vms', (env) => ({ name: 'web-1', environment_id: env }), 202],
    ['volume', '/api/v1/volumes', () => ({ name: 'data', size_gb: 10 }), 202],
    ['environment', '/api/v1/environments', () => ({ name: 'staging' }), 201],
    ['security-group', '/api/v1/security-groups', () => ({ name: 'web', rules: [{ direction: 'ingress', protocol: 'tcp', port_range_min: 22 }] }), 201],
    ['floating-ip', '/api/v1/floating-ips', () => ({}), 201],
    ['dns-record', '/api/v1/dns-records', () => ({ name: 'api.example.com', type: 'A', value: '41.100.1.2' }), 201],
    ['container', '/api/v1/containers', () => ({ name: 'worker', image: 'ghcr.io/acme/worker:v1' }), 202],
  ]
  for (const [kind, path, body, okStatus] of cases) {
    it(`${kind} create`, async () => {
      await fresh()
      const env = await environment(t)
      const fault = await addFault({ kind, operation: 'create', effect: { error: { status: 507, message: `no room for a ${kind}` } }, count: 1 })
      const before = await stateRows(t)
      const res = await t.call('POST', path, body(env))
      expect(res.status).toBe(507)
      expect(res.body).toEqual({ error: { status: 507, code: 'EMU_ERR_INJECTED', message: `no room for a ${kind}`, field: null } })
      expect(await stateRows(t)).toEqual(before)
      expect(await faultById(fault.id)).toMatchObject({ remaining: 0, matched: 1, fired: 1 })
      // count 1: spent, so the next create goes through.
      expect((await t.call('POST', path, body(env))).status).toBe(okStatus)
    })
  }

  it('on delete: the VM stays as it was', async () => {
    await fresh()
    const env = await environment(t)
    const { body: vm } = await t.call('POST', '/api/v1/vms', { name: 'web', environment_id: env })
    await t.advance(3_000)
    await addFault({ kind: 'vm', operation: 'delete', effect: { error: { status: 500, message: 'hypervisor unreachable' } } })
    const del = await t.call('DELETE', `/api/v1/vms/${vm.id}`)
    expect(del.status).toBe(500)
    expect(del.body.error).toEqual({ status: 500, code: 'EMU_ERR_INJECTED', message: 'hypervisor unreachable', field: null })
    await t.advance(60_000)
    const after = await t.call('GET', `/api/v1/vms/${vm.id}`)
    expect(after.status).toBe(200)
    expect(after.body.status).toBe('active')
  })

  it('on an action (vm stop, volume attach): the state does not move', async () => {
    await fresh()
    const env = await environment(t)
    const { body: vm } = await t.call('POST', '/api/v1/vms', { name: 'web', environment_id: env })
    const { body: vol } = await t.call('POST', '/api/v1/volumes', { name: 'data', size_gb: 1 })
    await t.advance(5_000)
    await addFault({ kind: 'vm', operation: 'stop', effect: { error: { status: 409, message: 'stop refused' } } })
    await addFault({ kind: 'volume', operation: 'attach', effect: { error: { status: 503, message: 'attach refused' } } })
    const stop = await t.call('POST', `/api/v1/vms/${vm.id}/stop`)
    expect([stop.status, stop.body.error.message, stop.body.error.code]).toEqual([409, 'stop refused', 'EMU_ERR_INJECTED'])
    const attach = await t.call('POST', `/api/v1/volumes/${vol.id}/attach/${vm.id}`)
    expect([attach.status, attach.body.error.message]).toEqual([503, 'attach refused'])
    // Start is not matched by the stop rule.
    expect((await t.call('POST', `/api/v1/vms/${vm.id}/reboot`)).status).toBe(202)
    await t.advance(5_000)
    expect((await t.call('GET', `/api/v1/vms/${vm.id}`)).body.status).toBe('active')
    const v = (await t.call('GET', `/api/v1/volumes/${vol.id}`)).body
    expect([v.status, v.vm_id]).toEqual(['available', null])
  })
})

describe('which operations a rule matches', () => {
  it('fires on the next `count` matches only, and counts them', async () => {
    await fresh()
    const f = await addFault({ kind: 'environment', operation: 'create', effect: unavailable(), count: 2 })
    const statuses = []
    for (let i = 0; i < 4; i++) statuses.push((await t.call('POST', '/api/v1/environments', { name: `e${i}` })).status)
    expect(statuses).toEqual([503, 503, 201, 201])
    expect(await faultById(f.id)).toMatchObject({ count: 2, remaining: 0, matched: 2, fired: 2 })
  })

  it('fires on a seeded `rate` of matches: exactly the draws of the seed, counted as matched and fired', async () => {
    await fresh({ seed: 'rate-seed' })
    const f = await addFault({ kind: 'environment', operation: 'create', effect: unavailable(), rate: 0.5 })
    const random = new SeededRandom('rate-seed')
    const expected = Array.from({ length: 16 }, (_, i) => (random.float('fault', f.id, i) < 0.5 ? 503 : 201))
    // The seed gives a mix, or this test could not tell a rate from "always" or "never".
    expect(expected).toContain(503)
    expect(expected).toContain(201)
    const statuses = []
    for (let i = 0; i < 16; i++) statuses.push((await t.call('POST', '/api/v1/environments', { name: `e${i}` })).status)
    expect(statuses).toEqual(expected)
    expect(await faultById(f.id)).toMatchObject({ matched: 16, fired: expected.filter((s) => s === 503).length, remaining: null })
  })

  it('matches names with * and ? globs', async () => {
    await fresh()
    const env = await environment(t)
    await addFault({ kind: 'vm', operation: 'create', match: { name: 'web-*' }, effect: unavailable() })
    await addFault({ kind: 'vm', operation: 'create', match: { name: 'db-?' }, effect: unavailable('db down') })
    const status = async (name: string) => (await t.call('POST', '/api/v1/vms', { name, environment_id: env })).status
    expect(await status('web-1')).toBe(503)
    expect(await status('web-frontend-2')).toBe(503)
    expect(await status('web')).toBe(202)
    expect(await status('api-web-1')).toBe(202)
    expect(await status('db-1')).toBe(503)
    expect(await status('db-12')).toBe(202)
    expect(await status('db.1')).toBe(202)
    const [web, db] = (await t.call('GET', '/_mockcloud/faults')).body.items
    expect([web.matched, web.fired, db.matched, db.fired]).toEqual([2, 2, 1, 1])
  })

  it('matches one project only', async () => {
    await fresh()
    await addFault({ kind: 'environment', operation: 'create', match: { project: 'acme' }, effect: unavailable() })
    expect((await t.call('POST', '/api/v1/environments', { name: 'e' }, { 'x-project-id': 'acme' })).status).toBe(503)
    expect((await t.call('POST', '/api/v1/environments', { name: 'e' }, { 'x-project-id': 'other' })).status).toBe(201)
    expect((await t.call('POST', '/api/v1/environments', { name: 'e' })).status).toBe(201)
  })

  it('matches only its kind and operation, unless they are *', async () => {
    await fresh()
    await addFault({ kind: 'volume', operation: 'delete', effect: unavailable() })
    expect((await t.call('POST', '/api/v1/volumes', { name: 'v', size_gb: 1 })).status).toBe(202)
    expect((await t.call('POST', '/api/v1/environments', { name: 'e' })).status).toBe(201)
    await t.call('DELETE', '/_mockcloud/faults')
    await addFault({ kind: '*', operation: 'create', effect: unavailable(), count: 2 })
    expect((await t.call('POST', '/api/v1/dns-records', { name: 'a.example.com', type: 'A', value: '41.100.1.2' })).status).toBe(503)
    expect((await t.call('POST', '/api/v1/containers', { name: 'c', image: 'busybox' })).status).toBe(503)
    expect((await t.call('POST', '/api/v1/containers', { name: 'c', image: 'busybox' })).status).toBe(202)
    const [rule] = (await t.call('GET', '/_mockcloud/faults')).body.items
    expect(rule).toMatchObject({ kind: '*', operation: 'create', fired: 2 })
  })
})

describe('latency, stuck and failing lifecycles', () => {
  it('latency on an asynchronous operation delays its transition by latency_ms', async () => {
    // NOTE: a fixed build time makes the expected moment exact.
    await fresh({ timing: ['vm.create.latency=2s'] })
    const env = await environment(t)
    await addFault({ kind: 'vm', operation: 'create', effect: { latency_ms: 5_000 }, count: 1 })
    const slow = await t.call('POST', '/api/v1/vms', { name: 'slow', environment_id: env })
    expect([slow.status, slow.body.status]).toEqual([202, 'building'])
    const normal = await t.call('POST', '/api/v1/vms', { name: 'normal', environment_id: env })
    await t.advance(2_000)
    expect((await t.call('GET', `/api/v1/vms/${normal.body.id}`)).body.status).toBe('active')
    await t.advance(4_999)
    expect((await t.call('GET', `/api/v1/vms/${slow.body.id}`)).body.status).toBe('building')
    await t.advance(1)
    const active = (await t.call('GET', `/api/v1/vms/${slow.body.id}`)).body
    expect(active.status).toBe('active')
    expect(Date.parse(active.updated_at)).toBe(T0 + 7_000)
  })

  it('latency on an immediate operation holds the answer until the clock has advanced latency_ms', async () => {
    await fresh()
    await addFault({ kind: 'environment', operation: 'create', effect: { latency_ms: 3_000 } })
    const armed = armedAt(t.clock, T0 + 3_000)
    const pending = t.call('POST', '/api/v1/environments', { name: 'slow' })
    await armed
    expect(await settled(pending)).toBe(false)
    await t.clock.advance(2_999)
    expect(await settled(pending)).toBe(false)
    await t.clock.advance(1)
    const res = await pending
    expect(res.status).toBe(201)
    expect(res.body.name).toBe('slow')
  })

  it('latency with an error: the error comes after the wait, and nothing is written', async () => {
    await fresh()
    await addFault({ kind: 'environment', operation: 'create', effect: { latency_ms: 1_000, error: { status: 504, message: 'timed out upstream' } } })
    const before = await stateRows(t)
    const armed = armedAt(t.clock, T0 + 1_000)
    const pending = t.call('POST', '/api/v1/environments', { name: 'slow' })
    await armed
    expect(await settled(pending)).toBe(false)
    await t.clock.advance(1_000)
    const res = await pending
    expect([res.status, res.body.error.code, res.body.error.message]).toEqual([504, 'EMU_ERR_INJECTED', 'timed out upstream'])
    expect(await stateRows(t)).toEqual(before)
  })

  it('stuck: a VM never leaves building, until it is deleted', async () => {
    await fresh()
    const env = await environment(t)
    await addFault({ kind: 'vm', operation: 'create', match: { name: 'stuck-*' }, effect: { stuck: true } })
    const stuck = await t.call('POST', '/api/v1/vms', { name: 'stuck-1', environment_id: env })
    const fine = await t.call('POST', '/api/v1/vms', { name: 'fine', environment_id: env })
    expect(stuck.body.status).toBe('building')
    await t.advance(3_600_000)
    expect((await t.call('GET', `/api/v1/vms/${stuck.body.id}`)).body.status).toBe('building')
    expect((await t.call('GET', `/api/v1/vms/${fine.body.id}`)).body.status).toBe('active')
    expect((await t.call('DELETE', `/api/v1/vms/${stuck.body.id}`)).status).toBe(202)
    await t.advance(60_000)
    expect((await t.call('GET', `/api/v1/vms/${stuck.body.id}`)).status).toBe(404)
  })

  it('stuck on an action: a volume stays attaching', async () => {
    await fresh()
    const env = await environment(t)
    const { body: vm } = await t.call('POST', '/api/v1/vms', { name: 'web', environment_id: env })
    const { body: vol } = await t.call('POST', '/api/v1/volumes', { name: 'data', size_gb: 1 })
    await t.advance(5_000)
    await addFault({ kind: 'volume', operation: 'attach', effect: { stuck: true } })
    expect((await t.call('POST', `/api/v1/volumes/${vol.id}/attach/${vm.id}`)).body.status).toBe('attaching')
    await t.advance(3_600_000)
    expect((await t.call('GET', `/api/v1/volumes/${vol.id}`)).body.status).toBe('attaching')
  })

  it('fail_lifecycle: the build ends in error, at its usual time, naming the rule', async () => {
    await fresh({ timing: ['vm.create.latency=2s'] })
    const env = await environment(t)
    const f = await addFault({ kind: 'vm', operation: 'create', effect: { fail_lifecycle: true }, count: 1 })
    const doomed = await t.call('POST', '/api/v1/vms', { name: 'doomed', environment_id: env })
    expect(doomed.body.status).toBe('building')
    await t.advance(1_999)
    expect((await t.call('GET', `/api/v1/vms/${doomed.body.id}`)).body.status).toBe('building')
    await t.advance(1)
    const failed = (await t.call('GET', `/api/v1/vms/${doomed.body.id}`)).body
    expect(failed.status).toBe('error')
    // NOTE: a rule on the operation fails it in its failure phase, the last one (spawning), as Nova's builds mostly fail.
    expect(failed.error).toBe(`mockcloud: simulated failure of vm create while spawning (fault rule ${f.id})`)
    const next = await t.call('POST', '/api/v1/vms', { name: 'next', environment_id: env })
    await t.advance(2_000)
    expect((await t.call('GET', `/api/v1/vms/${next.body.id}`)).body.status).toBe('active')
  })

  it('fail_lifecycle on an action with latency: a container stop ends in error latency_ms late', async () => {
    await fresh({ timing: ['container.stop.latency=1s'] })
    const { body: c } = await t.call('POST', '/api/v1/containers', { name: 'w', image: 'busybox' })
    await t.advance(10_000)
    await addFault({ kind: 'container', operation: 'stop', effect: { fail_lifecycle: true, latency_ms: 500 } })
    expect((await t.call('POST', `/api/v1/containers/${c.id}/stop`)).body.status).toBe('stopping')
    await t.advance(1_499)
    expect((await t.call('GET', `/api/v1/containers/${c.id}`)).body.status).toBe('stopping')
    await t.advance(1)
    expect((await t.call('GET', `/api/v1/containers/${c.id}`)).body.status).toBe('error')
  })
})

describe('bad rules answer 400 naming the field, and store nothing', () => {
  const ok = { kind: 'vm', operation: 'create', effect: unavailable() }
  const cases: Array<[string, unknown, string, RegExp?]> = [
    ['negative latency', { ...ok, effect: { latency_ms: -1 } }, 'effect.latency_ms', />= 0/],
    ['fractional latency', { ...ok, effect: { latency_ms: 1.5 } }, 'effect.latency_ms', /integer/],
    ['unknown kind', { ...ok, kind: 'spaceship' }, 'kind', /'spaceship' is not a kind/],
    ['unknown operation of the kind', { ...ok, operation: 'attach' }, 'operation', /vm has no operation 'attach'/],
    ['count 0', { ...ok, count: 0 }, 'count', />= 1/],
    ['count fractional', { ...ok, count: 1.5 }, 'count'],
    ['count too large to store', { ...ok, count: 10_000_000_000 }, 'count', /<= 1000000000/],
    ['match on a project no request can name', { ...ok, match: { project: '~shared' } }, 'match.project', /pattern/],
    ['rate above 1', { ...ok, rate: 1.5 }, 'rate', /<= 1/],
    ['rate 0', { ...ok, rate: 0 }, 'rate'],
    ['missing effect', { kind: 'vm', operation: 'create' }, 'effect', /is required/],
    ['empty effect', { ...ok, effect: {} }, 'effect', /error, latency_ms, stuck, fail_lifecycle/],
    ['effect that does nothing', { ...ok, effect: { stuck: false } }, 'effect'],
    ['missing kind', { operation: 'create', effect: unavailable() }, 'kind', /is required/],
    ['missing operation', { kind: 'vm', effect: unavailable() }, 'operation', /is required/],
    ['error status not an error', { ...ok, effect: { error: { status: 200, message: 'x' } } }, 'effect.error.status'],
    ['error without message', { ...ok, effect: { error: { status: 503 } } }, 'effect.error.message', /is required/],
    ['unknown effect', { ...ok, effect: { explode: true } }, 'effect.explode', /not a known field/],
    ['unknown match field', { ...ok, match: { colour: 'red' } }, 'match.colour', /not a known field/],
    ['stuck on an immediate operation', { kind: 'environment', operation: 'create', effect: { stuck: true } }, 'effect.stuck', /immediate/],
    ['fail_lifecycle on an immediate operation', { kind: 'floating-ip', operation: 'attach', effect: { fail_lifecycle: true } }, 'effect.fail_lifecycle', /immediate/],
    ['stuck and an error', { ...ok, effect: { stuck: true, error: { status: 503, message: 'x' } } }, 'effect'],
    ['stuck and fail_lifecycle', { ...ok, effect: { stuck: true, fail_lifecycle: true } }, 'effect'],
    ['kind of the wrong type', { ...ok, kind: 1 }, 'kind', /must be string/],
  ]
  // NOTE: one app for the whole table: a refused rule changes nothing, which each case checks.
  let shared: TestApp
  beforeAll(async () => {
    shared = await testApp()
  })
  afterAll(() => shared.close())

  for (const [name, body, field, message] of cases) {
    it(name, async () => {
      t = shared
      const res = await t.call('POST', '/_mockcloud/faults', body)
      expect(res.status, JSON.stringify(res.body)).toBe(400)
      expect(res.body.error.status).toBe(400)
      expect(res.body.error.code).toBe('EMU_ERR_VALIDATION')
      expect(res.body.error.field).toBe(field)
      expect(res.body.error.message.startsWith(`${field}:`), res.body.error.message).toBe(true)
      if (message) expect(res.body.error.message).toMatch(message)
      // Engine names (latencyMs, failLifecycle) never leak into what the wire says.
      expect(res.body.error.message).not.toMatch(/latencyMs|failLifecycle/)
      expect((await t.call('GET', '/_mockcloud/faults')).body.items).toEqual([])
    })
  }

  it('malformed JSON, a non-object body, bad and unknown ids', async () => {
    await fresh()
    const bad = await t.app.inject({ method: 'POST', url: '/_mockcloud/faults', headers: { 'content-type': 'application/json' }, payload: '{"kind":' })
    expect(bad.statusCode).toBe(400)
    expect(bad.json().error).toMatchObject({ status: 400, code: 'EMU_ERR_VALIDATION', field: 'body' })
    const list = await t.call('POST', '/_mockcloud/faults', [ok])
    expect([list.status, list.body.error.field]).toEqual([400, 'body'])
    const word = await t.call('DELETE', '/_mockcloud/faults/abc')
    expect([word.status, word.body.error.field]).toEqual([400, 'id'])
    const huge = await t.call('DELETE', '/_mockcloud/faults/99999999999999999999')
    expect([huge.status, huge.body.error.field]).toEqual([400, 'id'])
    const missing = await t.call('DELETE', '/_mockcloud/faults/999')
    expect(missing.body).toEqual({ error: { status: 404, code: 'EMU_ERR_NOT_FOUND', message: 'fault rule 999 not found', field: null } })
    const route = await t.call('GET', '/_mockcloud/nothing-here')
    expect(route.body).toEqual({ error: { status: 404, code: 'EMU_ERR_NOT_FOUND', message: expect.stringMatching(/^no route GET \/_mockcloud\/nothing-here; /), field: null } })
  })
})
