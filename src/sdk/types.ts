/**
 * The SDK's result and request types, in camelCase. Every `InfraClient`
 * implementation speaks these, whatever its wire (mockcloud's native API,
 * in process or over HTTP). Timestamps are ISO 8601 strings.
 *
 * Names follow seed 000's Go `infra.Client`: an "instance" is the native
 * API's VM, a "network" its environment.
 */

// --- statuses -----------------------------------------------------------------

/** building -> active | error; stop -> stopping -> stopped; start -> starting -> active; reboot -> rebooting -> active; delete -> deleting -> gone. */
export type InstanceStatus = 'building' | 'active' | 'stopping' | 'stopped' | 'starting' | 'rebooting' | 'deleting' | 'error'
/** creating -> available | error; attach -> attaching -> in-use; detach -> detaching -> available; delete -> deleting -> gone. */
export type VolumeStatus = 'creating' | 'available' | 'attaching' | 'in-use' | 'detaching' | 'deleting' | 'error'
/** creating -> running | error; stop -> stopping -> stopped; start -> starting -> running; delete -> deleting -> gone. */
export type ContainerStatus = 'creating' | 'running' | 'stopping' | 'stopped' | 'starting' | 'deleting' | 'error'
/** Networks, security groups, floating IPs and DNS records are usable at once. */
export type ImmediateStatus = 'active'
/**
 * Not a status a resource reports: asking a `waitFor…` method for it waits
 * until the resource is gone (its get answers 404).
 */
export type Deleted = 'deleted'

// --- results ------------------------------------------------------------------

/** A VM (the native API's `vms`). */
export interface Instance {
  id: string
  name: string
  status: InstanceStatus
  /** The step of a build or reboot under way (`scheduling`, `spawning`…), null otherwise, when the implementation knows it. */
  phase?: string | null
  flavorId: string
  /** The flavor's name at boot (`m1.small`), when the implementation knows it. */
  flavorName?: string
  imageId: string
  /** The image's name at boot (`ubuntu-22.04`), when the implementation knows it. */
  imageName?: string
  networkId: string
  /** The fixed address in the network's cidr. */
  ipAddress: string
  securityGroupIds: string[]
  keyName: string | null
  metadata: Record<string, string>
  /** Why the last operation failed (status `error`), else null. */
  error: string | null
  createdAt: string
  updatedAt: string
}

/** A network with its own subnet (the native API's `environments`). */
export interface Network {
  id: string
  name: string
  cidr: string | null
  subnetId: string | null
  status: ImmediateStatus
  description: string
  createdAt: string
  updatedAt: string
}

/** A public address from the floating pool (41.100.0.0/16 by default). */
export interface FloatingIp {
  id: string
  address: string
  status: ImmediateStatus
  /** The instance it is attached to, else null. */
  instanceId: string | null
  /** The attached instance's fixed address, else null. */
  fixedIp: string | null
  description: string
  createdAt: string
  updatedAt: string
}

export interface SecurityGroupRule {
  id: string
  direction: 'ingress' | 'egress'
  ethertype: 'IPv4' | 'IPv6'
  /** null means any protocol. */
  protocol: string | null
  portRangeMin: number | null
  portRangeMax: number | null
  remoteIpPrefix: string | null
  remoteGroupId: string | null
  description: string
}

export interface SecurityGroup {
  id: string
  name: string
  description: string
  status: ImmediateStatus
  rules: SecurityGroupRule[]
  createdAt: string
  updatedAt: string
}

/** A DNS record set: one name and type, one or more values. */
export interface DnsRecord {
  id: string
  name: string
  type: string
  /** The first of `records`, for the common single-value case. */
  value: string
  records: string[]
  ttl: number
  status: ImmediateStatus
  description: string
  createdAt: string
  updatedAt: string
}

export interface Container {
  id: string
  name: string
  image: string
  status: ContainerStatus
  command: string[]
  env: Record<string, string>
  ports: number[]
  startedAt: string | null
  stoppedAt: string | null
  exitCode: number | null
  error: string | null
  createdAt: string
  updatedAt: string
}

/** A block storage volume. */
export interface Volume {
  id: string
  name: string
  sizeGb: number
  status: VolumeStatus
  /** The instance it is attached (or attaching) to, else null. */
  instanceId: string | null
  /** Its device on that instance (`/dev/vdb`), else null. */
  device: string | null
  description: string
  volumeType: string
  error: string | null
  createdAt: string
  updatedAt: string
}

// --- requests -----------------------------------------------------------------

export interface CreateInstanceRequest {
  name: string
  /** Flavor id or name: `2`, `m1.small` or `small`. Default `m1.small`. */
  flavorId?: string
  /** Image id or name (`ubuntu-22.04`). Default `ubuntu-22.04`. */
  imageId?: string
  networkId: string
  /** Security group ids or names. Default: the project's `default` group. */
  securityGroups?: string[]
  keyName?: string | null
  metadata?: Record<string, string>
}

export interface CreateNetworkRequest {
  name: string
  /** IPv4 range; default the project's lowest free 10.N.0.0/16. */
  cidr?: string
  description?: string
}

export interface SecurityGroupRuleRequest {
  direction: 'ingress' | 'egress'
  ethertype?: 'IPv4' | 'IPv6'
  /** `tcp`, `udp`, `icmp`…; null or unset means any. */
  protocol?: string | null
  portRangeMin?: number | null
  portRangeMax?: number | null
  remoteIpPrefix?: string | null
  remoteGroupId?: string | null
  description?: string
}

export interface CreateSecurityGroupRequest {
  name: string
  description?: string
  rules?: SecurityGroupRuleRequest[]
}

/** Give either `value` (one) or `records` (several). */
export interface CreateDnsRecordRequest {
  name: string
  /** A, AAAA, CNAME, MX, TXT, NS, SRV, PTR or CAA. */
  type: string
  value?: string
  records?: string[]
  ttl?: number
  description?: string
}

export interface CreateContainerRequest {
  name: string
  /** An image reference (`nginx:1.27`, `ghcr.io/acme/worker:v1`). */
  image: string
  command?: string[]
  env?: Record<string, string>
  ports?: number[]
}

export interface CreateVolumeRequest {
  name: string
  sizeGb: number
  description?: string
  volumeType?: string
}

export interface AllocateFloatingIpRequest {
  description?: string
}

// --- lists and waits ----------------------------------------------------------

/** Filters and paging every list takes. Pages come in creation order. */
export interface ListOptions {
  /** Exact name. */
  name?: string
  status?: string
  /** Page size, 1–1000 (server default 100). */
  limit?: number
  /** `nextCursor` of the previous page. */
  cursor?: string
}

export interface ListInstancesOptions extends ListOptions {
  networkId?: string
}

/** One page of a list; `nextCursor` is null on the last page. */
export interface Page<T> {
  items: T[]
  nextCursor: string | null
}

export interface WaitOptions {
  /** Give up after this long (wall-clock ms) with a WaitTimeoutError. Default 60 000. */
  timeoutMs?: number
  /** Stop waiting when aborted: the wait rejects with `signal.reason`. */
  signal?: AbortSignal
  /** Time between polls (wall-clock ms). Default 50 embedded, 250 over HTTP. */
  pollIntervalMs?: number
}

/**
 * What a waitFor… call resolves to: the resource in the asked status, or
 * null when the asked status was `deleted` (there is nothing left to show).
 */
export type WaitResult<S extends string, R> = S extends Deleted ? null : R
