import { afterEach, describe, expect, it } from 'vitest'
import { ConflictError, InjectedFaultError, NotFoundError, ResourceErrorStateError, UnauthorizedError, ValidationError } from '../../src/sdk/errors.js'
import { connectMockCloud, startMockCloud, type ControlEvent, type MockCloud } from '../../src/testing/index.js'

const started: MockCloud[] = []
async function kit(...args: Parameters<typeof startMockCloud>): Promise<MockCloud> {
  const mc = await startMockCloud(...args)
  started.push(mc)
  return mc
}
afterEach(async () => {
  await Promise.all(started.splice(0).map((mc) => mc.stop()))
})

describe('startMockCloud', () => {
  it('runs a whole deployment on the realistic profile by advancing the clock', async () => {
    // NOTE: a seed whose draws fail nothing here (the realistic profile fails one creation in ten).
    const mc = await kit({ clock: 'manual', profile: 'realistic', seed: 'deploy3' })
    const c = mc.client
    const t0 = (await mc.clock.now()).getTime()

    const net = await c.createNetwork({ name: 'staging' })
    const sg = await c.createSecurityGroup({ name: 'web', rules: [{ direction: 'ingress', protocol: 'tcp', portRangeMin: 443, portRangeMax: 443, remoteIpPrefix: '0.0.0.0/0' }] })
    const vm = await c.createInstance({ name: 'web-1', networkId: net.id, flavorId: 'small', imageId: 'ubuntu-22.04', securityGroups: [sg.id] })
    expect(vm.status).toBe('building')
    // NOTE: realistic creations take 30-60 s: nothing is ready after 29 s, everything after 60 s.
    await mc.clock.advance(29_000)
    expect((await c.getInstance(vm.id)).status).toBe('building')
    await mc.clock.advance(31_000)
    const active = await c.waitForInstanceStatus(vm.id, 'active', { timeoutMs: 1_000 })
    expect(active.ipAddress).toMatch(/^10\.\d+\.\d+\.\d+$/)

    const fip = await c.allocateFloatingIP()
    expect((await c.attachFloatingIP(fip.id, vm.id)).instanceId).toBe(vm.id)
    const vol = await c.createVolume({ name: 'data', sizeGb: 10 })
    await mc.clock.advance(60_000)
    await c.waitForVolumeStatus(vol.id, 'available', { timeoutMs: 1_000 })
    await c.attachVolume(vol.id, vm.id)
    await mc.clock.advance(60_000)
    expect((await c.waitForVolumeStatus(vol.id, 'in-use', { timeoutMs: 1_000 })).instanceId).toBe(vm.id)
    const dns = await c.createDNSRecord({ name: 'web.example.com.', type: 'A', value: fip.address })
    expect(dns.records).toEqual([fip.address])

    expect((await mc.clock.now()).getTime() - t0).toBe(180_000)
    const creates = await mc.calls.list({ operation: 'vms.create' })
    expect(creates.map((x) => [x.status, (x.body as { name: string }).name])).toEqual([[202, 'web-1']])
  })

  it('injects a fault rule: an error at once, counted, then the operation works again', async () => {
    const mc = await kit({ seed: '1' })
    const net = await mc.client.createNetwork({ name: 'n' })
    const rule = await mc.faults.add({ kind: 'vm', operation: 'create', match: { name: 'web-*' }, effect: { error: { status: 503, message: 'no capacity in az1' } }, count: 1 })
    expect(rule).toMatchObject({ kind: 'vm', operation: 'create', count: 1, remaining: 1, fired: 0 })

    const err = await mc.client.createInstance({ name: 'web-1', networkId: net.id }).catch((e: unknown) => e)
    expect(err).toBeInstanceOf(InjectedFaultError)
    expect(err).toMatchObject({ status: 503, message: 'no capacity in az1' })
    expect((await mc.client.listInstances()).items).toEqual([])

    // NOTE: the name does not match, then the one firing is spent (a spent rule matches nothing more).
    await mc.client.createInstance({ name: 'db-1', networkId: net.id })
    await mc.client.createInstance({ name: 'web-1', networkId: net.id })
    const [after] = await mc.faults.list()
    expect(after).toMatchObject({ id: rule.id, remaining: 0, matched: 1, fired: 1 })
    await mc.faults.remove(rule.id)
    expect(await mc.faults.list()).toEqual([])
    await expect(mc.faults.remove(rule.id)).rejects.toBeInstanceOf(NotFoundError)
  })

  it('ends a lifecycle in error with fail_lifecycle, and names a bad field', async () => {
    const mc = await kit({ seed: '1' })
    await expect(mc.faults.add({ kind: 'vm', operation: 'create', effect: { latency_ms: -1 } })).rejects.toMatchObject({ status: 400, field: 'effect.latency_ms' })
    await expect(mc.faults.add({ kind: 'vm', operation: 'create', effect: { latency_ms: -1 } })).rejects.toBeInstanceOf(ValidationError)
    await mc.faults.add({ kind: 'vm', operation: 'create', effect: { fail_lifecycle: true } })
    const net = await mc.client.createNetwork({ name: 'n' })
    const vm = await mc.client.createInstance({ name: 'web', networkId: net.id })
    await mc.clock.advance(10_000)
    await expect(mc.client.waitForInstanceStatus(vm.id, 'active', { timeoutMs: 1_000 })).rejects.toBeInstanceOf(ResourceErrorStateError)
    await mc.faults.clear()
    expect(await mc.faults.list()).toEqual([])
  })

  it('resets everything or one project, keeping the seeded flavors and images', async () => {
    const mc = await kit({ seed: '1' })
    const a = mc.clientFor('team-a')
    const b = mc.clientFor('team-b')
    const netA = await a.createNetwork({ name: 'a' })
    await b.createNetwork({ name: 'b' })
    await mc.calls.clear()

    expect((await mc.reset('team-a')).removed).toBeGreaterThan(0)
    await expect(a.getNetwork(netA.id)).rejects.toBeInstanceOf(NotFoundError)
    expect((await b.listNetworks()).items.map((n) => n.name)).toEqual(['b'])
    expect((await mc.calls.list({ project: 'team-b' })).map((x) => x.operation)).toEqual(['environments.list'])
    await mc.reset()
    // NOTE: a full reset also empties the call log.
    expect(await mc.calls.list()).toEqual([])
    expect((await b.listNetworks()).items).toEqual([])
    // NOTE: seeded flavors and images survive: an instance still boots with them.
    const net = await b.createNetwork({ name: 'again' })
    expect((await b.createInstance({ name: 'vm', networkId: net.id, flavorId: 'small', imageId: 'ubuntu-22.04' })).status).toBe('building')
    expect((await mc.calls.list({ project: 'team-b', method: 'GET' })).map((x) => x.operation)).toEqual(['environments.list'])
  })

  it('moves a snapshot, pending build included, into another mockcloud', async () => {
    const one = await kit({ seed: '1' })
    const net = await one.client.createNetwork({ name: 'n' })
    const vm = await one.client.createInstance({ name: 'web', networkId: net.id })
    const snap = await one.snapshot.export()
    expect(snap.state.transitions).toHaveLength(1)

    const two = await kit({ seed: '2', start: new Date('2030-06-01T00:00:00Z') })
    expect(await two.snapshot.import(snap)).toEqual({ resources: expect.any(Number), transitions: 1 })
    expect((await two.client.getInstance(vm.id)).status).toBe('building')
    await two.clock.advance(10_000)
    const active = await two.client.getInstance(vm.id)
    expect(active.status).toBe('active')
    expect(active.ipAddress).toBe(vm.ipAddress)
    // NOTE: the address is still taken in the new server's IPAM.
    const other = await two.client.createInstance({ name: 'web-2', networkId: net.id })
    expect(other.ipAddress).not.toBe(vm.ipAddress)
  })

  it('changes the timings while it runs', async () => {
    const mc = await kit({ seed: '1', profile: 'instant' })
    expect(await mc.config.get()).toMatchObject({ profile: 'instant', timing: [], clock: 'manual', seed: '1' })
    await mc.config.set({ profile: 'fast', timing: ['vm.create.latency=5s'] })
    const net = await mc.client.createNetwork({ name: 'n' })
    const vm = await mc.client.createInstance({ name: 'web', networkId: net.id })
    await mc.clock.advance(4_999)
    expect((await mc.client.getInstance(vm.id)).status).toBe('building')
    await mc.clock.advance(1)
    expect((await mc.client.getInstance(vm.id)).status).toBe('active')
    await expect(mc.config.set({ timing: ['vm.create.latency=soon'] })).rejects.toMatchObject({ status: 400, field: 'timing[0]' })
  })

  it('runs on the system clock when asked, where advancing is a conflict and the scale can change', async () => {
    const mc = await kit({ clock: 'system', timeScale: 0.5 })
    expect((await mc.clock.state()).mode).toBe('scaled')
    await expect(mc.clock.advance(1_000)).rejects.toBeInstanceOf(ConflictError)
    expect((await mc.clock.setTimeScale(0.01)).time_scale).toBe(0.01)
  })

  it('locks the control face and the native API with the keys it was given, and sends them itself', async () => {
    const mc = await kit({ controlKey: 'ctl', apiKey: 'api' })
    await mc.client.createNetwork({ name: 'n' })
    expect(await mc.faults.list()).toEqual([])
    const stranger = connectMockCloud({ url: mc.url })
    await expect(stranger.faults.list()).rejects.toBeInstanceOf(UnauthorizedError)
    await expect(stranger.client.listNetworks()).rejects.toBeInstanceOf(UnauthorizedError)
    const friend = connectMockCloud({ url: mc.url, controlKey: 'ctl', apiKey: 'api' })
    expect((await friend.client.listNetworks()).items.map((n) => n.name)).toEqual(['n'])
    await friend.stop()
    // NOTE: a connected handle's stop leaves the server running.
    expect((await mc.client.listNetworks()).items).toHaveLength(1)
  })

  it("keeps OpenStack's quotas unless told otherwise, and reads and sets a project's", async () => {
    const mc = await kit({ quotas: { cores: 3 } })
    expect((await mc.quotas.get()).quotas['instances']).toEqual({ limit: 10, used: 0, own: false })
    const net = await mc.client.createNetwork({ name: 'n' })
    await mc.client.createInstance({ name: 'a', networkId: net.id, flavorId: 'm1.medium' })
    await expect(mc.client.createInstance({ name: 'b', networkId: net.id, flavorId: 'm1.medium' })).rejects.toMatchObject({ status: 409, code: 'EMU_ERR_QUOTA_EXCEEDED' })
    expect((await mc.quotas.set('default', { cores: -1 })).quotas['cores']).toEqual({ limit: -1, used: 2, own: true })
    await expect(mc.client.createInstance({ name: 'b', networkId: net.id, flavorId: 'm1.medium' })).resolves.toMatchObject({ name: 'b' })
    expect((await mc.quotas.reset('default')).quotas['cores']).toEqual({ limit: 3, used: 4, own: false })
    await expect(kit({ quotas: { instances: 'many' } as never })).rejects.toThrow(/option 'quotas.instances' must be a number/)
  })

  it('streams state changes filtered by kind, and serves the metrics', async () => {
    const mc = await kit({ seed: '1' })
    const vms: ControlEvent[] = []
    const all: ControlEvent[] = []
    const offVms = await mc.events.subscribe((e) => vms.push(e), { kind: 'vm' })
    await mc.events.subscribe((e) => all.push(e))
    const net = await mc.client.createNetwork({ name: 'n' })
    const vm = await mc.client.createInstance({ name: 'web', networkId: net.id })
    await mc.clock.advance(3_000)
    await expect.poll(() => vms.length).toBe(5)
    expect(vms.map((e) => [e.kind, e.resource_id, e.type, e.from_status, e.to_status, e.resource?.phase])).toEqual([
      ['vm', vm.id, 'created', null, 'building', 'scheduling'],
      ['vm', vm.id, 'changed', 'building', 'building', 'networking'],
      ['vm', vm.id, 'changed', 'building', 'building', 'block_device_mapping'],
      ['vm', vm.id, 'changed', 'building', 'building', 'spawning'],
      ['vm', vm.id, 'changed', 'building', 'active', null],
    ])
    expect(all.some((e) => e.kind === 'environment' && e.resource_id === net.id)).toBe(true)
    offVms()
    await expect(mc.events.subscribe(() => undefined, { kind: 'nope' })).rejects.toMatchObject({ status: 400, field: 'kind' })

    // NOTE: the history, and a subscription that replays it from a number: what a test that subscribes late needs.
    const page = await mc.events.history({ kind: 'vm' })
    expect(page.items.map((e) => [e.resource_id, e.to_status])).toEqual([
      [vm.id, 'building'],
      [vm.id, 'building'],
      [vm.id, 'building'],
      [vm.id, 'building'],
      [vm.id, 'active'],
    ])
    const late: ControlEvent[] = []
    const offLate = await mc.events.subscribe((e) => late.push(e), { kind: 'vm', after: page.items[0]!.seq - 1 })
    await expect.poll(() => late.length).toBe(5)
    expect(late.map((e) => e.seq)).toEqual(page.items.map((e) => e.seq))
    offLate()

    const text = await mc.metrics()
    expect(text).toMatch(/^mockcloud_requests_total\{face="native",operation="vms.create",status="202"\} 1$/m)
    expect(text).toMatch(/^mockcloud_resources\{kind="vm",status="active"\} 1$/m)
    // NOTE: stop ends the open stream rather than waiting for it.
    await mc.stop()
  })

describe('options', () => {
  /** What the seed decides about a small deployment: the ids, and the addresses a VM and a floating IP get. */
  async function seededRun(mc: MockCloud) {
    const net = await mc.client.createNetwork({ name: 'n' })
    const vm = await mc.client.createInstance({ name: 'web', networkId: net.id })
    const fip = await mc.client.allocateFloatingIP()
    return { net: net.id, vm: vm.id, ip: vm.ipAddress, fip: fip.address }
  }

  it('takes a numeric seed as its decimal string: seed 1 is the run of seed "1"', async () => {
    const numeric = await kit({ seed: 1 })
    const textual = await kit({ seed: '1' })
    const other = await kit({ seed: '2' })
    expect(await numeric.config.get()).toMatchObject({ seed: '1' })
    const run = await seededRun(numeric)
    expect(run).toEqual(await seededRun(textual))
    expect(run).not.toEqual(await seededRun(other))
    expect((await kit({ seed: 0.5 }).then((mc) => mc.config.get())).seed).toBe('0.5')
  })

  const bad: Array<[string, unknown, typeof TypeError | typeof RangeError, RegExp]> = [
    ['an unknown option', { profle: 'fast' }, TypeError, /unknown option 'profle' \(options: clock, start, timeScale, profile, seed,/],
    ['an unknown profile', { profile: 'fastest' }, RangeError, /option 'profile' must be one of instant, fast, realistic, got 'fastest'/],
    ['an object as seed', { seed: {} }, TypeError, /option 'seed' must be a string or a finite number.*got object/],
    ['NaN as seed', { seed: Number.NaN }, TypeError, /option 'seed' must be a string or a finite number.*got NaN/],
    ['a string as timing', { timing: 'x' }, TypeError, /option 'timing' must be an array of strings/],
    ['a number in timing', { timing: ['vm.create.latency=1s', 5] }, TypeError, /option 'timing\[1\]' must be a string, got 5/],
    ['a negative port', { port: -1 }, RangeError, /option 'port' must be an integer from 0 to 65535, got -1/],
    ['a fractional port', { port: 80.5 }, RangeError, /option 'port' must be an integer from 0 to 65535, got 80.5/],
    ['a port as text', { port: '80' }, TypeError, /option 'port' must be a number, got '80'/],
    ['an unknown clock', { clock: 'fake' }, RangeError, /option 'clock' must be one of manual, system, got 'fake'/],
    ['a time scale of 0', { clock: 'system', timeScale: 0 }, RangeError, /option 'timeScale' must be from 0.000001 to 1000000 .*got 0/],
    ['an invalid start', { start: new Date('nope') }, RangeError, /option 'start' must be a valid time from 1970 to 9999, got an invalid Date/],
    ['a start as text', { start: '2026-01-01' }, TypeError, /option 'start' must be a Date or a number/],
    ['a number as db', { db: 1 }, TypeError, /option 'db' must be a string, got 1/],
    ['null as options', null, TypeError, /options must be an object, got null/],
  ]
  for (const [name, opts, type, message] of bad) {
    it(`refuses ${name} with a ${type.name} naming it`, async () => {
      const err = await startMockCloud(opts as never).then(
        (mc) => {
          started.push(mc)
          return undefined
        },
        (e: unknown) => e,
      )
      expect(err).toBeInstanceOf(type)
      expect((err as Error).message).toMatch(message)
    })
  }

  it('refuses a bad option before anything starts: no database is opened', async () => {
    // NOTE: a db that cannot be opened would be the error if the server were started first.
    await expect(startMockCloud({ db: '/nonexistent/dir/mockcloud.db', seed: {} as never })).rejects.toThrow(/option 'seed'/)
  })
})
})
