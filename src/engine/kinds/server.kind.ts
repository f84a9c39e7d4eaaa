import { Type, type Static } from 'typebox'
import { defineKind } from '../define-kind.js'
import { FaultSchema } from './common.js'
import { PROVISION, QUICK_CHANGE, TEARDOWN } from '../timing-presets.js'
import { serverHooks } from './server.ops.js'
import type { ResourceRecord } from '../../store/records.js'
import type { FlavorData } from './flavor.kind.js'

export const ServerDataSchema = Type.Object({
  flavorId: Type.String(),
  /** Names as they were at boot, so lists need no lookups (as Nova's embedded flavor). */
  flavorName: Type.String(),
  /** The flavor's size at boot, as Nova embeds it: what the server holds of its project's quotas. Missing in snapshots from before 0.2. */
  vcpus: Type.Optional(Type.Integer({ minimum: 1 })),
  ramMb: Type.Optional(Type.Integer({ minimum: 1 })),
  imageId: Type.String(),
  imageName: Type.String(),
  networkId: Type.String(),
  portId: Type.String(),
  ipAddress: Type.String(),
  securityGroupIds: Type.Array(Type.String()),
  keyName: Type.Union([Type.String(), Type.Null()]),
  metadata: Type.Record(Type.String(), Type.String()),
  fault: FaultSchema,
})
export type ServerData = Static<typeof ServerDataSchema>

export interface CreateServerInput {
  name: string
  networkId: string
  /** Flavor id or name; `small` finds `m1.small`. Default `m1.small`. */
  flavor?: string
  /** Image id or name. Default `ubuntu-22.04`. */
  image?: string
  /** Security group ids or names. Default: the project's `default` group. */
  securityGroups?: string[]
  keyName?: string | null
  metadata?: Record<string, string>
}

/**
 * A VM (Nova server). building -> active | error; stop -> stopping -> stopped;
 * start -> starting -> active; reboot -> rebooting -> active; delete -> deleting -> gone.
 * A build passes through Nova's task states (scheduling, networking,
 * block_device_mapping, spawning) and fails, by its own failure rate, while
 * spawning, as Nova's builds mostly do; a reboot is pending, then started.
 */
export const serverKind = defineKind<ServerData>({
  id: 'compute.server',
  data: ServerDataSchema,
  names: ['vm', 'server', 'instance'],
  label: 'server',
  states: ['building', 'active', 'stopping', 'stopped', 'starting', 'rebooting', 'deleting', 'error'],
  operations: {
    create: {
      via: 'building',
      to: 'active',
      failTo: 'error',
      timing: PROVISION,
      // NOTE: shares of the build: most of it is the hypervisor spawning the guest.
      phases: [
        { name: 'scheduling', share: 0.1 },
        { name: 'networking', share: 0.2 },
        { name: 'block_device_mapping', share: 0.1 },
        { name: 'spawning', share: 0.6 },
      ],
    },
    stop: { from: ['active'], via: 'stopping', to: 'stopped', timing: QUICK_CHANGE },
    start: { from: ['stopped'], via: 'starting', to: 'active', timing: QUICK_CHANGE },
    reboot: {
      from: ['active'],
      via: 'rebooting',
      to: 'active',
      timing: QUICK_CHANGE,
      phases: [
        { name: 'reboot_pending', share: 0.2 },
        { name: 'reboot_started', share: 0.8 },
      ],
    },
    delete: { from: '*', via: 'deleting', to: null, timing: TEARDOWN },
  },
  // NOTE: what Nova lists filter on (?flavor=, ?image=, ?ip=, key pairs).
  filters: ['flavorId', 'imageId', 'ipAddress', 'keyName'],
  quota: async (vm, q) => {
    if (vm.data.vcpus !== undefined && vm.data.ramMb !== undefined) return { instances: 1, cores: vm.data.vcpus, ram: vm.data.ramMb }
    // NOTE: a server loaded from an older snapshot, without the flavor's size embedded.
    const flavor = (await q.getResource(vm.data.flavorId)) as ResourceRecord<FlavorData> | undefined
    return { instances: 1, cores: flavor?.data.vcpus ?? 0, ram: flavor?.data.ramMb ?? 0 }
  },
  hooks: serverHooks,
})
