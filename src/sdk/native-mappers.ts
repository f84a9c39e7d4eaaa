import type { Static } from 'typebox'
import type * as S from '../faces/native/schemas.js'
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
  DnsRecord,
  FloatingIp,
  ImmediateStatus,
  Instance,
  InstanceStatus,
  Network,
  SecurityGroup,
  SecurityGroupRule,
  Volume,
  VolumeStatus,
} from './types.js'

/**
 * The native API's snake_case JSON <-> the SDK's camelCase types. The wire
 * types come from the server's own schemas (type-only import), so a change
 * of the wire breaks this file's compile rather than a user at run time.
 */

export type WireVm = Static<typeof S.Vm>
export type WireEnvironment = Static<typeof S.Environment>
export type WireFloatingIp = Static<typeof S.FloatingIp>
export type WireSecurityGroup = Static<typeof S.SecurityGroup>
export type WireDnsRecord = Static<typeof S.DnsRecord>
export type WireContainer = Static<typeof S.Container>
export type WireVolume = Static<typeof S.Volume>
export interface WirePage<T> {
  items: T[]
  next_cursor: string | null
}

// NOTE: statuses are cast, not checked: a newer server may report one this SDK does not know yet.
const stamps = (w: { created_at: string; updated_at: string }) => ({ createdAt: w.created_at, updatedAt: w.updated_at })

export function instanceFromWire(w: WireVm): Instance {
  return {
    id: w.id,
    name: w.name,
    status: w.status as InstanceStatus,
    phase: w.phase,
    flavorId: w.flavor_id,
    flavorName: w.flavor,
    imageId: w.image_id,
    imageName: w.image,
    networkId: w.environment_id,
    ipAddress: w.ip_address,
    securityGroupIds: w.security_group_ids,
    keyName: w.key_name,
    metadata: w.metadata,
    error: w.error,
    ...stamps(w),
  }
}

export function networkFromWire(w: WireEnvironment): Network {
  return { id: w.id, name: w.name, cidr: w.cidr, subnetId: w.subnet_id, status: w.status as ImmediateStatus, description: w.description, ...stamps(w) }
}

export function floatingIpFromWire(w: WireFloatingIp): FloatingIp {
  return {
    id: w.id,
    address: w.address,
    status: w.status as ImmediateStatus,
    instanceId: w.vm_id,
    fixedIp: w.fixed_ip,
    description: w.description,
    ...stamps(w),
  }
}

function ruleFromWire(w: WireSecurityGroup['rules'][number]): SecurityGroupRule {
  return {
    id: w.id,
    direction: w.direction as SecurityGroupRule['direction'],
    ethertype: w.ethertype as SecurityGroupRule['ethertype'],
    protocol: w.protocol,
    portRangeMin: w.port_range_min,
    portRangeMax: w.port_range_max,
    remoteIpPrefix: w.remote_ip_prefix,
    remoteGroupId: w.remote_group_id,
    description: w.description,
  }
}

export function securityGroupFromWire(w: WireSecurityGroup): SecurityGroup {
  return { id: w.id, name: w.name, description: w.description, status: w.status as ImmediateStatus, rules: w.rules.map(ruleFromWire), ...stamps(w) }
}

export function dnsRecordFromWire(w: WireDnsRecord): DnsRecord {
  return {
    id: w.id,
    name: w.name,
    type: w.type,
    value: w.value,
    records: w.records,
    ttl: w.ttl,
    status: w.status as ImmediateStatus,
    description: w.description,
    ...stamps(w),
  }
}

export function containerFromWire(w: WireContainer): Container {
  return {
    id: w.id,
    name: w.name,
    image: w.image,
    status: w.status as ContainerStatus,
    command: w.command,
    env: w.env,
    ports: w.ports,
    startedAt: w.started_at,
    stoppedAt: w.stopped_at,
    exitCode: w.exit_code,
    error: w.error,
    ...stamps(w),
  }
}

export function volumeFromWire(w: WireVolume): Volume {
  return {
    id: w.id,
    name: w.name,
    sizeGb: w.size_gb,
    status: w.status as VolumeStatus,
    instanceId: w.vm_id,
    device: w.device,
    description: w.description,
    volumeType: w.volume_type,
    error: w.error,
    ...stamps(w),
  }
}

// --- requests -----------------------------------------------------------------
// NOTE: unset fields stay undefined, which JSON.stringify drops: the server rejects unknown fields, not absent ones.

export function instanceToWire(r: CreateInstanceRequest): Static<typeof S.CreateVm> {
  return {
    name: r.name,
    environment_id: r.networkId,
    flavor: r.flavorId,
    image: r.imageId,
    security_group_ids: r.securityGroups,
    key_name: r.keyName,
    metadata: r.metadata,
  }
}

export function networkToWire(r: CreateNetworkRequest): Static<typeof S.CreateEnvironment> {
  return { name: r.name, cidr: r.cidr, description: r.description }
}

export function securityGroupToWire(r: CreateSecurityGroupRequest): Static<typeof S.CreateSecurityGroup> {
  return {
    name: r.name,
    description: r.description,
    rules: r.rules?.map((x) => ({
      direction: x.direction,
      ethertype: x.ethertype,
      protocol: x.protocol,
      port_range_min: x.portRangeMin,
      port_range_max: x.portRangeMax,
      remote_ip_prefix: x.remoteIpPrefix,
      remote_group_id: x.remoteGroupId,
      description: x.description,
    })),
  }
}

export function dnsRecordToWire(r: CreateDnsRecordRequest): Static<typeof S.CreateDnsRecord> {
  return { name: r.name, type: r.type, value: r.value, records: r.records, ttl: r.ttl, description: r.description }
}

export function containerToWire(r: CreateContainerRequest): Static<typeof S.CreateContainer> {
  return { name: r.name, image: r.image, command: r.command, env: r.env, ports: r.ports }
}

export function volumeToWire(r: CreateVolumeRequest): Static<typeof S.CreateVolume> {
  return { name: r.name, size_gb: r.sizeGb, description: r.description, volume_type: r.volumeType }
}

export function floatingIpToWire(r: AllocateFloatingIpRequest): Static<typeof S.CreateFloatingIp> {
  return { description: r.description }
}

/** Wire field names the SDK's requests spell differently from plain camelCase. */
const RENAMED: Record<string, string> = {
  environment_id: 'networkId',
  flavor: 'flavorId',
  image: 'imageId',
  security_group_ids: 'securityGroups',
  vm_id: 'instanceId',
  'X-Project-Id': 'tenantId',
}

/**
 * A field as the server named it -> as the SDK's request names it:
 * `size_gb` -> `sizeGb`, `rules[0].port_range_min` -> `rules[0].portRangeMin`,
 * `security_group_ids[1]` -> `securityGroups[1]`. Keys of a map
 * (`metadata.my_key`, `env.MY_VAR`) are the caller's own and stay as sent.
 *
 * NOTE: `image` is also a container's field; only instance requests rename it (`forInstance`).
 */
export function sdkField(wire: string, forInstance = false): string {
  const parts = wire.split('.')
  return parts
    .map((part, i) => {
      // NOTE: after `rules[0]` comes a field of the rule; after `metadata` a key of the map.
      if (i > 0 && !parts[i - 1]!.endsWith(']')) return part
      const m = /^([A-Za-z_-]+)(.*)$/.exec(part)
      if (!m) return part
      const [, head = '', tail = ''] = m
      const instanceOnly = head === 'flavor' || head === 'image'
      const renamed = instanceOnly && !forInstance ? undefined : RENAMED[head]
      return (renamed ?? head.replace(/_([a-z0-9])/g, (_, c: string) => c.toUpperCase())) + tail
    })
    .join('.')
}
