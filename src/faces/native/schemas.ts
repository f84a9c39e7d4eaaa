import { Type, type TSchema } from 'typebox'

/**
 * The native API's wire schemas (snake_case JSON), used for validation,
 * response serialisation and the OpenAPI document.
 */

const Name = Type.String({ minLength: 1, maxLength: 255, description: 'Human-readable name' })
const Timestamp = Type.String({ format: 'date-time' })
const Nullable = <T extends TSchema>(t: T) => Type.Union([t, Type.Null()])
const Error = Nullable(Type.String({ description: 'Why the last operation failed, when it did' }))

export const IdParams = Type.Object(
  { id: Type.String({ pattern: '^[A-Za-z0-9_.:-]{1,128}$', description: 'Resource id' }) },
  { additionalProperties: false },
)
export const AttachParams = Type.Object(
  { id: IdParams.properties.id, vm_id: Type.String({ pattern: '^[A-Za-z0-9_.:-]{1,128}$', description: 'VM id' }) },
  { additionalProperties: false },
)

export const ListQueryBase = {
  limit: Type.Optional(Type.Integer({ minimum: 1, maximum: 1000, description: 'Page size (default 100)' })),
  cursor: Type.Optional(Type.String({ minLength: 1, maxLength: 64, description: 'next_cursor of the previous page' })),
  name: Type.Optional(Type.String({ maxLength: 255 })),
}

export const ErrorBody = Type.Object({
  error: Type.Object({
    status: Type.Integer(),
    code: Type.String(),
    message: Type.String(),
    field: Nullable(Type.String()),
  }),
})

export const Page = <T extends TSchema>(item: T) =>
  Type.Object({ items: Type.Array(item), next_cursor: Nullable(Type.String({ description: 'Pass as ?cursor= for the next page' })) })

// --- environments -----------------------------------------------------------

export const CreateEnvironment = Type.Object(
  {
    name: Name,
    cidr: Type.Optional(Type.String({ description: 'IPv4 range; default the lowest free 10.N.0.0/16 of the project' })),
    description: Type.Optional(Type.String({ maxLength: 1024 })),
  },
  { additionalProperties: false },
)
export const Environment = Type.Object({
  id: Type.String(),
  name: Type.String(),
  cidr: Nullable(Type.String()),
  subnet_id: Nullable(Type.String()),
  status: Type.String(),
  description: Type.String(),
  created_at: Timestamp,
  updated_at: Timestamp,
})

// --- security groups --------------------------------------------------------

const RuleFields = {
  direction: Type.Union([Type.Literal('ingress'), Type.Literal('egress')]),
  ethertype: Type.Optional(Type.Union([Type.Literal('IPv4'), Type.Literal('IPv6')])),
  protocol: Type.Optional(Nullable(Type.String({ maxLength: 16 }))),
  port_range_min: Type.Optional(Nullable(Type.Integer({ minimum: 0, maximum: 65535 }))),
  port_range_max: Type.Optional(Nullable(Type.Integer({ minimum: 0, maximum: 65535 }))),
  remote_ip_prefix: Type.Optional(Nullable(Type.String({ maxLength: 64 }))),
  remote_group_id: Type.Optional(Nullable(Type.String({ maxLength: 128 }))),
  description: Type.Optional(Type.String({ maxLength: 255 })),
}
export const CreateSecurityGroup = Type.Object(
  {
    name: Name,
    description: Type.Optional(Type.String({ maxLength: 1024 })),
    rules: Type.Optional(Type.Array(Type.Object(RuleFields, { additionalProperties: false }), { maxItems: 100 })),
  },
  { additionalProperties: false },
)
export const SecurityGroupRule = Type.Object({
  id: Type.String(),
  direction: Type.String(),
  ethertype: Type.String(),
  protocol: Nullable(Type.String()),
  port_range_min: Nullable(Type.Integer()),
  port_range_max: Nullable(Type.Integer()),
  remote_ip_prefix: Nullable(Type.String()),
  remote_group_id: Nullable(Type.String()),
  description: Type.String(),
})
export const SecurityGroup = Type.Object({
  id: Type.String(),
  name: Type.String(),
  description: Type.String(),
  status: Type.String(),
  rules: Type.Array(SecurityGroupRule),
  created_at: Timestamp,
  updated_at: Timestamp,
})

// --- VMs --------------------------------------------------------------------

export const CreateVm = Type.Object(
  {
    name: Name,
    environment_id: Type.String({ minLength: 1, maxLength: 128 }),
    flavor: Type.Optional(Type.String({ minLength: 1, maxLength: 255, description: 'Flavor id or name (default m1.small)' })),
    image: Type.Optional(Type.String({ minLength: 1, maxLength: 255, description: 'Image id or name (default ubuntu-22.04)' })),
    security_group_ids: Type.Optional(Type.Array(Type.String({ minLength: 1, maxLength: 255 }), { maxItems: 20, description: 'Ids or names; default the project default group' })),
    key_name: Type.Optional(Nullable(Type.String({ maxLength: 255 }))),
    metadata: Type.Optional(Type.Record(Type.String({ maxLength: 255 }), Type.String({ maxLength: 255 }))),
  },
  { additionalProperties: false },
)
export const Vm = Type.Object({
  id: Type.String(),
  name: Type.String(),
  environment_id: Type.String(),
  flavor: Type.String(),
  flavor_id: Type.String(),
  image: Type.String(),
  image_id: Type.String(),
  status: Type.String(),
  phase: Nullable(Type.String({ description: 'The step of a build or reboot under way (scheduling, networking, block_device_mapping, spawning; reboot_pending, reboot_started); null otherwise' })),
  ip_address: Type.String(),
  security_group_ids: Type.Array(Type.String()),
  key_name: Nullable(Type.String()),
  metadata: Type.Record(Type.String(), Type.String()),
  error: Error,
  created_at: Timestamp,
  updated_at: Timestamp,
})

// --- volumes ----------------------------------------------------------------

export const CreateVolume = Type.Object(
  {
    name: Name,
    size_gb: Type.Integer({ minimum: 1, maximum: 16384 }),
    description: Type.Optional(Type.String({ maxLength: 1024 })),
    volume_type: Type.Optional(Type.String({ minLength: 1, maxLength: 64 })),
  },
  { additionalProperties: false },
)
export const Volume = Type.Object({
  id: Type.String(),
  name: Type.String(),
  size_gb: Type.Integer(),
  status: Type.String(),
  vm_id: Nullable(Type.String()),
  device: Nullable(Type.String()),
  description: Type.String(),
  volume_type: Type.String(),
  error: Error,
  created_at: Timestamp,
  updated_at: Timestamp,
})

// --- floating IPs -----------------------------------------------------------

export const CreateFloatingIp = Type.Object({ description: Type.Optional(Type.String({ maxLength: 1024 })) }, { additionalProperties: false })
export const FloatingIp = Type.Object({
  id: Type.String(),
  address: Type.String(),
  status: Type.String(),
  vm_id: Nullable(Type.String()),
  fixed_ip: Nullable(Type.String()),
  description: Type.String(),
  created_at: Timestamp,
  updated_at: Timestamp,
})

// --- DNS records ------------------------------------------------------------

export const CreateDnsRecord = Type.Object(
  {
    name: Type.String({ minLength: 1, maxLength: 253 }),
    type: Type.String({ minLength: 1, maxLength: 8, description: 'A, AAAA, CNAME, MX, TXT, NS, SRV, PTR or CAA' }),
    value: Type.Optional(Type.String({ minLength: 1, maxLength: 4096 })),
    records: Type.Optional(Type.Array(Type.String({ minLength: 1, maxLength: 4096 }), { minItems: 1, maxItems: 100 })),
    ttl: Type.Optional(Type.Integer({ minimum: 1, maximum: 2147483647 })),
    description: Type.Optional(Type.String({ maxLength: 1024 })),
  },
  { additionalProperties: false },
)
export const DnsRecord = Type.Object({
  id: Type.String(),
  name: Type.String(),
  type: Type.String(),
  value: Type.String(),
  records: Type.Array(Type.String()),
  ttl: Type.Integer(),
  status: Type.String(),
  description: Type.String(),
  created_at: Timestamp,
  updated_at: Timestamp,
})

// --- containers -------------------------------------------------------------

export const CreateContainer = Type.Object(
  {
    name: Name,
    image: Type.String({ minLength: 1, maxLength: 512 }),
    command: Type.Optional(Type.Array(Type.String({ maxLength: 4096 }), { maxItems: 100 })),
    env: Type.Optional(Type.Record(Type.String({ minLength: 1, maxLength: 255 }), Type.String({ maxLength: 4096 }))),
    ports: Type.Optional(Type.Array(Type.Integer({ minimum: 1, maximum: 65535 }), { maxItems: 100 })),
  },
  { additionalProperties: false },
)
export const Container = Type.Object({
  id: Type.String(),
  name: Type.String(),
  image: Type.String(),
  status: Type.String(),
  command: Type.Array(Type.String()),
  env: Type.Record(Type.String(), Type.String()),
  ports: Type.Array(Type.Integer()),
  started_at: Nullable(Timestamp),
  stopped_at: Nullable(Timestamp),
  exit_code: Nullable(Type.Integer()),
  error: Error,
  created_at: Timestamp,
  updated_at: Timestamp,
})

// --- flavors and images (read-only: seeded in the shared scope) -------------

export const Flavor = Type.Object({
  id: Type.String(),
  name: Type.String(),
  status: Type.String(),
  vcpus: Type.Integer(),
  ram_mb: Type.Integer(),
  disk_gb: Type.Integer(),
  ephemeral_gb: Type.Integer(),
  swap_mb: Type.Integer(),
  is_public: Type.Boolean(),
  description: Nullable(Type.String()),
  created_at: Timestamp,
  updated_at: Timestamp,
})

export const Image = Type.Object({
  id: Type.String(),
  name: Type.String(),
  status: Type.String(),
  disk_format: Type.String(),
  container_format: Type.String(),
  min_disk_gb: Type.Integer(),
  min_ram_mb: Type.Integer(),
  size_bytes: Type.Integer(),
  visibility: Type.String({ description: 'public, private, shared or community' }),
  os_distro: Nullable(Type.String()),
  os_version: Nullable(Type.String()),
  checksum: Type.String({ description: 'MD5 of the image data' }),
  created_at: Timestamp,
  updated_at: Timestamp,
})

// --- updates (PATCH) ---------------------------------------------------------

const Description = Type.String({ maxLength: 1024 })
/** A PATCH body: only the fields given change; at least one. */
const Patch = (props: Record<string, TSchema>, what: string) =>
  Type.Object(Object.fromEntries(Object.entries(props).map(([k, v]) => [k, Type.Optional(v)])), { additionalProperties: false, minProperties: 1, description: `What to change on the ${what}` })

export const UpdateNamed = Patch({ name: Name }, 'resource')
export const UpdateDescribed = Patch({ name: Name, description: Description }, 'resource')
export const UpdateFloatingIp = Patch({ description: Description }, 'floating IP')
export const UpdateDnsRecord = Patch({ ttl: Type.Integer({ minimum: 1, maximum: 2147483647 }), description: Description }, 'DNS record')
