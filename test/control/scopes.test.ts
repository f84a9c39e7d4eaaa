import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { environment, testApp, type TestApp } from '../helpers/app.js'

let t: TestApp
beforeEach(async () => {
  t = await testApp({ timing: ['*.*.latency=0'] })
})
afterEach(() => t.close())

const acme = { 'x-project-id': 'acme' }
const globex = { 'x-project-id': 'globex' }

describe('scopes on the control face', () => {
  it('resets one scope by its key, recording each removal in the history; other scopes keep theirs', async () => {
    const env = await environment(t, 'e', acme)
    const vm = (await t.call('POST', '/api/v1/vms', { name: 'web', environment_id: env }, acme)).body
    await environment(t, 'e', globex)
    const before = (await t.call('GET', '/_mockcloud/events/history?limit=1')).body.last_seq
    const res = await t.call('POST', '/_mockcloud/reset', { scope: 'acme' })
    expect(res.body.removed).toBeGreaterThanOrEqual(3)
    expect((await t.call('GET', '/api/v1/vms', undefined, acme)).body.items).toEqual([])
    expect((await t.call('GET', '/api/v1/environments', undefined, globex)).body.items).toHaveLength(1)
    const after = (await t.call('GET', `/_mockcloud/events/history?after=${before}&limit=1000`)).body.items
    expect(after).toHaveLength(res.body.removed)
    expect(after.every((e: any) => e.type === 'deleted' && e.operation === 'reset' && e.project === 'acme')).toBe(true)
    expect(after.find((e: any) => e.resource_id === vm.id)?.resource).toMatchObject({ id: vm.id, name: 'web' })
  })

  it('refuses a scope that is not one, the shared scope, and project with scope, with 400 naming the field', async () => {
    const cases: Array<[unknown, string, RegExp]> = [
      [{ scope: 'cluster:Dev' }, 'scope', /'cluster:Dev' is not a scope/],
      [{ scope: 'team a' }, 'scope', /is not a scope/],
      [{ scope: '~shared' }, 'scope', /kept by every reset/],
      [{ scope: 'acme', project: 'acme' }, 'scope', /project or scope, not both/],
    ]
    for (const [body, field, message] of cases) {
      const res = await t.call('POST', '/_mockcloud/reset', body)
      expect([res.status, res.body.error.field], JSON.stringify(body)).toEqual([400, field])
      expect(res.body.error.message).toMatch(message)
    }
  })

  it('filters the event history and stream by scope', async () => {
    await environment(t, 'a', acme)
    await environment(t, 'g', globex)
    const items = (await t.call('GET', '/_mockcloud/events/history?scope=acme')).body.items
    expect(items.length).toBeGreaterThan(0)
    expect(items.every((e: any) => e.project === 'acme')).toBe(true)
    const bad = await t.call('GET', '/_mockcloud/events/history?scope=cluster:X')
    expect([bad.status, bad.body.error.field]).toEqual([400, 'scope'])
    const stream = await t.call('GET', '/_mockcloud/events?scope=pool:')
    expect([stream.status, stream.body.error.field]).toEqual([400, 'scope'])
  })

  it('takes a fault rule matching a scope and those it holds, and refuses a bad scope', async () => {
    const ok = await t.call('POST', '/_mockcloud/faults', { kind: '*', operation: 'create', match: { scope: 'acme' }, effect: { error: { status: 503, message: 'acme is down' } } })
    expect([ok.status, ok.body.match]).toEqual([201, { scope: 'acme' }])
    expect((await t.call('POST', '/api/v1/environments', { name: 'x' }, acme)).status).toBe(503)
    expect((await t.call('POST', '/api/v1/environments', { name: 'x' }, globex)).status).toBe(201)
    const bad = await t.call('POST', '/_mockcloud/faults', { kind: '*', operation: 'create', match: { scope: 'cluster:dev/a/b' }, effect: { stuck: true } })
    expect([bad.status, bad.body.error.field]).toEqual([400, 'match.scope'])
  })

  it("exports one scope and loads it back in place of that scope only, pending transitions and history going on", async () => {
    await t.close()
    t = await testApp({ timing: ['vm.create.latency=1s'] })
    const env = await environment(t, 'e', acme)
    const vm = (await t.call('POST', '/api/v1/vms', { name: 'web', environment_id: env }, acme)).body
    const other = await environment(t, 'g', globex)
    const snap = (await t.call('GET', '/_mockcloud/snapshot?scope=acme')).body
    expect(snap.scope).toBe('acme')
    expect(new Set(snap.state.resources.map((r: any) => r.project))).toEqual(new Set(['acme']))
    expect([snap.state.faults, snap.state.counters]).toEqual([[], []])
    expect(snap.state.transitions.map((t: any) => t.resource_id)).toEqual([vm.id])

    // acme moves on; globex gets more; then acme goes back to the snapshot.
    await t.advance(5_000)
    expect((await t.call('DELETE', `/api/v1/vms/${vm.id}`, undefined, acme)).status).toBe(202)
    await environment(t, 'g2', globex)
    await t.advance(5_000)
    const mark = (await t.call('GET', '/_mockcloud/events/history?limit=1')).body.last_seq
    const loaded = await t.call('POST', '/_mockcloud/snapshot', snap)
    expect(loaded.status, JSON.stringify(loaded.body)).toBe(200)
    expect(await t.call('GET', `/api/v1/vms/${vm.id}`, undefined, acme)).toMatchObject({ status: 200, body: { status: 'building', phase: 'scheduling' } })
    expect((await t.call('GET', '/api/v1/environments', undefined, globex)).body.items.map((e: any) => e.id)).toContain(other)
    expect((await t.call('GET', '/api/v1/environments', undefined, globex)).body.items).toHaveLength(2)
    const events = (await t.call('GET', `/_mockcloud/events/history?after=${mark}&limit=1000`)).body.items
    const came = events.filter((e: any) => e.type === 'created' && e.operation === 'snapshot')
    expect(came.map((e: any) => e.resource_id)).toContain(vm.id)
    // each loaded resource holds the number of the event that brought it back (a Kubernetes resourceVersion)
    const { engine } = t.app.mockcloud
    for (const e of came) expect((await engine.store.read.getResource(e.resource_id))!.eventSeq).toBe(e.seq)
    await t.advance(5_000)
    expect((await t.call('GET', `/api/v1/vms/${vm.id}`, undefined, acme)).body.status).toBe('active')
  })

  it("refuses a scope's snapshot holding a row of another scope, with 400 naming it, and changes nothing", async () => {
    const env = await environment(t, 'e', acme)
    await environment(t, 'g', globex)
    const whole = (await t.call('GET', '/_mockcloud/snapshot')).body
    const bad = { ...whole, scope: 'acme', state: { ...whole.state, faults: [], counters: [] } }
    const i = bad.state.resources.findIndex((r: any) => r.project !== 'acme')
    const res = await t.call('POST', '/_mockcloud/snapshot', bad)
    expect([res.status, res.body.error.field]).toEqual([400, `state.resources[${i}].project`])
    expect((await t.call('GET', `/api/v1/environments/${env}`, undefined, acme)).status).toBe(200)
    const badScope = await t.call('GET', '/_mockcloud/snapshot?scope=cluster:')
    expect([badScope.status, badScope.body.error.field]).toEqual([400, 'scope'])
  })
})
