import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { environment, T0, testApp, type TestApp } from '../helpers/app.js'
import { listen, openSse, openWs, upgradeRefusal, type SseEvent } from './support.js'

/** The event of creating environment `prod` in the default project at T0. */
function prodCreated(env: string, seq: number) {
  const at = new Date(T0).toISOString()
  return {
    seq,
    at,
    project: 'default',
    kind: 'environment',
    resource_id: env,
    name: 'prod',
    type: 'created',
    operation: 'create',
    from_status: null,
    to_status: 'active',
    version: 1,
    resource: { id: env, kind: 'environment', project: 'default', name: 'prod', status: 'active', phase: null, parent_id: null, version: 1, data: expect.objectContaining({ cidr: expect.any(String) }), created_at: at, updated_at: at },
  }
}

/**
 * The events of one VM build, as [type, to_status, phase]: created in its
 * first phase (scheduling), a change into each next phase (still building),
 * then active, out of any phase.
 */
const BUILD = [
  ['created', 'building', 'scheduling'],
  ['changed', 'building', 'networking'],
  ['changed', 'building', 'block_device_mapping'],
  ['changed', 'building', 'spawning'],
  ['changed', 'active', null],
]
const step = (e: any) => [e.type, e.to_status, e.resource.phase]

let t: TestApp
let base: string
const cleanups: Array<() => void> = []
beforeEach(async () => {
  t = await testApp({ timing: ['vm.create.latency=2s'] })
  base = await listen(t)
})
afterEach(async () => {
  for (const c of cleanups.splice(0)) c()
  await t.close()
})

/** The next event of a stream that satisfies `pred`, skipping others. */
async function nextMatching<T>(next: () => Promise<T>, pred: (e: T) => boolean): Promise<T> {
  for (;;) {
    const e = await next()
    if (pred(e)) return e
  }
}

/** The events of a stream up to and including the one a build ends with (to_status no longer building); none skipped. */
async function throughBuild(next: () => Promise<any>): Promise<any[]> {
  const events = []
  for (;;) {
    const e = await next()
    events.push(e)
    if (e.to_status !== 'building') return events
  }
}

/** An SSE stream's next event, its data parsed. */
const dataOf = (sse: { next(): Promise<SseEvent> }) => async () => JSON.parse((await sse.next()).data!)

describe('GET /_mockcloud/events (server-sent events)', () => {
  it('streams every state change as it commits, with its seq as the event id', async () => {
    const sse = await openSse(`${base}/_mockcloud/events`)
    cleanups.push(sse.close)
    expect(sse.status).toBe(200)
    expect(sse.contentType).toBe('text/event-stream')

    const env = await environment(t, 'prod')
    const envCreated = await nextMatching(sse.next, (e) => JSON.parse(e.data!).resource_id === env)
    const data = JSON.parse(envCreated.data!)
    expect(data).toEqual(prodCreated(env, data.seq))
    expect(envCreated).toMatchObject({ id: String(data.seq), event: 'created' })

    const { body: vm } = await t.call('POST', '/api/v1/vms', { name: 'web', environment_id: env })
    const isVm = (e: SseEvent) => JSON.parse(e.data!).resource_id === vm.id
    expect(JSON.parse((await nextMatching(sse.next, isVm)).data!)).toMatchObject({ kind: 'vm', type: 'created', to_status: 'building' })
    await t.advance(2_000)
    // The build passes through its phases (200, 400, 200 and 1200 ms of the 2 s), each a change that stays building.
    for (const [phase, version, ms] of [['networking', 2, 200], ['block_device_mapping', 3, 600], ['spawning', 4, 800]] as const) {
      const moved = await nextMatching(sse.next, isVm)
      expect(moved).toMatchObject({ id: String(JSON.parse(moved.data!).seq), event: 'changed' })
      expect(JSON.parse(moved.data!)).toMatchObject({ type: 'changed', operation: 'create', from_status: 'building', to_status: 'building', version, at: new Date(T0 + ms).toISOString(), resource: { status: 'building', phase, version } })
    }
    const built = await nextMatching(sse.next, isVm)
    expect(built.event).toBe('changed')
    expect(JSON.parse(built.data!)).toMatchObject({ type: 'changed', operation: 'create', from_status: 'building', to_status: 'active', version: 5, at: new Date(T0 + 2_000).toISOString(), resource: { status: 'active', phase: null } })
    await t.call('DELETE', `/api/v1/vms/${vm.id}`)
    await t.advance(60_000)
    expect(JSON.parse((await nextMatching(sse.next, isVm)).data!)).toMatchObject({ type: 'changed', to_status: 'deleting' })
    const gone = await nextMatching(sse.next, isVm)
    expect(gone.event).toBe('deleted')
    expect(JSON.parse(gone.data!)).toMatchObject({ type: 'deleted', from_status: 'deleting', to_status: null })
  })

  it('sends the events in commit order, seq increasing', async () => {
    const events = async () => Number((await t.app.mockcloud.engine.store.db.selectFrom('events').select((eb) => eb.fn.countAll().as('n')).executeTakeFirstOrThrow()).n)
    const seeded = await events()
    const sse = await openSse(`${base}/_mockcloud/events`)
    cleanups.push(sse.close)
    const env = await environment(t)
    for (let i = 0; i < 3; i++) await t.call('POST', '/api/v1/vms', { name: `vm${i}`, environment_id: env })
    await t.advance(2_000)
    const count = (await events()) - seeded
    expect(count).toBeGreaterThan(10)
    const seqs = []
    for (let i = 0; i < count; i++) seqs.push(Number((await sse.next()).id))
    expect(seqs).toEqual([...seqs].sort((a, b) => a - b))
    expect(new Set(seqs).size).toBe(count)
  })

  it('filters by project and kind', async () => {
    const sse = await openSse(`${base}/_mockcloud/events?project=acme&kind=vm`)
    cleanups.push(sse.close)
    const mine = await environment(t, 'mine')
    const theirs = await environment(t, 'theirs', { 'x-project-id': 'acme' })
    await t.call('POST', '/api/v1/vms', { name: 'not-this', environment_id: mine })
    await t.call('POST', '/api/v1/volumes', { name: 'nor-this', size_gb: 1 }, { 'x-project-id': 'acme' })
    const { body: vm } = await t.call('POST', '/api/v1/vms', { name: 'this', environment_id: theirs }, { 'x-project-id': 'acme' })
    await t.advance(2_000)
    const events = await throughBuild(dataOf(sse))
    expect(events[0]).toMatchObject({ project: 'acme', kind: 'vm', resource_id: vm.id, name: 'this', type: 'created' })
    // Nothing else in between: every event until the build ends is this VM's.
    for (const e of events) expect(e).toMatchObject({ project: 'acme', kind: 'vm', resource_id: vm.id })
    expect(events.map(step)).toEqual(BUILD)
  })

  it('accepts any name of a kind (server, instance) and answers 400 for an unknown one', async () => {
    const sse = await openSse(`${base}/_mockcloud/events?kind=server`)
    cleanups.push(sse.close)
    await environment(t)
    const { body: vm } = await t.call('POST', '/api/v1/vms', { name: 'web', environment_id: await environment(t, 'two') })
    expect(JSON.parse((await sse.next()).data!)).toMatchObject({ kind: 'vm', resource_id: vm.id })

    const bad = await t.call('GET', '/_mockcloud/events?kind=spaceship')
    expect(bad.status).toBe(400)
    expect(bad.body.error).toMatchObject({ status: 400, code: 'EMU_ERR_VALIDATION', field: 'kind' })
    const unknown = await t.call('GET', '/_mockcloud/events?colour=red')
    expect(unknown.body.error).toMatchObject({ status: 400, field: 'colour' })
  })

  it('a stream the client drops is unsubscribed; closing the server ends the open ones', async () => {
    const bus = t.app.mockcloud.engine.bus
    const subscribe = bus.subscribe.bind(bus)
    let live = 0
    bus.subscribe = (fn) => {
      live++
      const off = subscribe(fn)
      return () => {
        live--
        off()
      }
    }
    const dropped = await openSse(`${base}/_mockcloud/events`)
    const open = await openSse(`${base}/_mockcloud/events`)
    cleanups.push(open.close)
    expect(live).toBe(2)
    dropped.close()
    await environment(t)
    expect(JSON.parse((await open.next()).data!).type).toBe('created')
    // The server learns of the drop when the socket closes, a moment later.
    for (let i = 0; i < 200 && live > 1; i++) await new Promise((r) => setTimeout(r, 10))
    expect(live).toBe(1)

    const ended = open.body()
    const closing = t.close()
    const hung = new Promise((r) => setTimeout(() => r('hung'), 3_000))
    expect(await Promise.race([closing.then(() => 'closed'), hung])).toBe('closed')
    await ended
    expect(live).toBe(0)
    t = await testApp()
  })
})

describe('replaying the history: ?after=, Last-Event-ID, /_mockcloud/events/history', () => {
  /** Creates a VM and builds it: the events of BUILD. */
  async function builtVm(env: string, name: string): Promise<string> {
    const { body: vm } = await t.call('POST', '/api/v1/vms', { name, environment_id: env })
    await t.advance(2_000)
    return vm.id
  }
  const latest = async () => (await t.call('GET', '/_mockcloud/events/history?limit=1')).body.last_seq as number

  it('an SSE stream with ?after=N first sends every event after N, then follows live, each once and in order', async () => {
    const env = await environment(t, 'prod')
    const mark = await latest()
    const web = await builtVm(env, 'web')
    const sse = await openSse(`${base}/_mockcloud/events?after=${mark}&kind=vm`)
    cleanups.push(sse.close)
    const replayed = await throughBuild(dataOf(sse))
    expect(replayed.map((e) => [e.resource_id, ...step(e)])).toEqual(BUILD.map((s) => [web, ...s]))
    expect(replayed.at(-1).resource).toMatchObject({ id: web, kind: 'vm', name: 'web', status: 'active', phase: null, version: 5, data: expect.objectContaining({ flavorId: expect.any(String) }) })
    const db = await builtVm(env, 'db')
    const live = await throughBuild(dataOf(sse))
    expect(live.map((e) => [e.resource_id, ...step(e)])).toEqual(BUILD.map((s) => [db, ...s]))
    const seqs = [...replayed, ...live].map((e) => e.seq)
    expect(seqs).toEqual([...seqs].sort((a, b) => a - b))
    expect(seqs[0]).toBeGreaterThan(mark)
  })

  it('a client reconnecting with Last-Event-ID misses nothing that happened while it was away', async () => {
    const env = await environment(t, 'prod')
    const first = await openSse(`${base}/_mockcloud/events?kind=vm`)
    const web = await builtVm(env, 'web')
    // The client saw the build to its end (through its phases), then went away.
    let seen: SseEvent
    do seen = await first.next()
    while (JSON.parse(seen.data!).to_status === 'building')
    first.close()
    const away = await builtVm(env, 'away')
    const again = await openSse(`${base}/_mockcloud/events?kind=vm`, { 'last-event-id': seen.id! })
    cleanups.push(again.close)
    expect(JSON.parse(seen.data!)).toMatchObject({ resource_id: web, to_status: 'active' })
    const missed = await throughBuild(dataOf(again))
    expect(missed.map((e) => [e.resource_id, ...step(e)])).toEqual(BUILD.map((s) => [away, ...s]))
  })

  it('each resource holds the number of the last event that changed it (what a Kubernetes face shows as resourceVersion)', async () => {
    const { engine } = t.app.mockcloud
    const env = await environment(t, 'prod')
    const created = await engine.create('default', 'compute.server', { name: 'web', networkId: env })
    const history = async () => (await t.call('GET', '/_mockcloud/events/history?kind=vm&limit=100')).body.items.filter((e: any) => e.resource_id === created.id)
    const [first] = await history()
    expect(created.eventSeq).toBe(first.seq)
    expect((await engine.get('default', 'compute.server', created.id)).eventSeq).toBe(first.seq)
    await t.advance(2_000)
    const all = await history()
    expect(all.map(step)).toEqual(BUILD)
    const built = all.at(-1)
    expect(built).toMatchObject({ to_status: 'active', version: 5 })
    expect((await engine.get('default', 'compute.server', created.id)).eventSeq).toBe(built.seq)
  })

  it('a WebSocket with ?after=N replays too', async () => {
    const env = await environment(t, 'prod')
    const mark = await latest()
    const web = await builtVm(env, 'web')
    const ws = await openWs(`${base.replace(/^http/, 'ws')}/_mockcloud/events/ws?after=${mark}&kind=vm`)
    cleanups.push(ws.close)
    const replayed = await throughBuild(() => ws.next())
    expect(replayed.map((e) => [e.resource_id, ...step(e)])).toEqual(BUILD.map((s) => [web, ...s]))
    expect(replayed[0].seq).toBeGreaterThan(mark)
  })

  it('pages through the kept history as JSON, filtered, with where to follow on from', async () => {
    const env = await environment(t, 'prod')
    const mark = await latest()
    const ids = [await builtVm(env, 'a'), await builtVm(env, 'b')]
    const page = async (after: number) => (await t.call('GET', `/_mockcloud/events/history?after=${after}&kind=vm&limit=3`)).body
    const row = (e: any) => [e.resource_id, e.to_status, e.resource.phase]
    // Each build is 5 events (BUILD): 10 in all, in pages of 3.
    const page1 = await page(mark)
    expect(page1.items.map(row)).toEqual([
      [ids[0], 'building', 'scheduling'],
      [ids[0], 'building', 'networking'],
      [ids[0], 'building', 'block_device_mapping'],
    ])
    expect(page1.last_seq).toBe(await latest())
    expect(page1.floor).toBe(0)
    const page2 = await page(page1.next_after)
    expect(page2.items.map(row)).toEqual([
      [ids[0], 'building', 'spawning'],
      [ids[0], 'active', null],
      [ids[1], 'building', 'scheduling'],
    ])
    const page3 = await page(page2.next_after)
    expect(page3.items.map(row)).toEqual([
      [ids[1], 'building', 'networking'],
      [ids[1], 'building', 'block_device_mapping'],
      [ids[1], 'building', 'spawning'],
    ])
    const page4 = await page(page3.next_after)
    expect(page4.items.map(row)).toEqual([[ids[1], 'active', null]])
    expect(page4.next_after).toBeNull()
  })

  it('a number the history no longer reaches is 410 Gone, one not yet handed out is 400; both name after', async () => {
    await t.close()
    t = await testApp({ timing: ['vm.create.latency=2s'], eventRetention: 5 })
    base = await listen(t)
    const env = await environment(t, 'prod')
    for (let i = 0; i < 4; i++) await builtVm(env, `vm${i}`)
    const { last_seq, floor, items } = (await t.call('GET', '/_mockcloud/events/history?limit=1000')).body
    expect(floor).toBeGreaterThan(0)
    expect(items[0].seq).toBe(floor + 1)
    expect(items.length).toBeLessThanOrEqual(5 + 1)
    for (const url of [`/_mockcloud/events?after=${floor - 1}`, `/_mockcloud/events/history?after=${floor - 1}`]) {
      const gone = await t.call('GET', url)
      expect(gone.status, url).toBe(410)
      expect(gone.body.error).toMatchObject({ status: 410, code: 'EMU_ERR_GONE', field: 'after', message: expect.stringMatching(/too old; the history now starts after event/) })
    }
    const ws = await upgradeRefusal(`${base}/_mockcloud/events/ws?after=0`)
    expect([ws.status, ws.body.error.code]).toEqual([410, 'EMU_ERR_GONE'])
    const sse = await openSse(`${base}/_mockcloud/events`, { 'last-event-id': String(floor - 1) })
    expect(sse.status).toBe(410)
    const ahead = await t.call('GET', `/_mockcloud/events?after=${last_seq + 1}`)
    expect([ahead.status, ahead.body.error.field]).toEqual([400, 'after'])
    const junk = await openSse(`${base}/_mockcloud/events`, { 'last-event-id': 'yesterday' })
    expect(junk.status).toBe(400)
    expect(JSON.parse(await junk.body()).error.field).toBe('Last-Event-ID')
  })
})

describe('GET /_mockcloud/events/ws (WebSocket)', () => {
  it('sends each state change as one JSON message, with the same filters', async () => {
    const wsBase = base.replace(/^http/, 'ws')
    const all = await openWs(`${wsBase}/_mockcloud/events/ws`)
    const acmeVms = await openWs(`${wsBase}/_mockcloud/events/ws?project=acme&kind=vm`)
    cleanups.push(all.close, acmeVms.close)

    const env = await environment(t, 'prod')
    const first = await all.next()
    expect(first).toEqual(prodCreated(env, first.seq))

    const theirs = await environment(t, 'theirs', { 'x-project-id': 'acme' })
    await t.call('POST', '/api/v1/vms', { name: 'not-this', environment_id: env })
    const { body: vm } = await t.call('POST', '/api/v1/vms', { name: 'this', environment_id: theirs }, { 'x-project-id': 'acme' })
    await t.advance(2_000)
    const events = await throughBuild(() => acmeVms.next())
    expect(events[0]).toMatchObject({ project: 'acme', kind: 'vm', resource_id: vm.id, type: 'created', to_status: 'building' })
    // Nothing else in between: every event until the build ends is this VM's.
    for (const e of events) expect(e).toMatchObject({ project: 'acme', kind: 'vm', resource_id: vm.id })
    expect(events.map(step)).toEqual(BUILD)
    expect(events.at(-1)).toMatchObject({ type: 'changed', from_status: 'building', to_status: 'active' })
  })

  it('refuses bad filters with 400 before upgrading', async () => {
    const err = await openWs(`${base.replace(/^http/, 'ws')}/_mockcloud/events/ws?kind=spaceship`).then(
      () => undefined,
      (e: { status?: number }) => e,
    )
    expect(err?.status).toBe(400)
    const res = await upgradeRefusal(`${base}/_mockcloud/events/ws?kind=spaceship`)
    expect(res.status).toBe(400)
    expect(res.body.error).toMatchObject({ status: 400, code: 'EMU_ERR_VALIDATION', field: 'kind' })
    const unknown = await upgradeRefusal(`${base}/_mockcloud/events/ws?colour=red`)
    expect([unknown.status, unknown.body.error.field]).toEqual([400, 'colour'])
  })
})
