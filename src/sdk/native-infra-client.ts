import { errorFromResponse, MockcloudError, SDK_ERR_BAD_RESPONSE, SDK_ERR_CLOSED } from './errors.js'
import type { InfraClient } from './infra-client.js'
import * as M from './native-mappers.js'
import type { HttpMethod, Transport } from './transport.js'
import type {
  AllocateFloatingIpRequest,
  Container,
  ContainerStatus,
  CreateContainerRequest,
  CreateDnsRecordRequest,
  CreateInstanceRequest,
  CreateNetworkRequest,
  CreateSecurityGroupRequest,
  CreateVolumeRequest,
  Deleted,
  DnsRecord,
  FloatingIp,
  Instance,
  InstanceStatus,
  ListInstancesOptions,
  ListOptions,
  Network,
  Page,
  SecurityGroup,
  Volume,
  VolumeStatus,
  WaitOptions,
  WaitResult,
} from './types.js'
import { waitForStatus } from './wait-for-status.js'

export interface NativeInfraClientOptions {
  /** Default poll interval of the waitFor… methods, wall-clock ms. Default 250. */
  pollIntervalMs?: number
  /** Default timeout of the waitFor… methods, wall-clock ms. Default 60 000. */
  timeoutMs?: number
}

const API = '/api/v1'
const enc = encodeURIComponent

function query(params: Record<string, string | number | undefined>): string {
  const q = new URLSearchParams()
  for (const [k, v] of Object.entries(params)) if (v !== undefined) q.set(k, String(v))
  const s = q.toString()
  return s ? `?${s}` : ''
}

const listQuery = (o: ListOptions = {}) => ({ name: o.name, status: o.status, limit: o.limit, cursor: o.cursor })

/**
 * `InfraClient` over mockcloud's native REST API (`/api/v1`), whatever
 * carries the requests: `HttpInfraClient` gives it a FetchTransport,
 * `EmbeddedInfraClient` an InjectTransport. All wire mapping, error mapping
 * and waiting lives here, once.
 *
 * @example
 * const client = new NativeInfraClient(new FetchTransport({ baseUrl: 'http://127.0.0.1:4600' }))
 */
export class NativeInfraClient implements InfraClient {
  private closed = false
  private readonly pollIntervalMs: number
  private readonly timeoutMs: number

  constructor(
    private readonly transport: Transport,
    opts: NativeInfraClientOptions = {},
  ) {
    this.pollIntervalMs = opts.pollIntervalMs ?? 250
    this.timeoutMs = opts.timeoutMs ?? 60_000
  }

  // --- instances ---------------------------------------------------------------

  async createInstance(req: CreateInstanceRequest): Promise<Instance> {
    return M.instanceFromWire(await this.call<M.WireVm>('POST', '/vms', M.instanceToWire(req), true))
  }
  async getInstance(id: string): Promise<Instance> {
    return M.instanceFromWire(await this.call<M.WireVm>('GET', `/vms/${enc(id)}`))
  }
  async listInstances(options: ListInstancesOptions = {}): Promise<Page<Instance>> {
    return this.list('/vms', { ...listQuery(options), environment_id: options.networkId }, M.instanceFromWire)
  }
  async deleteInstance(id: string): Promise<void> {
    await this.call('DELETE', `/vms/${enc(id)}`)
  }
  async startInstance(id: string): Promise<Instance> {
    return M.instanceFromWire(await this.call<M.WireVm>('POST', `/vms/${enc(id)}/start`))
  }
  async stopInstance(id: string): Promise<Instance> {
    return M.instanceFromWire(await this.call<M.WireVm>('POST', `/vms/${enc(id)}/stop`))
  }
  async rebootInstance(id: string): Promise<Instance> {
    return M.instanceFromWire(await this.call<M.WireVm>('POST', `/vms/${enc(id)}/reboot`))
  }
  waitForInstanceStatus<S extends InstanceStatus | Deleted>(id: string, status: S, options?: WaitOptions): Promise<WaitResult<S, Instance>> {
    return this.wait('instance', id, status, (i) => this.getInstance(i), options)
  }

  // --- networks ----------------------------------------------------------------

  async createNetwork(req: CreateNetworkRequest): Promise<Network> {
    return M.networkFromWire(await this.call<M.WireEnvironment>('POST', '/environments', M.networkToWire(req)))
  }
  async getNetwork(id: string): Promise<Network> {
    return M.networkFromWire(await this.call<M.WireEnvironment>('GET', `/environments/${enc(id)}`))
  }
  async listNetworks(options?: ListOptions): Promise<Page<Network>> {
    return this.list('/environments', listQuery(options), M.networkFromWire)
  }
  async deleteNetwork(id: string): Promise<void> {
    await this.call('DELETE', `/environments/${enc(id)}`)
  }

  // --- floating IPs ------------------------------------------------------------

  async allocateFloatingIP(req: AllocateFloatingIpRequest = {}): Promise<FloatingIp> {
    return M.floatingIpFromWire(await this.call<M.WireFloatingIp>('POST', '/floating-ips', M.floatingIpToWire(req)))
  }
  async getFloatingIP(id: string): Promise<FloatingIp> {
    return M.floatingIpFromWire(await this.call<M.WireFloatingIp>('GET', `/floating-ips/${enc(id)}`))
  }
  async listFloatingIPs(options?: ListOptions): Promise<Page<FloatingIp>> {
    return this.list('/floating-ips', listQuery(options), M.floatingIpFromWire)
  }
  async attachFloatingIP(floatingIpId: string, instanceId: string): Promise<FloatingIp> {
    return M.floatingIpFromWire(await this.call<M.WireFloatingIp>('POST', `/floating-ips/${enc(floatingIpId)}/attach/${enc(instanceId)}`))
  }
  async detachFloatingIP(floatingIpId: string): Promise<FloatingIp> {
    return M.floatingIpFromWire(await this.call<M.WireFloatingIp>('POST', `/floating-ips/${enc(floatingIpId)}/detach`))
  }
  async releaseFloatingIP(floatingIpId: string): Promise<void> {
    await this.call('DELETE', `/floating-ips/${enc(floatingIpId)}`)
  }

  // --- security groups ---------------------------------------------------------

  async createSecurityGroup(req: CreateSecurityGroupRequest): Promise<SecurityGroup> {
    return M.securityGroupFromWire(await this.call<M.WireSecurityGroup>('POST', '/security-groups', M.securityGroupToWire(req)))
  }
  async getSecurityGroup(id: string): Promise<SecurityGroup> {
    return M.securityGroupFromWire(await this.call<M.WireSecurityGroup>('GET', `/security-groups/${enc(id)}`))
  }
  async listSecurityGroups(options?: ListOptions): Promise<Page<SecurityGroup>> {
    return this.list('/security-groups', listQuery(options), M.securityGroupFromWire)
  }
  async deleteSecurityGroup(id: string): Promise<void> {
    await this.call('DELETE', `/security-groups/${enc(id)}`)
  }

  // --- DNS records -------------------------------------------------------------

  async createDNSRecord(req: CreateDnsRecordRequest): Promise<DnsRecord> {
    return M.dnsRecordFromWire(await this.call<M.WireDnsRecord>('POST', '/dns-records', M.dnsRecordToWire(req)))
  }
  async getDNSRecord(id: string): Promise<DnsRecord> {
    return M.dnsRecordFromWire(await this.call<M.WireDnsRecord>('GET', `/dns-records/${enc(id)}`))
  }
  async listDNSRecords(options?: ListOptions): Promise<Page<DnsRecord>> {
    return this.list('/dns-records', listQuery(options), M.dnsRecordFromWire)
  }
  async deleteDNSRecord(id: string): Promise<void> {
    await this.call('DELETE', `/dns-records/${enc(id)}`)
  }

  // --- containers --------------------------------------------------------------

  async createContainer(req: CreateContainerRequest): Promise<Container> {
    return M.containerFromWire(await this.call<M.WireContainer>('POST', '/containers', M.containerToWire(req)))
  }
  async getContainer(id: string): Promise<Container> {
    return M.containerFromWire(await this.call<M.WireContainer>('GET', `/containers/${enc(id)}`))
  }
  async getContainerStatus(id: string): Promise<ContainerStatus> {
    return (await this.getContainer(id)).status
  }
  async listContainers(options?: ListOptions): Promise<Page<Container>> {
    return this.list('/containers', listQuery(options), M.containerFromWire)
  }
  async stopContainer(id: string): Promise<Container> {
    return M.containerFromWire(await this.call<M.WireContainer>('POST', `/containers/${enc(id)}/stop`))
  }
  async startContainer(id: string): Promise<Container> {
    return M.containerFromWire(await this.call<M.WireContainer>('POST', `/containers/${enc(id)}/start`))
  }
  async deleteContainer(id: string): Promise<void> {
    await this.call('DELETE', `/containers/${enc(id)}`)
  }
  waitForContainerStatus<S extends ContainerStatus | Deleted>(id: string, status: S, options?: WaitOptions): Promise<WaitResult<S, Container>> {
    return this.wait('container', id, status, (i) => this.getContainer(i), options)
  }

  // --- volumes -----------------------------------------------------------------

  async createVolume(req: CreateVolumeRequest): Promise<Volume> {
    return M.volumeFromWire(await this.call<M.WireVolume>('POST', '/volumes', M.volumeToWire(req)))
  }
  async getVolume(id: string): Promise<Volume> {
    return M.volumeFromWire(await this.call<M.WireVolume>('GET', `/volumes/${enc(id)}`))
  }
  async listVolumes(options?: ListOptions): Promise<Page<Volume>> {
    return this.list('/volumes', listQuery(options), M.volumeFromWire)
  }
  async attachVolume(volumeId: string, instanceId: string): Promise<Volume> {
    return M.volumeFromWire(await this.call<M.WireVolume>('POST', `/volumes/${enc(volumeId)}/attach/${enc(instanceId)}`))
  }
  async detachVolume(volumeId: string): Promise<Volume> {
    return M.volumeFromWire(await this.call<M.WireVolume>('POST', `/volumes/${enc(volumeId)}/detach`))
  }
  async deleteVolume(id: string): Promise<void> {
    await this.call('DELETE', `/volumes/${enc(id)}`)
  }
  waitForVolumeStatus<S extends VolumeStatus | Deleted>(id: string, status: S, options?: WaitOptions): Promise<WaitResult<S, Volume>> {
    return this.wait('volume', id, status, (i) => this.getVolume(i), options)
  }

  async close(): Promise<void> {
    if (this.closed) return
    this.closed = true
    await this.transport.close?.()
  }

  // --- plumbing ----------------------------------------------------------------

  /**
   * One request; resolves with the 2xx body, throws the mapped error otherwise.
   * `forInstance` names the request fields as CreateInstanceRequest does (`flavor` -> `flavorId`).
   */
  private async call<W = undefined>(method: HttpMethod, path: string, body?: unknown, forInstance = false): Promise<W> {
    if (this.closed) throw new MockcloudError('this InfraClient is closed', { status: 0, code: SDK_ERR_CLOSED })
    const res = await this.transport.request(method, API + path, body)
    if (res.status < 200 || res.status >= 300) throw errorFromResponse(res.status, res.body, (f) => M.sdkField(f, forInstance))
    // NOTE: only a 204 (sync deletes) has no body; anything else not JSON is not a mockcloud answering.
    if (res.status !== 204 && (typeof res.body !== 'object' || res.body === null)) {
      throw new MockcloudError(`${method} ${path}: answer ${res.status} is not JSON`, { status: res.status, code: SDK_ERR_BAD_RESPONSE })
    }
    return res.body as W
  }

  private async list<W, R>(path: string, params: Record<string, string | number | undefined>, map: (w: W) => R): Promise<Page<R>> {
    const page = await this.call<M.WirePage<W>>('GET', path + query(params))
    return { items: page.items.map(map), nextCursor: page.next_cursor }
  }

  private wait<R extends Instance | Volume | Container, S extends string>(
    kind: 'instance' | 'volume' | 'container',
    id: string,
    status: S,
    get: (id: string) => Promise<R>,
    options: WaitOptions = {},
  ): Promise<WaitResult<S, R>> {
    const timing = { timeoutMs: options.timeoutMs ?? this.timeoutMs, pollIntervalMs: options.pollIntervalMs ?? this.pollIntervalMs, signal: options.signal }
    // NOTE: waitForStatus resolves null exactly when `status` is 'deleted', which is what WaitResult says.
    return waitForStatus({ kind, id, target: status, get }, timing) as Promise<WaitResult<S, R>>
  }
}
