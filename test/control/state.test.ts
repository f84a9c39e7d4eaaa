import { afterEach, describe, expect, it } from 'vitest'
import { PUBLIC_NETWORK_ID } from '../../src/engine/seed.js'
import { SHARED_PROJECT } from '../../src/engine/scope.js'
import { environment, T0, testApp, type TestApp } from '../helpers/app.js'

const apps: TestApp[] = []
afterEach(async () => {
  for (const a of apps.splice(0)) await a.close()
})
async function app(opts: Parameters<typeof testApp>[0] = {}): Promise<TestApp> {
  const a = await testApp(opts)
  apps.push(a)
  return a
}

const COLLECTIONS = ['environments', 'security-groups', 'vms', 'volumes', 'floating-ips', 'dns-records', 'containers'] as const

/** Creates one of everything in a project; returns the VM (still building). */
async function populate(t: TestApp, project: string): Promise<{ vm: any; env: string }> {
  const h = { 'x-project-id': project }
  const env = await environment(t, `${project}-env`, h)
  const post = async (path: string, body: unknown) => {
    const res = await t.call('POST', `/api/v1/${path}`, body, h)
    if (res.status >= 300) throw new Error(`${path}: ${JSON.stringify(res.body)}`)
    return res.body
  }
  await post('security-groups', { name: 'web', rules: [{ direction: 'ingress', protocol: 'tcp', port_range_min: 80 }] })
  const vm = await post('vms', { name: 'web', environment_id: env })
  await post('volumes', { name: 'data', size_gb: 5 })
  await post('floating-ips', {})
  await post('dns-records', { name: `${project}.example.com`, type: 'A', value: '41.100.9.9' })
  await post('containers', { name: 'worker', image: 'busybox' })
  return { vm, env }
}

async function listAll(t: TestApp, project: string): Promise<Record<string, unknown[]>> {
  const out: Record<string, unknown[]> = {}
  for (const c of COLLECTIONS) out[c] = (await t.call('GET', `/api/v1/${c}`, undefined, { 'x-project-id': project })).body.items
  return out
}

async function rows(t: TestApp, table: 'resources' | 'transitions' | 'ip_allocations' | 'events', project?: string): Promise<number> {
  const db = t.app.mockcloud.engine.store.db
  let q = db.selectFrom(table).select((eb) => eb.fn.countAll().as('n'))
  if (project !== undefined && table === 'resources') q = q.where('project', '=', project) as typeof q
  return Number((await q.executeTakeFirstOrThrow()).n)
}

describe('POST /_mockcloud/reset', () => {
  it('forgets every project, its pending transitions, addresses and fault rules, and keeps the seeded defaults and identity', async () => {
    const t = await app()
    // NOTE: the shared scope's flavors, images and public network, and the default domain's accounts.
    const shared = (await rows(t, 'resources', SHARED_PROJECT)) + (await rows(t, 'resources', 'domain:default'))
    expect(await rows(t, 'resources', 'domain:default')).toBeGreaterThan(0)
    const { vm } = await populate(t, 'default')
    await populate(t, 'acme')
    await t.call('POST', '/_mockcloud/faults', { kind: 'vm', operation: 'stop', effect: { stuck: true } })
    const total = await rows(t, 'resources')
    expect(await rows(t, 'transitions')).toBeGreaterThan(0)

    // NOTE: read first, so a server that keeps resources in memory must forget them on reset.
    expect((await t.call('GET', `/api/v1/vms/${vm.id}`)).status).toBe(200)
    const res = await t.call('POST', '/_mockcloud/reset', {})
    expect(res.status).toBe(200)
    expect(res.body).toEqual({ removed: total - shared })
    expect((await t.call('GET', '/_mockcloud/calls')).body.items).toEqual([])
    for (const p of ['default', 'acme']) {
      expect(await listAll(t, p)).toEqual(Object.fromEntries(COLLECTIONS.map((c) => [c, []])))
    }
    expect(await rows(t, 'resources')).toBe(shared)
    expect(await rows(t, 'transitions')).toBe(0)
    expect((await t.call('GET', '/_mockcloud/faults')).body.items).toEqual([])
    expect((await t.call('GET', `/api/v1/vms/${vm.id}`)).status).toBe(404)
    // Nothing that was pending comes back.
    await t.advance(3_600_000)
    expect(await rows(t, 'resources')).toBe(shared)

    // Seeded flavors, images and the public network still work; freed ranges are handed out again.
    const env = await t.call('POST', '/api/v1/environments', { name: 'again' })
    expect(env.body.cidr).toBe('10.0.0.0/16')
    const again = await t.call('POST', '/api/v1/vms', { name: 'again', environment_id: env.body.id, flavor: 'm1.tiny', image: 'debian-12' })
    expect(again.status).toBe(202)
    const fip = await t.call('POST', '/api/v1/floating-ips')
    expect(fip.status).toBe(201)
    expect(fip.body.address).toMatch(/^41\.100\./)
    expect((await t.app.mockcloud.engine.store.read.getResource(PUBLIC_NETWORK_ID))?.name).toBe('public')
  })

  it('with no body at all, resets everything too', async () => {
    const t = await app()
    await populate(t, 'default')
    const res = await t.app.inject({ method: 'POST', url: '/_mockcloud/reset' })
    expect(res.statusCode).toBe(200)
    expect((await listAll(t, 'default'))['vms']).toEqual([])
  })

  it('{project} forgets that project only; others keep their resources, transitions and rules', async () => {
    const t = await app({ timing: ['vm.create.latency=2s'] })
    const { vm: keep } = await populate(t, 'default')
    const { vm: gone } = await populate(t, 'acme')
    await t.call('POST', '/_mockcloud/faults', { kind: 'vm', operation: 'stop', effect: { stuck: true } })
    const before = await listAll(t, 'default')
    const acme = await rows(t, 'resources', 'acme')
    expect(acme).toBeGreaterThan(6)

    expect((await t.call('GET', `/api/v1/vms/${gone.id}`, undefined, { 'x-project-id': 'acme' })).status).toBe(200)
    const res = await t.call('POST', '/_mockcloud/reset', { project: 'acme' })
    expect(res.body).toEqual({ removed: acme })
    expect(await rows(t, 'resources', 'acme')).toBe(0)
    expect(await listAll(t, 'acme')).toEqual(Object.fromEntries(COLLECTIONS.map((c) => [c, []])))
    expect(await listAll(t, 'default')).toEqual(before)
    expect((await t.call('GET', '/_mockcloud/faults')).body.items).toHaveLength(1)
    expect((await t.call('GET', '/_mockcloud/calls?project=acme')).body.items.length).toBeGreaterThan(0)
    await t.advance(2_000)
    expect((await t.call('GET', `/api/v1/vms/${keep.id}`)).body.status).toBe('active')
    expect((await t.call('GET', `/api/v1/vms/${gone.id}`, undefined, { 'x-project-id': 'acme' })).status).toBe(404)
    // acme starts over: its first environment gets the first range again.
    expect((await t.call('POST', '/api/v1/environments', { name: 'e' }, { 'x-project-id': 'acme' })).body.cidr).toBe('10.0.0.0/16')
  })

  it('bad input: 400 naming the field, nothing removed', async () => {
    const t = await app()
    await populate(t, 'default')
    const count = await rows(t, 'resources')
    for (const [body, field] of [
      [{ project: '' }, 'project'],
      // The shared scope holds the seeded flavors, images and public network: no reset removes them.
      [{ project: '~shared' }, 'project'],
      [{ project: 7 }, 'project'],
      [{ projects: ['a'] }, 'projects'],
      [['acme'], 'body'],
      ['everything', 'body'],
    ] as const) {
      const res = await t.call('POST', '/_mockcloud/reset', JSON.stringify(body), { 'content-type': 'application/json' })
      expect(res.status, JSON.stringify(res.body)).toBe(400)
      expect(res.body.error).toMatchObject({ status: 400, code: 'EMU_ERR_VALIDATION', field })
    }
    expect(await rows(t, 'resources')).toBe(count)
  })
})

describe('GET and POST /_mockcloud/snapshot', () => {
  it('exports the whole state with its pending transitions and fault rules', async () => {
    const t = await app({ timing: ['vm.create.latency=2s'] })
    const env = await environment(t)
    const { body: vm } = await t.call('POST', '/api/v1/vms', { name: 'web', environment_id: env })
    await t.call('POST', '/_mockcloud/faults', { kind: 'volume', operation: 'create', effect: { fail_lifecycle: true }, count: 3 })
    await t.advance(500)
    const res = await t.call('GET', '/_mockcloud/snapshot')
    expect(res.status).toBe(200)
    const snap = res.body
    expect(snap).toMatchObject({ format: 'mockcloud-snapshot', version: 1, clock_ms: T0 + 500, taken_at: '2026-01-01T00:00:00.500Z' })
    expect(snap.state.resources).toHaveLength(await rows(t, 'resources'))
    // 500 ms into its 2 s build the VM is networking (200..600 ms; scheduling took 0..200 ms): pending is the end of that phase.
    expect(snap.state.resources.find((r: { id: string }) => r.id === vm.id)).toMatchObject({ kind: 'compute.server', project: 'default', name: 'web', status: 'building', phase: 'networking', version: 2 })
    expect(snap.state.transitions).toEqual([
      expect.objectContaining({ resource_id: vm.id, operation: 'create', due_at: T0 + 600, expected_version: 2, outcome: 'complete', detail: { phase: 'networking', plan: [[200, 0], [1_200, 0]] } }),
    ])
    expect(snap.state.faults).toEqual([expect.objectContaining({ kind: 'volume.volume', operation: 'create', remaining: 3, matched: 0, fired: 0 })])
    expect(snap.state.ip_allocations.some((a: { owner_id: string; address: string }) => a.address === vm.ip_address)).toBe(true)
    expect(snap.state.id_counter).toBeGreaterThan(0)
  })

  it('loads into a fresh server: same resources, same time left on pending transitions, same rules', async () => {
    const source = await app({ seed: 'snap', timing: ['vm.create.latency=2s', 'volume.create.latency=10s'] })
    const env = await environment(source)
    const { body: vm } = await source.call('POST', '/api/v1/vms', { name: 'web', environment_id: env })
    await source.call('POST', '/_mockcloud/faults', { kind: 'environment', operation: 'create', effect: { error: { status: 503, message: 'no' } }, count: 2 })
    expect((await source.call('POST', '/api/v1/environments', { name: 'x' })).status).toBe(503)
    await source.advance(1_000)
    const { body: vol } = await source.call('POST', '/api/v1/volumes', { name: 'data', size_gb: 5 })
    const snap = (await source.call('GET', '/_mockcloud/snapshot')).body
    const lists = await listAll(source, 'default')

    // A different server an hour later in emulated time, with state of its own that the snapshot replaces.
    const target = await app({ seed: 'other', start: T0 + 3_600_000, timing: ['vm.create.latency=2s', 'volume.create.latency=10s'] })
    const { body: mine } = await target.call('POST', '/api/v1/environments', { name: 'mine' })
    expect((await target.call('GET', `/api/v1/environments/${mine.id}`)).status).toBe(200)
    const loaded = await target.call('POST', '/_mockcloud/snapshot', snap)
    expect(loaded.status).toBe(200)
    expect(loaded.body).toEqual({ resources: snap.state.resources.length, transitions: 2 })
    expect(await listAll(target, 'default')).toEqual(lists)
    expect((await target.call('GET', `/api/v1/environments/${mine.id}`)).status).toBe(404)

    // The VM had 1 s of its build left, the volume 10 s: so it is, counted from the import.
    await target.advance(999)
    expect((await target.call('GET', `/api/v1/vms/${vm.id}`)).body.status).toBe('building')
    await target.advance(1)
    const active = (await target.call('GET', `/api/v1/vms/${vm.id}`)).body
    expect(active.status).toBe('active')
    expect(Date.parse(active.updated_at)).toBe(T0 + 3_600_000 + 1_000)
    await target.advance(8_999)
    expect((await target.call('GET', `/api/v1/volumes/${vol.id}`)).body.status).toBe('creating')
    await target.advance(1)
    expect((await target.call('GET', `/api/v1/volumes/${vol.id}`)).body.status).toBe('available')

    // The rule carried its counts: one firing left.
    expect((await target.call('GET', '/_mockcloud/faults')).body.items[0]).toMatchObject({ kind: 'environment', remaining: 1, fired: 1 })
    expect((await target.call('POST', '/api/v1/environments', { name: 'y' })).status).toBe(503)
    expect((await target.call('POST', '/api/v1/environments', { name: 'y' })).status).toBe(201)
    // New rows carry on past the loaded ones.
    expect((await target.call('POST', '/_mockcloud/faults', { kind: 'vm', operation: 'create', effect: { stuck: true } })).body.id).toBe(2)
  })

  it('IPAM and ids carry on after an import: no address or id is handed out twice', async () => {
    const source = await app({ seed: 'ipam' })
    const { body: env } = await source.call('POST', '/api/v1/environments', { name: 'tiny', cidr: '10.9.0.0/29' })
    const before = []
    for (let i = 0; i < 3; i++) before.push((await source.call('POST', '/api/v1/vms', { name: `vm${i}`, environment_id: env.id })).body)
    const snap = (await source.call('GET', '/_mockcloud/snapshot')).body

    // Same seed: a server that forgot its counters would draw the same ids and addresses again.
    const target = await app({ seed: 'ipam' })
    expect((await target.call('POST', '/_mockcloud/snapshot', snap)).status).toBe(200)
    const after = []
    for (let i = 3; i < 5; i++) {
      const res = await target.call('POST', '/api/v1/vms', { name: `vm${i}`, environment_id: env.id })
      expect(res.status, JSON.stringify(res.body)).toBe(202)
      after.push(res.body)
    }
    // A /29 has 5 usable addresses (.2 to .6): all five are used, each once.
    const addresses = [...before, ...after].map((v) => v.ip_address).sort()
    expect(addresses).toEqual(['10.9.0.2', '10.9.0.3', '10.9.0.4', '10.9.0.5', '10.9.0.6'])
    const ids = new Set([...before, ...after].map((v) => v.id))
    expect(ids.size).toBe(5)
    const full = await target.call('POST', '/api/v1/vms', { name: 'one-too-many', environment_id: env.id })
    expect(full.status).toBe(409)
    expect(full.body.error.code).toBe('EMU_ERR_EXHAUSTED')
    // The project's next environment skips the range the snapshot's environment holds.
    expect((await target.call('POST', '/api/v1/environments', { name: 'next' })).body.cidr).toBe('10.0.0.0/16')
    expect((await target.call('POST', '/api/v1/environments', { name: 'next', cidr: '10.9.0.0/29' })).status).toBe(409)
  })

  it('refuses a malformed snapshot with 400 naming the field, and keeps the current state', async () => {
    const t = await app()
    const env = await environment(t)
    const good = (await t.call('GET', '/_mockcloud/snapshot')).body
    const cases: Array<[unknown, string]> = [
      [{}, 'format'],
      [{ ...good, format: 'something-else' }, 'format'],
      [{ ...good, version: 2 }, 'version'],
      [{ ...good, state: { ...good.state, resources: [{ ...good.state.resources[0], status: '' }] } }, 'state.resources[0].status'],
      [{ ...good, state: { ...good.state, transitions: [{ id: 1 }] } }, 'state.transitions[0].resource_id'],
      [{ ...good, state: { ...good.state, extra: [] } }, 'state.extra'],
      // Numbers past what a store column holds are refused up front, not by the store.
      [{ ...good, state: { ...good.state, resources: [{ ...good.state.resources[0], version: 2 ** 31 }] } }, 'state.resources[0].version'],
      [{ ...good, state: { ...good.state, id_counter: 2 ** 60 } }, 'state.id_counter'],
    ]
    for (const [body, field] of cases) {
      const res = await t.call('POST', '/_mockcloud/snapshot', body)
      expect(res.status, JSON.stringify(res.body)).toBe(400)
      expect(res.body.error).toMatchObject({ status: 400, code: 'EMU_ERR_VALIDATION', field })
    }
    expect((await t.call('GET', `/api/v1/environments/${env}`)).status).toBe(200)
  })

  it('a snapshot whose rows contradict each other is refused as a whole, naming the row, never a 500', async () => {
    const t = await app()
    const env = await environment(t)
    const good = (await t.call('GET', '/_mockcloud/snapshot')).body
    const [first] = good.state.resources
    const netAt = good.state.resources.findIndex((r: { id: string }) => r.id === env)
    const transition = { id: 1, resource_id: first.id, operation: 'create', due_at: T0, expected_version: 1, outcome: 'complete', detail: null, created_at: T0 }
    const fault = { id: 1, kind: 'compute.server', operation: 'create', rule: { match: {} }, remaining: null, matched: 0, fired: 0, created_at: T0 }
    const withState = (change: Record<string, unknown>) => ({ ...good, state: { ...good.state, ...change } })
    const cases: Array<[unknown, string, RegExp]> = [
      [withState({ resources: [...good.state.resources, first] }), 'state.resources', /appears twice/],
      [withState({ resources: [{ ...first, kind: 'compute.spaceship' }] }), 'state.resources[0].kind', /not a kind/],
      [withState({ resources: [{ ...first, status: 'melting' }] }), 'state.resources[0].status', /not a state/],
      [withState({ transitions: [{ ...transition, resource_id: 'nobody' }] }), 'state.transitions[0].resource_id', /no resource 'nobody'/],
      [withState({ transitions: [{ ...transition, operation: 'explode' }] }), 'state.transitions[0].operation', /no operation 'explode'/],
      [withState({ transitions: [transition, transition] }), 'state.transitions', /appears twice/],
      [withState({ ip_allocations: [...good.state.ip_allocations, good.state.ip_allocations[0]] }), 'state.ip_allocations', /appears twice/],
      [withState({ faults: [fault] }), 'state.faults[0].rule.effect', /is required/],
      [withState({ faults: [{ ...fault, kind: 'nope', rule: { effect: { stuck: true } } }] }), 'state.faults[0].kind', /not a kind/],
      [withState({ resources: good.state.resources.map((r: any) => (r.id === env ? { ...r, data: { ...r.data, mtu: 'big' } } : r)) }), `state.resources[${netAt}].data.mtu`, /must be integer \(network.network data\)/],
      [withState({ resources: good.state.resources.map((r: any) => (r.id === env ? { ...r, data: { ...r.data, cidr: undefined } } : r)) }), `state.resources[${netAt}].data`, /cidr/],
    ]
    for (const [body, field, message] of cases) {
      const res = await t.call('POST', '/_mockcloud/snapshot', body)
      expect(res.status, JSON.stringify(res.body)).toBe(400)
      expect(res.body.error).toMatchObject({ status: 400, code: 'EMU_ERR_VALIDATION', field })
      expect(res.body.error.message).toMatch(message)
    }
    expect((await t.call('GET', `/api/v1/environments/${env}`)).status).toBe(200)
    expect((await t.call('GET', '/_mockcloud/snapshot')).body.state).toEqual(good.state)
  })
})
