import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { environment, T0, testApp, type TestApp } from '../helpers/app.js'
import { listen, openSse, openWs, upgradeRefusal, type SseEvent } from './support.js'

/** The event of creating environment `prod` in the default project at T0. */
function prodCreated(env: string, seq: number) {
  return { seq, at: new Date(T0).toISOString(), project: 'default', kind: 'environment', resource_id: env, name: 'prod', type: 'created', operation: 'create', from_status: null, to_status: 'active', version: 1 }
}

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
    const built = await nextMatching(sse.next, isVm)
    expect(built.event).toBe('changed')
    expect(JSON.parse(built.data!)).toMatchObject({ type: 'changed', from_status: 'building', to_status: 'active', version: 2, at: new Date(T0 + 2_000).toISOString() })
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
    const first = JSON.parse((await sse.next()).data!)
    expect(first).toMatchObject({ project: 'acme', kind: 'vm', resource_id: vm.id, name: 'this', type: 'created' })
    expect(JSON.parse((await sse.next()).data!)).toMatchObject({ resource_id: vm.id, to_status: 'active' })
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
    expect(await acmeVms.next()).toMatchObject({ project: 'acme', kind: 'vm', resource_id: vm.id, type: 'created', to_status: 'building' })
    expect(await acmeVms.next()).toMatchObject({ resource_id: vm.id, type: 'changed', from_status: 'building', to_status: 'active' })
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
