import { afterEach, describe, expect, it } from 'vitest'
import { environment, T0, testApp, type TestApp } from '../helpers/app.js'

let t: TestApp
afterEach(() => t.close())

const BUILD_PHASES = ['scheduling', 'networking', 'block_device_mapping', 'spawning'] as const

/** The VM's changes as the event history holds them: [emulated ms since T0, status, phase]. */
async function steps(id: string): Promise<Array<[number, string | null, string | null]>> {
  const items = (await t.call('GET', '/_mockcloud/events/history?kind=vm&limit=1000')).body.items as any[]
  return items.filter((e) => e.resource_id === id).map((e) => [Date.parse(e.at) - T0, e.to_status, e.resource?.phase ?? null])
}

/** How long each phase lasted, from the steps: { scheduling: 180, ... }. */
function durations(s: Array<[number, string | null, string | null]>): Record<string, number> {
  const out: Record<string, number> = {}
  for (let i = 0; i + 1 < s.length; i++) if (s[i]![2]) out[s[i]![2]!] = s[i + 1]![0] - s[i]![0]
  return out
}

async function createVm(name = 'web'): Promise<any> {
  const env = await environment(t, `env-${name}`)
  const res = await t.call('POST', '/api/v1/vms', { name, environment_id: env })
  expect(res.status, JSON.stringify(res.body)).toBe(202)
  return res.body
}

async function vm(id: string): Promise<any> {
  return (await t.call('GET', `/api/v1/vms/${id}`)).body
}

describe('phases of an operation, declared as data', () => {
  it('a build passes through Nova-like phases, each shown while it lasts and taking its share of the build', async () => {
    t = await testApp({ seed: 'phases' })
    const created = await createVm()
    expect([created.status, created.phase]).toEqual(['building', 'scheduling'])
    const seen = [created.phase]
    for (let ms = 0; ms < 3_000; ms += 50) {
      await t.advance(50)
      const now = await vm(created.id)
      if (now.phase !== seen[seen.length - 1] && now.phase !== null) seen.push(now.phase)
      if (now.status === 'active') break
    }
    expect(seen).toEqual([...BUILD_PHASES])
    expect(await vm(created.id)).toMatchObject({ status: 'active', phase: null })

    const s = await steps(created.id)
    expect(s.map(([, status, phase]) => [status, phase])).toEqual([...BUILD_PHASES.map((p) => ['building', p]), ['active', null]])
    const d = durations(s)
    // NOTE: the fast profile's 1.5-2.5 s build, shared 10/20/10/60 %.
    expect(d['scheduling']).toBeGreaterThanOrEqual(150)
    expect(d['scheduling']).toBeLessThanOrEqual(250)
    expect(d['networking']).toBeGreaterThanOrEqual(300)
    expect(d['networking']).toBeLessThanOrEqual(500)
    expect(d['block_device_mapping']).toBeGreaterThanOrEqual(150)
    expect(d['block_device_mapping']).toBeLessThanOrEqual(250)
    expect(d['spawning']).toBeGreaterThanOrEqual(900)
    expect(d['spawning']).toBeLessThanOrEqual(1_500)
  })

  it('the same seed gives the same phase timings; another seed, others', async () => {
    const run = async (seed: string) => {
      t = await testApp({ seed })
      const v = await createVm()
      await t.advance(5_000)
      const d = durations(await steps(v.id))
      await t.close()
      return d
    }
    const a = await run('same')
    expect(await run('same')).toEqual(a)
    expect(await run('other')).not.toEqual(a)
    t = await testApp()
  })

  it('a run that comes late (a large clock step) applies every phase at its own time, in order', async () => {
    t = await testApp({ seed: 'late', timing: ['vm.create.latency=4s'] })
    const v = await createVm()
    await t.advance(60_000)
    const s = await steps(v.id)
    expect(s.map((x) => x[0])).toEqual([0, 400, 1_200, 1_600, 4_000])
    expect((await vm(v.id)).updated_at).toBe(new Date(T0 + 4_000).toISOString())
  })

  it('the instant profile answers create with the VM active, its phases in the history at that instant', async () => {
    t = await testApp({ profile: 'instant' })
    const v = await createVm()
    expect([v.status, v.phase]).toEqual(['active', null])
    expect(await steps(v.id)).toEqual([...BUILD_PHASES.map((p) => [0, 'building', p]), [0, 'active', null]])
  })

  it('a phase takes its own latency when one is set (vm.create.spawning.latency), the others keep their share', async () => {
    t = await testApp({ timing: ['vm.create.latency=1s', 'vm.create.spawning.latency=10s'] })
    const v = await createVm()
    await t.advance(20_000)
    expect(durations(await steps(v.id))).toEqual({ scheduling: 100, networking: 200, block_device_mapping: 100, spawning: 10_000 })
  })

  it("the operation's failure rate fails a build while spawning; a phase's own fails it there and it goes no further", async () => {
    t = await testApp({ timing: ['vm.create.latency=1s', 'vm.create.failureRate=1'] })
    const a = await createVm('a')
    await t.advance(2_000)
    expect(await vm(a.id)).toMatchObject({ status: 'error', phase: null, error: 'mockcloud: simulated failure of vm create while spawning' })
    expect((await steps(a.id)).map((x) => x[2])).toEqual([...BUILD_PHASES, null])
    await t.close()

    t = await testApp({ timing: ['vm.create.latency=1s', 'vm.create.networking.failureRate=1'] })
    const b = await createVm('b')
    await t.advance(2_000)
    expect(await vm(b.id)).toMatchObject({ status: 'error', error: 'mockcloud: simulated failure of vm create while networking' })
    expect(await steps(b.id)).toEqual([
      [0, 'building', 'scheduling'],
      [100, 'building', 'networking'],
      [300, 'error', null],
    ])
  })

  it('a rename while the VM builds keeps its phase and its build going', async () => {
    t = await testApp({ timing: ['vm.create.latency=1s'] })
    const v = await createVm()
    await t.advance(150)
    expect((await vm(v.id)).phase).toBe('networking')
    const renamed = await t.call('PATCH', `/api/v1/vms/${v.id}`, { name: 'web-2' })
    expect([renamed.status, renamed.body.phase, renamed.body.name]).toEqual([200, 'networking', 'web-2'])
    await t.advance(1_000)
    expect(await vm(v.id)).toMatchObject({ status: 'active', phase: null, name: 'web-2' })
  })

  it('a reboot is pending, then started, then the VM is active again', async () => {
    t = await testApp({ timing: ['vm.create.latency=0', 'vm.reboot.latency=1s'] })
    const v = await createVm()
    await t.advance(0)
    const rebooting = await t.call('POST', `/api/v1/vms/${v.id}/reboot`)
    expect([rebooting.body.status, rebooting.body.phase]).toEqual(['rebooting', 'reboot_pending'])
    await t.advance(200)
    expect(await vm(v.id)).toMatchObject({ status: 'rebooting', phase: 'reboot_started' })
    await t.advance(800)
    expect(await vm(v.id)).toMatchObject({ status: 'active', phase: null })
  })

  it('a delete during a phase supersedes the build', async () => {
    t = await testApp({ timing: ['vm.create.latency=1s', 'vm.delete.latency=500ms'] })
    const v = await createVm()
    await t.advance(150)
    const del = await t.call('DELETE', `/api/v1/vms/${v.id}`)
    expect([del.body.status, del.body.phase]).toEqual(['deleting', null])
    await t.advance(5_000)
    expect((await t.call('GET', `/api/v1/vms/${v.id}`)).status).toBe(404)
    expect((await steps(v.id)).map((x) => x[2] ?? x[1])).toEqual(['scheduling', 'networking', 'deleting', null])
  })
})

describe('fault rules aimed at a phase (match.phase)', () => {
  const addFault = async (rule: Record<string, unknown>) => {
    const res = await t.call('POST', '/_mockcloud/faults', rule)
    expect(res.status, JSON.stringify(res.body)).toBe(201)
    return res.body
  }

  it('stuck: the next build stays in that phase until deleted; the one after builds', async () => {
    t = await testApp({ timing: ['vm.create.latency=1s'] })
    const rule = await addFault({ kind: 'vm', operation: 'create', match: { phase: 'networking' }, effect: { stuck: true }, count: 1 })
    expect(rule.match).toEqual({ phase: 'networking' })
    const stuck = await createVm('stuck')
    const fine = await createVm('fine')
    await t.advance(60_000)
    expect(await vm(stuck.id)).toMatchObject({ status: 'building', phase: 'networking' })
    expect(await vm(fine.id)).toMatchObject({ status: 'active', phase: null })
    expect((await t.call('GET', '/_mockcloud/faults')).body.items[0]).toMatchObject({ remaining: 0, matched: 1, fired: 1 })
    expect((await t.call('DELETE', `/api/v1/vms/${stuck.id}`)).status).toBe(202)
    await t.advance(60_000)
    expect((await t.call('GET', `/api/v1/vms/${stuck.id}`)).status).toBe(404)
  })

  it('latency: that phase lasts longer by the given time, the others do not', async () => {
    t = await testApp({ timing: ['vm.create.latency=1s'] })
    await addFault({ kind: 'vm', operation: 'create', match: { phase: 'spawning' }, effect: { latency_ms: 5_000 } })
    const v = await createVm()
    await t.advance(10_000)
    expect(durations(await steps(v.id))).toEqual({ scheduling: 100, networking: 200, block_device_mapping: 100, spawning: 5_600 })
    expect((await vm(v.id)).status).toBe('active')
  })

  it('fail_lifecycle: the build fails at the end of that phase, naming the phase and the rule', async () => {
    t = await testApp({ timing: ['vm.create.latency=1s'] })
    const rule = await addFault({ kind: 'vm', operation: 'create', match: { phase: 'block_device_mapping' }, effect: { fail_lifecycle: true } })
    const v = await createVm()
    await t.advance(10_000)
    expect(await vm(v.id)).toMatchObject({ status: 'error', error: `mockcloud: simulated failure of vm create while block_device_mapping (fault rule ${rule.id})` })
    expect((await steps(v.id)).map((x) => [x[0], x[2] ?? x[1]])).toEqual([
      [0, 'scheduling'],
      [100, 'networking'],
      [300, 'block_device_mapping'],
      [400, 'error'],
    ])
  })

  it('a rule on the whole operation acts on its first phase (latency) or fails it while spawning', async () => {
    t = await testApp({ timing: ['vm.create.latency=1s'] })
    await addFault({ kind: 'vm', operation: 'create', effect: { latency_ms: 3_000 }, count: 1 })
    const slow = await createVm('slow')
    await t.advance(10_000)
    expect(durations(await steps(slow.id))).toEqual({ scheduling: 3_100, networking: 200, block_device_mapping: 100, spawning: 600 })

    const failing = await addFault({ kind: 'vm', operation: 'create', effect: { fail_lifecycle: true }, count: 1 })
    const doomed = await createVm('doomed')
    await t.advance(10_000)
    expect(await vm(doomed.id)).toMatchObject({ status: 'error', error: `mockcloud: simulated failure of vm create while spawning (fault rule ${failing.id})` })
    expect((await steps(doomed.id)).map((x) => x[2] ?? x[1])).toEqual([...BUILD_PHASES, 'error'])
  })

  it('a failure is blamed on the rule that failed it, never on one that only slowed the phase', async () => {
    t = await testApp({ timing: ['vm.create.latency=1s', 'vm.create.failureRate=1'] })
    await addFault({ kind: 'vm', operation: 'create', match: { phase: 'spawning' }, effect: { latency_ms: 1_000 } })
    const v = await createVm()
    await t.advance(10_000)
    expect(await vm(v.id)).toMatchObject({ status: 'error', error: 'mockcloud: simulated failure of vm create while spawning' })
  })

  it('refuses a phase rule that cannot apply, with 400 naming the field', async () => {
    t = await testApp()
    const cases: Array<[Record<string, unknown>, string, RegExp]> = [
      [{ kind: 'vm', operation: 'create', match: { phase: 'booting' }, effect: { stuck: true } }, 'match.phase', /vm create has no phase 'booting' \(its phases are scheduling, networking, block_device_mapping, spawning\)/],
      [{ kind: 'volume', operation: 'create', match: { phase: 'creating' }, effect: { stuck: true } }, 'match.phase', /it has no phases/],
      [{ kind: '*', operation: 'create', match: { phase: 'spawning' }, effect: { stuck: true } }, 'match.phase', /one kind and one operation/],
      [{ kind: 'vm', operation: 'create', match: { phase: 'spawning' }, effect: { error: { status: 503, message: 'x' } } }, 'effect.error', /no request to answer/],
    ]
    for (const [rule, field, message] of cases) {
      const res = await t.call('POST', '/_mockcloud/faults', rule)
      expect([res.status, res.body.error.field], JSON.stringify(rule)).toEqual([400, field])
      expect(res.body.error.message).toMatch(message)
    }
    expect((await t.call('GET', '/_mockcloud/faults')).body.items).toEqual([])
  })
})

describe('phases in snapshots', () => {
  it('a VM exported mid-build keeps its phase and finishes its build after the import', async () => {
    t = await testApp({ timing: ['vm.create.latency=1s'] })
    const v = await createVm()
    await t.advance(150)
    const snap = (await t.call('GET', '/_mockcloud/snapshot')).body
    expect(snap.state.resources.find((r: any) => r.id === v.id)).toMatchObject({ status: 'building', phase: 'networking' })
    await t.call('POST', '/_mockcloud/reset', {})
    expect((await t.call('POST', '/_mockcloud/snapshot', snap)).status).toBe(200)
    expect(await vm(v.id)).toMatchObject({ status: 'building', phase: 'networking' })
    await t.advance(2_000)
    expect(await vm(v.id)).toMatchObject({ status: 'active', phase: null })
  })

  it('loads a snapshot from before phases (no phase on its rows), and refuses a phase its kind does not have', async () => {
    t = await testApp({ timing: ['vm.create.latency=1s'] })
    const v = await createVm()
    const snap = (await t.call('GET', '/_mockcloud/snapshot')).body
    const old = structuredClone(snap)
    for (const r of old.state.resources) delete r.phase
    expect((await t.call('POST', '/_mockcloud/snapshot', old)).status).toBe(200)
    expect((await vm(v.id)).phase).toBeNull()

    const bad = structuredClone(snap)
    const i = bad.state.resources.findIndex((r: any) => r.id === v.id)
    bad.state.resources[i].phase = 'warping'
    const res = await t.call('POST', '/_mockcloud/snapshot', bad)
    expect([res.status, res.body.error.field]).toEqual([400, `state.resources[${i}].phase`])

    // NOTE: a transition's detail is read back too: the phase it ends, the plan of those to come.
    const j = snap.state.transitions.findIndex((x: any) => x.resource_id === v.id)
    for (const [detail, field] of [
      [{ phase: 'warping' }, 'detail.phase'],
      [{ phase: 'scheduling', plan: [[1e12, 0]] }, 'detail.plan'],
      [{ phase: 'scheduling', plan: [[5, 2]] }, 'detail.plan'],
    ] as const) {
      const odd = structuredClone(snap)
      odd.state.transitions[j].detail = detail
      const r = await t.call('POST', '/_mockcloud/snapshot', odd)
      expect([r.status, r.body.error.field], JSON.stringify(detail)).toEqual([400, `state.transitions[${j}].${field}`])
    }
  })
})
