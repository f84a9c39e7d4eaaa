import { afterEach, describe, expect, it } from 'vitest'
import {
  ConflictError,
  MockcloudError,
  NotFoundError,
  ResourceErrorStateError,
  SDK_ERR_CLOSED,
  ValidationError,
  WaitTimeoutError,
  type InfraClient,
  type Instance,
} from '../../src/sdk/index.js'

/**
 * What every InfraClient must do, run unchanged against each implementation
 * (embedded, HTTP, later OpenStack). Time moves only through `advance`: the
 * harness's server runs on a manual clock with the `fast` profile (builds
 * 1.5–2.5 s, stop/start/attach/delete 0.3–0.8 s). Tests rely only on their
 * own tenant's resources, so a harness may share one server between tests.
 *
 * @example
 * infraClientContract('EmbeddedInfraClient', async ({ timing }) => ({ client, clientFor, advance, close }))
 */
export interface InfraClientHarness {
  /** A fresh client: its tenant has no resources yet. */
  client: InfraClient
  /** Another client of the same server, acting in a tenant of its own named after `tenantId`. */
  clientFor(tenantId: string): InfraClient
  /** Moves the server's clock forward; every transition due by then has run when it resolves. */
  advance(ms: number): Promise<void>
  /** Closes every client it made (and its server, unless the server outlives the test). */
  close(): Promise<void>
}

export interface HarnessOptions {
  /** Timing overrides for the server (`vm.create.failureRate=1`). */
  timing?: string[]
}

export type InfraClientFactory = (opts: HarnessOptions) => Promise<InfraClientHarness>

// NOTE: waits poll on wall-clock time; a short interval keeps the suite fast.
const fast = { pollIntervalMs: 5, timeoutMs: 5_000 }
const BUILD = 3_000
const QUICK = 1_000

function ipToInt(ip: string): number {
  return ip.split('.').reduce((n, part) => n * 256 + Number(part), 0)
}

function inCidr(ip: string, cidr: string): boolean {
  const [base = '', bits = '32'] = cidr.split('/')
  const size = 2 ** (32 - Number(bits))
  const start = ipToInt(base)
  return ipToInt(ip) >= start && ipToInt(ip) < start + size
}

/** A promise's outcome, caught at once so a rejection is never unhandled while the test advances time. */
function outcome<T>(p: Promise<T>): Promise<{ value?: T; error?: unknown }> {
  return p.then(
    (value) => ({ value }),
    (error: unknown) => ({ error }),
  )
}

export function infraClientContract(name: string, factory: InfraClientFactory): void {
  describe(`InfraClient contract: ${name}`, () => {
    let h: InfraClientHarness
    let c: InfraClient
    const open = async (opts: HarnessOptions = {}) => {
      h = await factory(opts)
      c = h.client
    }
    afterEach(async () => {
      await h?.close()
    })

    async function activeInstance(name = 'web'): Promise<{ vm: Instance; networkId: string; cidr: string }> {
      const net = await c.createNetwork({ name: `${name}-net` })
      const vm = await c.createInstance({ name, networkId: net.id })
      const active = c.waitForInstanceStatus(vm.id, 'active', fast)
      await h.advance(BUILD)
      return { vm: await active, networkId: net.id, cidr: net.cidr! }
    }

    describe('instances', () => {
      it('create a network, then an instance: building, active after time passes, its IP in the cidr', async () => {
        await open()
        const net = await c.createNetwork({ name: 'staging', description: 'for tests' })
        expect(net).toMatchObject({ name: 'staging', status: 'active', description: 'for tests' })
        expect(net.cidr).toMatch(/^10\.\d+\.0\.0\/16$/)
        expect(net.subnetId).toEqual(expect.any(String))

        const vm = await c.createInstance({ name: 'web-1', networkId: net.id, flavorId: 'small', imageId: 'ubuntu-22.04', keyName: 'deploy', metadata: { role: 'web' } })
        expect(vm).toMatchObject({ name: 'web-1', status: 'building', networkId: net.id, keyName: 'deploy', metadata: { role: 'web' }, error: null })
        // NOTE: optional in the interface, but every implementation under this contract knows the names.
        expect(vm.flavorName).toBe('m1.small')
        expect(vm.imageName).toBe('ubuntu-22.04')
        expect(inCidr(vm.ipAddress, net.cidr!)).toBe(true)
        expect(vm.securityGroupIds).toHaveLength(1)
        expect(Date.parse(vm.createdAt)).not.toBeNaN()

        const active = c.waitForInstanceStatus(vm.id, 'active', fast)
        await h.advance(BUILD)
        expect((await active).status).toBe('active')
        expect(await c.getInstance(vm.id)).toMatchObject({ id: vm.id, status: 'active', ipAddress: vm.ipAddress })
      })

      it('a custom cidr and a flavor given by id, security groups by name', async () => {
        await open()
        const net = await c.createNetwork({ name: 'custom', cidr: '192.168.10.0/24' })
        expect(net.cidr).toBe('192.168.10.0/24')
        await c.createSecurityGroup({ name: 'web' })
        const vm = await c.createInstance({ name: 'a', networkId: net.id, flavorId: '3', securityGroups: ['default', 'web'] })
        expect(vm.flavorId).toBe('3')
        expect(vm.securityGroupIds).toHaveLength(2)
        expect(inCidr(vm.ipAddress, '192.168.10.0/24')).toBe(true)
      })

      it('list, filter by network, status and name, and page with a cursor', async () => {
        await open()
        const a = await c.createNetwork({ name: 'a' })
        const b = await c.createNetwork({ name: 'b' })
        const inA = []
        for (let i = 0; i < 3; i++) inA.push(await c.createInstance({ name: `web-${i}`, networkId: a.id }))
        await h.advance(BUILD)
        const inB = await c.createInstance({ name: 'db', networkId: b.id })

        expect((await c.listInstances()).items).toHaveLength(4)
        expect((await c.listInstances({ networkId: a.id })).items.map((i) => i.id)).toEqual(inA.map((i) => i.id))
        expect((await c.listInstances({ status: 'building' })).items.map((i) => i.id)).toEqual([inB.id])
        expect((await c.listInstances({ name: 'web-1' })).items.map((i) => i.id)).toEqual([inA[1]!.id])

        const first = await c.listInstances({ limit: 3 })
        expect(first.items).toHaveLength(3)
        expect(first.nextCursor).toEqual(expect.any(String))
        const second = await c.listInstances({ limit: 3, cursor: first.nextCursor! })
        expect(second.items.map((i) => i.id)).toEqual([inB.id])
        expect(second.nextCursor).toBeNull()
      })

      it('stop, start and reboot through their transitional states', async () => {
        await open()
        const { vm } = await activeInstance()
        const steps = [
          ['stopping', 'stopped', () => c.stopInstance(vm.id)],
          ['starting', 'active', () => c.startInstance(vm.id)],
          ['rebooting', 'active', () => c.rebootInstance(vm.id)],
        ] as const
        for (const [via, to, act] of steps) {
          expect((await act()).status).toBe(via)
          const done = c.waitForInstanceStatus(vm.id, to, fast)
          await h.advance(QUICK)
          expect((await done).status).toBe(to)
        }
      })

      it('delete: deleting, then gone; waiting for deleted resolves with null', async () => {
        await open()
        const { vm } = await activeInstance()
        await expect(c.deleteInstance(vm.id)).resolves.toBeUndefined()
        expect((await c.getInstance(vm.id)).status).toBe('deleting')
        const gone = c.waitForInstanceStatus(vm.id, 'deleted', fast)
        await h.advance(QUICK)
        expect(await gone).toBeNull()
        await expect(c.getInstance(vm.id)).rejects.toBeInstanceOf(NotFoundError)
        expect((await c.listInstances()).items).toEqual([])
      })
    })

    describe('networks', () => {
      it('get, list with paging, delete; a network with instances cannot be deleted', async () => {
        await open()
        const nets = []
        for (let i = 0; i < 5; i++) nets.push(await c.createNetwork({ name: `n${i}` }))
        expect(new Set(nets.map((n) => n.cidr)).size).toBe(5)
        expect(await c.getNetwork(nets[2]!.id)).toEqual(nets[2])

        const seen: string[] = []
        let cursor: string | undefined
        do {
          const page = await c.listNetworks({ limit: 2, ...(cursor ? { cursor } : {}) })
          expect(page.items.length).toBeLessThanOrEqual(2)
          seen.push(...page.items.map((n) => n.id))
          cursor = page.nextCursor ?? undefined
        } while (cursor)
        expect(seen).toEqual(nets.map((n) => n.id))
        expect((await c.listNetworks({ name: 'n3' })).items.map((n) => n.id)).toEqual([nets[3]!.id])

        await c.createInstance({ name: 'vm', networkId: nets[0]!.id })
        await expect(c.deleteNetwork(nets[0]!.id)).rejects.toMatchObject({ status: 409 })
        await c.deleteNetwork(nets[1]!.id)
        await expect(c.getNetwork(nets[1]!.id)).rejects.toBeInstanceOf(NotFoundError)
      })
    })

    describe('floating IPs', () => {
      it('allocate from 41.100.0.0/16, attach (instance recorded), detach, release', async () => {
        await open()
        const { vm } = await activeInstance()
        const fip = await c.allocateFloatingIP({ description: 'public web' })
        expect(fip).toMatchObject({ status: 'active', instanceId: null, fixedIp: null, description: 'public web' })
        expect(inCidr(fip.address, '41.100.0.0/16')).toBe(true)
        const bare = await c.allocateFloatingIP()
        expect(bare.address).not.toBe(fip.address)

        const attached = await c.attachFloatingIP(fip.id, vm.id)
        expect(attached).toMatchObject({ id: fip.id, instanceId: vm.id, fixedIp: vm.ipAddress })
        expect((await c.getFloatingIP(fip.id)).instanceId).toBe(vm.id)
        await expect(c.attachFloatingIP(bare.id, vm.id)).rejects.toBeInstanceOf(ConflictError)

        expect((await c.detachFloatingIP(fip.id)).instanceId).toBeNull()
        await expect(c.detachFloatingIP(fip.id)).rejects.toBeInstanceOf(ConflictError)
        expect((await c.listFloatingIPs()).items.map((f) => f.id)).toEqual([fip.id, bare.id])

        await c.releaseFloatingIP(fip.id)
        await expect(c.getFloatingIP(fip.id)).rejects.toBeInstanceOf(NotFoundError)
        expect((await c.listFloatingIPs()).items.map((f) => f.id)).toEqual([bare.id])
      })
    })

    describe('security groups', () => {
      it('create with rules, get, list, delete', async () => {
        await open()
        const sg = await c.createSecurityGroup({
          name: 'web',
          description: 'http in',
          rules: [
            { direction: 'ingress', protocol: 'tcp', portRangeMin: 80, portRangeMax: 80, remoteIpPrefix: '0.0.0.0/0' },
            { direction: 'ingress', protocol: 'icmp', ethertype: 'IPv4', description: 'ping' },
          ],
        })
        expect(sg).toMatchObject({ name: 'web', description: 'http in', status: 'active' })
        // NOTE: as in Neutron, a new group also has its default egress rules.
        const http = sg.rules.find((r) => r.protocol === 'tcp')
        expect(http).toMatchObject({ direction: 'ingress', ethertype: 'IPv4', portRangeMin: 80, portRangeMax: 80, remoteIpPrefix: '0.0.0.0/0', remoteGroupId: null })
        expect(http!.id).toEqual(expect.any(String))
        expect(sg.rules.find((r) => r.protocol === 'icmp')).toMatchObject({ direction: 'ingress', portRangeMin: null, description: 'ping' })
        expect(await c.getSecurityGroup(sg.id)).toEqual(sg)
        expect((await c.listSecurityGroups({ name: 'web' })).items.map((g) => g.id)).toEqual([sg.id])

        await c.deleteSecurityGroup(sg.id)
        await expect(c.getSecurityGroup(sg.id)).rejects.toBeInstanceOf(NotFoundError)
      })

      it('a bad rule is a ValidationError naming the rule field in camelCase', async () => {
        await open()
        const err = await c.createSecurityGroup({ name: 'g', rules: [{ direction: 'ingress', protocol: 'tcp', portRangeMin: 70_000 }] }).catch((e: unknown) => e)
        expect(err).toBeInstanceOf(ValidationError)
        expect(err).toMatchObject({ status: 400, field: 'rules[0].portRangeMin' })
      })
    })

    describe('DNS records', () => {
      it('create with one value or several, get, list, delete; a duplicate is a conflict', async () => {
        await open()
        const a = await c.createDNSRecord({ name: 'web.example.com', type: 'A', value: '41.100.0.10', ttl: 300 })
        expect(a).toMatchObject({ type: 'A', value: '41.100.0.10', records: ['41.100.0.10'], ttl: 300, status: 'active' })
        expect(a.name).toMatch(/^web\.example\.com\.?$/)
        const mx = await c.createDNSRecord({ name: 'example.com', type: 'MX', records: ['10 mail.example.com.', '20 backup.example.com.'] })
        expect(mx.records).toHaveLength(2)
        expect(await c.getDNSRecord(a.id)).toEqual(a)
        expect((await c.listDNSRecords()).items.map((r) => r.id)).toEqual([a.id, mx.id])
        await expect(c.createDNSRecord({ name: 'web.example.com', type: 'A', value: '41.100.0.11' })).rejects.toBeInstanceOf(ConflictError)
        await c.deleteDNSRecord(a.id)
        await expect(c.getDNSRecord(a.id)).rejects.toBeInstanceOf(NotFoundError)
      })
    })

    describe('containers', () => {
      it('create, status, stop, start, delete, with waits', async () => {
        await open()
        const ct = await c.createContainer({ name: 'worker', image: 'nginx:1.27', command: ['nginx', '-g', 'daemon off;'], env: { A: '1' }, ports: [8080] })
        expect(ct).toMatchObject({ name: 'worker', image: 'nginx:1.27', status: 'creating', command: ['nginx', '-g', 'daemon off;'], env: { A: '1' }, ports: [8080] })
        expect(await c.getContainerStatus(ct.id)).toBe('creating')

        const running = c.waitForContainerStatus(ct.id, 'running', fast)
        await h.advance(BUILD)
        expect((await running).startedAt).toEqual(expect.any(String))
        expect(await c.getContainerStatus(ct.id)).toBe('running')

        expect((await c.stopContainer(ct.id)).status).toBe('stopping')
        const stopped = c.waitForContainerStatus(ct.id, 'stopped', fast)
        await h.advance(QUICK)
        expect(await stopped).toMatchObject({ status: 'stopped', exitCode: 0 })
        await expect(c.stopContainer(ct.id)).rejects.toBeInstanceOf(ConflictError)

        expect((await c.startContainer(ct.id)).status).toBe('starting')
        const again = c.waitForContainerStatus(ct.id, 'running', fast)
        await h.advance(QUICK)
        await again
        expect((await c.listContainers({ status: 'running' })).items.map((x) => x.id)).toEqual([ct.id])

        await c.deleteContainer(ct.id)
        const gone = c.waitForContainerStatus(ct.id, 'deleted', fast)
        await h.advance(QUICK)
        expect(await gone).toBeNull()
        await expect(c.getContainerStatus(ct.id)).rejects.toBeInstanceOf(NotFoundError)
      })
    })

    describe('volumes', () => {
      it('create, attach, detach, delete, with waits; attaching an in-use volume is a 409', async () => {
        await open()
        const { vm, networkId } = await activeInstance()
        const other = await c.createInstance({ name: 'other', networkId })
        const vol = await c.createVolume({ name: 'data', sizeGb: 20, description: 'db files' })
        expect(vol).toMatchObject({ name: 'data', sizeGb: 20, status: 'creating', instanceId: null, device: null, description: 'db files' })
        const available = c.waitForVolumeStatus(vol.id, 'available', fast)
        await h.advance(BUILD)
        await available

        expect(await c.attachVolume(vol.id, vm.id)).toMatchObject({ status: 'attaching', instanceId: vm.id })
        const inUse = c.waitForVolumeStatus(vol.id, 'in-use', fast)
        await h.advance(QUICK)
        expect(await inUse).toMatchObject({ status: 'in-use', instanceId: vm.id, device: '/dev/vdb' })

        const conflict = await c.attachVolume(vol.id, other.id).catch((e: unknown) => e)
        expect(conflict).toBeInstanceOf(ConflictError)
        expect(conflict).toMatchObject({ status: 409, code: expect.stringMatching(/^EMU_ERR_/) })
        await expect(c.deleteVolume(vol.id)).rejects.toBeInstanceOf(ConflictError)

        expect((await c.detachVolume(vol.id)).status).toBe('detaching')
        const detached = c.waitForVolumeStatus(vol.id, 'available', fast)
        await h.advance(QUICK)
        expect(await detached).toMatchObject({ instanceId: null, device: null })
        expect((await c.listVolumes()).items.map((v) => v.id)).toEqual([vol.id])

        await c.deleteVolume(vol.id)
        const gone = c.waitForVolumeStatus(vol.id, 'deleted', fast)
        await h.advance(QUICK)
        expect(await gone).toBeNull()
        await expect(c.getVolume(vol.id)).rejects.toBeInstanceOf(NotFoundError)
      })
    })

    describe('errors', () => {
      it('unknown ids are NotFoundError with status 404, for every kind', async () => {
        await open()
        const calls: Array<() => Promise<unknown>> = [
          () => c.getInstance('no-such-id'),
          () => c.getNetwork('no-such-id'),
          () => c.getFloatingIP('no-such-id'),
          () => c.getSecurityGroup('no-such-id'),
          () => c.getDNSRecord('no-such-id'),
          () => c.getContainer('no-such-id'),
          () => c.getVolume('no-such-id'),
          () => c.deleteInstance('no-such-id'),
          () => c.stopContainer('no-such-id'),
          () => c.detachVolume('no-such-id'),
          () => c.releaseFloatingIP('no-such-id'),
        ]
        for (const call of calls) {
          const err = await call().catch((e: unknown) => e)
          expect(err).toBeInstanceOf(NotFoundError)
          expect(err).toMatchObject({ status: 404, code: 'EMU_ERR_NOT_FOUND', field: null })
        }
      })

      it('bad input is ValidationError with status 400 and the request field in camelCase', async () => {
        await open()
        const size = await c.createVolume({ name: 'v', sizeGb: 0 }).catch((e: unknown) => e)
        expect(size).toBeInstanceOf(ValidationError)
        expect(size).toMatchObject({ status: 400, code: 'EMU_ERR_VALIDATION', field: 'sizeGb' })
        expect((size as Error).message).toMatch(/must be >= 1/)

        const net = await c.createNetwork({ name: 'n' })
        const cases: Array<[() => Promise<unknown>, string]> = [
          [() => c.createInstance({ name: 'a', networkId: 'no-such-network' }), 'networkId'],
          [() => c.createInstance({ name: 'a', networkId: net.id, flavorId: 'm9.huge' }), 'flavorId'],
          [() => c.createInstance({ name: 'a', networkId: net.id, imageId: 'windows-95' }), 'imageId'],
          [() => c.createInstance({ name: 'a', networkId: net.id, securityGroups: ['default', 'nope'] }), 'securityGroups[1]'],
          [() => c.createContainer({ name: 'c', image: 'Not An Image' }), 'image'],
          [() => c.createNetwork({ name: 'e', cidr: '10.0.0.1/16' }), 'cidr'],
          [() => c.createDNSRecord({ name: 'a.example.com', type: 'A', value: 'not-an-ip' }), 'value'],
        ]
        for (const [call, field] of cases) {
          const err = await call().catch((e: unknown) => e)
          expect(err, field).toBeInstanceOf(ValidationError)
          expect(err, field).toMatchObject({ status: 400, field })
        }
      })

      it('an action in the wrong state is ConflictError with status 409 and a reason', async () => {
        await open()
        const net = await c.createNetwork({ name: 'n' })
        const vm = await c.createInstance({ name: 'a', networkId: net.id })
        const err = await c.stopInstance(vm.id).catch((e: unknown) => e)
        expect(err).toBeInstanceOf(ConflictError)
        expect(err).toMatchObject({ status: 409 })
        expect((err as Error).message).toMatch(/building/)
      })

      it('another tenant sees none of this tenant’s resources', async () => {
        await open()
        const net = await c.createNetwork({ name: 'mine' })
        const other = h.clientFor('team-b')
        expect((await other.listNetworks()).items).toEqual([])
        await expect(other.getNetwork(net.id)).rejects.toBeInstanceOf(NotFoundError)
        const theirs = await other.createNetwork({ name: 'theirs' })
        expect((await c.listNetworks()).items.map((n) => n.id)).toEqual([net.id])
        expect((await other.listNetworks()).items.map((n) => n.id)).toEqual([theirs.id])
      })

      it('calls after close reject', async () => {
        await open()
        const other = h.clientFor('team-c')
        await other.close()
        await expect(other.listNetworks()).rejects.toMatchObject({ code: SDK_ERR_CLOSED })
        expect((await c.listNetworks()).items).toEqual([])
      })
    })

    describe('waits', () => {
      it('resolve at once when the status is already reached', async () => {
        await open()
        const net = await c.createNetwork({ name: 'n' })
        const vm = await c.createInstance({ name: 'a', networkId: net.id })
        expect((await c.waitForInstanceStatus(vm.id, 'building', fast)).id).toBe(vm.id)
      })

      it('reject with WaitTimeoutError when the status never comes', async () => {
        await open()
        const { vm } = await activeInstance()
        const err = await c.waitForInstanceStatus(vm.id, 'stopped', { timeoutMs: 40, pollIntervalMs: 5 }).catch((e: unknown) => e)
        expect(err).toBeInstanceOf(WaitTimeoutError)
        expect(err).toBeInstanceOf(MockcloudError)
        expect(err).toMatchObject({ lastStatus: 'active' })
      })

      it('reject with the signal’s reason when aborted, before or during the wait', async () => {
        await open()
        const net = await c.createNetwork({ name: 'n' })
        const vm = await c.createInstance({ name: 'a', networkId: net.id })

        const during = new AbortController()
        const waiting = outcome(c.waitForInstanceStatus(vm.id, 'active', { ...fast, signal: during.signal }))
        during.abort()
        const { error } = await waiting
        expect(error).toMatchObject({ name: 'AbortError' })

        const before = new AbortController()
        const reason = new Error('shutting down')
        before.abort(reason)
        await expect(c.waitForContainerStatus('whatever', 'running', { signal: before.signal })).rejects.toBe(reason)
      })

      it('reject with NotFoundError when the resource disappears while waiting for another status', async () => {
        await open()
        const net = await c.createNetwork({ name: 'n' })
        const vm = await c.createInstance({ name: 'a', networkId: net.id })
        await c.deleteInstance(vm.id)
        const waiting = outcome(c.waitForInstanceStatus(vm.id, 'active', fast))
        await h.advance(QUICK)
        expect((await waiting).error).toBeInstanceOf(NotFoundError)
      })

      it('reject with ResourceErrorStateError, carrying the resource, when the build fails', async () => {
        await open({ timing: ['vm.create.failureRate=1'] })
        const net = await c.createNetwork({ name: 'n' })
        const vm = await c.createInstance({ name: 'doomed', networkId: net.id })
        const waiting = outcome(c.waitForInstanceStatus(vm.id, 'active', fast))
        await h.advance(BUILD)
        const { error } = await waiting
        expect(error).toBeInstanceOf(ResourceErrorStateError)
        const failed = error as ResourceErrorStateError
        expect(failed.resourceKind).toBe('instance')
        expect(failed.resource).toMatchObject({ id: vm.id, status: 'error' })
        expect(failed.resource.error).toEqual(expect.any(String))

        // Asking for `error` itself is a normal wait.
        expect((await c.waitForInstanceStatus(vm.id, 'error', fast)).error).toEqual(expect.any(String))
      })
    })
  })
}
