import { Type, type Static } from 'typebox'
import { defineKind } from '../define-kind.js'
import { floatingIpHooks } from './floating-ip.ops.js'

export const FloatingIpDataSchema = Type.Object({
  address: Type.String(),
  floatingNetworkId: Type.String(),
  vmId: Type.Union([Type.String(), Type.Null()]),
  portId: Type.Union([Type.String(), Type.Null()]),
  fixedIp: Type.Union([Type.String(), Type.Null()]),
  description: Type.String(),
})
export type FloatingIpData = Static<typeof FloatingIpDataSchema>

export interface AllocateFloatingIpInput {
  description?: string
  /** The external network to allocate from; default the seeded `public` one. */
  floatingNetworkId?: string
}

/**
 * A public address from the external network's pool (41.100.0.0/16 by
 * default, as in seed 000). Usable at once; records the VM it is attached to.
 */
export const floatingIpKind = defineKind<FloatingIpData>({
  id: 'network.floating-ip',
  data: FloatingIpDataSchema,
  names: ['floating-ip', 'floating_ip', 'floatingip'],
  label: 'floating IP',
  states: ['active'],
  operations: {
    create: { to: 'active' },
    attach: { from: ['active'], to: 'active' },
    detach: { from: ['active'], to: 'active' },
    delete: { from: '*', to: null },
  },
  updatable: { data: ['description'] },
  filters: ['vmId', 'portId', 'address', 'fixedIp'],
  quota: () => ({ floatingIps: 1 }),
  hooks: floatingIpHooks,
})
