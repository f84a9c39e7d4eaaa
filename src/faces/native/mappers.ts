import type { Static } from 'typebox'
import type { Engine } from '../../engine/engine.js'
import type { UpdateChange } from '../../engine/update.js'
import { snakeField } from '../../server/error-shape.js'
import type { ContainerData } from '../../engine/kinds/container.kind.js'
import type { DnsRecordData } from '../../engine/kinds/dns-record.kind.js'
import type { FlavorData } from '../../engine/kinds/flavor.kind.js'
import type { FloatingIpData } from '../../engine/kinds/floating-ip.kind.js'
import type { ImageData } from '../../engine/kinds/image.kind.js'
import type { NetworkData } from '../../engine/kinds/network.kind.js'
import type { SecurityGroupRuleData } from '../../engine/kinds/security-group-rule.kind.js'
import type { SecurityGroupData } from '../../engine/kinds/security-group.kind.js'
import type { ServerData } from '../../engine/kinds/server.kind.js'
import type { VolumeData } from '../../engine/kinds/volume.kind.js'
import type { ResourceRecord } from '../../store/records.js'
import type * as S from './schemas.js'

/** Engine records to native wire objects, and native request bodies to engine input. */

const iso = (ms: number) => new Date(ms).toISOString()
const isoOrNull = (ms: number | null) => (ms === null ? null : iso(ms))
const stamps = (r: ResourceRecord<unknown>) => ({ created_at: iso(r.createdAt), updated_at: iso(r.updatedAt) })
// NOTE: the engine's words in why it failed, like its errors', in the native API's.
const faultOf = (data: { fault?: { message: string } | null | undefined }) => (data.fault ? nativeWords(data.fault.message) : null)

export function environmentToWire(r: ResourceRecord<NetworkData>): Static<typeof S.Environment> {
  return { id: r.id, name: r.name, cidr: r.data.cidr, subnet_id: r.data.subnetId, status: r.status, description: r.data.description, ...stamps(r) }
}

/** A PATCH body as an engine update: `name` is the name, every other field a data field of the same name. */
export function updateChange(b: Record<string, unknown>): UpdateChange {
  const { name, ...data } = b
  return { name: typeof name === 'string' ? name : undefined, data }
}

export function environmentInput(b: Static<typeof S.CreateEnvironment>): Record<string, unknown> {
  return { name: b.name, description: b.description, subnet: b.cidr ? { cidr: b.cidr } : 'auto' }
}

export function ruleToWire(r: ResourceRecord<SecurityGroupRuleData>): Static<typeof S.SecurityGroupRule> {
  const d = r.data
  return {
    id: r.id,
    direction: d.direction,
    ethertype: d.ethertype,
    protocol: d.protocol,
    port_range_min: d.portRangeMin,
    port_range_max: d.portRangeMax,
    remote_ip_prefix: d.remoteIpPrefix,
    remote_group_id: d.remoteGroupId,
    description: d.description,
  }
}

export async function securityGroupToWire(r: ResourceRecord<SecurityGroupData>, engine: Engine): Promise<Static<typeof S.SecurityGroup>> {
  const rules = (await engine.children(r.id, 'network.security-group-rule')) as Array<ResourceRecord<SecurityGroupRuleData>>
  return { id: r.id, name: r.name, description: r.data.description, status: r.status, rules: rules.map(ruleToWire), ...stamps(r) }
}

export function securityGroupInput(b: Static<typeof S.CreateSecurityGroup>): Record<string, unknown> {
  return {
    name: b.name,
    description: b.description,
    rules: b.rules?.map((x) => ({
      direction: x.direction,
      ethertype: x.ethertype,
      protocol: x.protocol,
      portRangeMin: x.port_range_min,
      portRangeMax: x.port_range_max,
      remoteIpPrefix: x.remote_ip_prefix,
      remoteGroupId: x.remote_group_id,
      description: x.description,
    })),
  }
}

export function vmToWire(r: ResourceRecord<ServerData>): Static<typeof S.Vm> {
  const d = r.data
  return {
    id: r.id,
    name: r.name,
    environment_id: d.networkId,
    flavor: d.flavorName,
    flavor_id: d.flavorId,
    image: d.imageName,
    image_id: d.imageId,
    status: r.status,
    phase: r.phase,
    ip_address: d.ipAddress,
    security_group_ids: d.securityGroupIds,
    key_name: d.keyName,
    metadata: d.metadata,
    error: faultOf(d),
    ...stamps(r),
  }
}

export function vmInput(b: Static<typeof S.CreateVm>): Record<string, unknown> {
  return {
    name: b.name,
    networkId: b.environment_id,
    flavor: b.flavor,
    image: b.image,
    securityGroups: b.security_group_ids,
    keyName: b.key_name,
    metadata: b.metadata,
  }
}

export function volumeToWire(r: ResourceRecord<VolumeData>): Static<typeof S.Volume> {
  const d = r.data
  return {
    id: r.id,
    name: r.name,
    size_gb: d.sizeGb,
    status: r.status,
    vm_id: d.vmId,
    device: d.device,
    description: d.description,
    volume_type: d.volumeType,
    error: faultOf(d),
    ...stamps(r),
  }
}

export function volumeInput(b: Static<typeof S.CreateVolume>): Record<string, unknown> {
  return { name: b.name, sizeGb: b.size_gb, description: b.description, volumeType: b.volume_type }
}

export function floatingIpToWire(r: ResourceRecord<FloatingIpData>): Static<typeof S.FloatingIp> {
  const d = r.data
  return { id: r.id, address: d.address, status: r.status, vm_id: d.vmId, fixed_ip: d.fixedIp, description: d.description, ...stamps(r) }
}

export function floatingIpInput(b: Static<typeof S.CreateFloatingIp> | undefined): Record<string, unknown> {
  return { description: b?.description }
}

export function dnsRecordToWire(r: ResourceRecord<DnsRecordData>): Static<typeof S.DnsRecord> {
  const d = r.data
  return { id: r.id, name: r.name, type: d.type, value: d.records[0] ?? '', records: d.records, ttl: d.ttl, status: r.status, description: d.description, ...stamps(r) }
}

export function dnsRecordInput(b: Static<typeof S.CreateDnsRecord>): Record<string, unknown> {
  return { name: b.name, type: b.type, records: b.records ?? (b.value === undefined ? [] : [b.value]), ttl: b.ttl, description: b.description }
}

export function containerToWire(r: ResourceRecord<ContainerData>): Static<typeof S.Container> {
  const d = r.data
  return {
    id: r.id,
    name: r.name,
    image: d.image,
    status: r.status,
    command: d.command,
    env: d.env,
    ports: d.ports,
    started_at: isoOrNull(d.startedAt),
    stopped_at: isoOrNull(d.stoppedAt),
    exit_code: d.exitCode,
    error: faultOf(d),
    ...stamps(r),
  }
}

export function containerInput(b: Static<typeof S.CreateContainer>): Record<string, unknown> {
  return { name: b.name, image: b.image, command: b.command, env: b.env, ports: b.ports }
}

export function flavorToWire(r: ResourceRecord<FlavorData>): Static<typeof S.Flavor> {
  const d = r.data
  return {
    id: r.id,
    name: r.name,
    status: r.status,
    vcpus: d.vcpus,
    ram_mb: d.ramMb,
    disk_gb: d.diskGb,
    ephemeral_gb: d.ephemeralGb,
    swap_mb: d.swapMb,
    is_public: d.isPublic,
    description: d.description,
    ...stamps(r),
  }
}

export function imageToWire(r: ResourceRecord<ImageData>): Static<typeof S.Image> {
  const d = r.data
  return {
    id: r.id,
    name: r.name,
    status: r.status,
    disk_format: d.diskFormat,
    container_format: d.containerFormat,
    min_disk_gb: d.minDiskGb,
    min_ram_mb: d.minRamMb,
    size_bytes: d.sizeBytes,
    visibility: d.visibility,
    os_distro: d.osDistro,
    os_version: d.osVersion,
    checksum: d.checksum,
    ...stamps(r),
  }
}

/** Engine field names (camelCase) that the native API spells differently from plain snake_case. */
const RENAMED: Record<string, string> = {
  networkId: 'environment_id',
  securityGroups: 'security_group_ids',
  floatingNetworkId: 'floating_network_id',
}

/** `rules[2].portRangeMin` -> `rules[2].port_range_min`, `networkId` -> `environment_id`. */
export function wireField(engineField: string): string {
  return snakeField(engineField, RENAMED)
}

/** What the native API (seed 002) calls the engine's kinds: a server is a VM, a network an environment. */
const NATIVE_KIND_WORDS: Readonly<Record<string, string>> = { server: 'vm', network: 'environment' }

/**
 * Where an engine message names a kind (rather than using the word, as in
 * "an IPv4 network"): before a resource's id, at its head ("server X not
 * found"), in "no server with id", "another network of", "server(s)", and
 * in why a lifecycle failed.
 */
const KIND_MENTIONS = [
  /\b(server|network)(?= [0-9a-f]{8}-[0-9a-f]{4}-)/g,
  /^(server|network)(?= )/g,
  /(?<=\bno )(server|network)(?= with id\b)/g,
  /(?<=\banother )(network)(?= of\b)/g,
  // NOTE: why a lifecycle failed: "simulated failure of server create", "mockcloud: server create failed 5 times".
  /(?<=\bfailure of )(server|network)\b/g,
  /(?<=^mockcloud: )(server|network)\b/g,
]

/** An engine message in the native API's words. */
export function nativeWords(message: string): string {
  let out = message.replace(/\bserver\(s\)/g, 'VM(s)')
  for (const mention of KIND_MENTIONS) out = out.replace(mention, (word) => NATIVE_KIND_WORDS[word] ?? word)
  return out
}
