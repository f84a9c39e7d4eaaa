import { Type, type Static } from 'typebox'
import { defineKind } from '../define-kind.js'
import { IMMEDIATE } from './common.js'
import { networkHooks } from './network.ops.js'

export const NetworkDataSchema = Type.Object({
  /** The CIDR of its first subnet (the native API's environment range), if it has one. */
  cidr: Type.Union([Type.String(), Type.Null()]),
  subnetId: Type.Union([Type.String(), Type.Null()]),
  external: Type.Boolean(),
  shared: Type.Boolean(),
  mtu: Type.Integer(),
  description: Type.String(),
})
export type NetworkData = Static<typeof NetworkDataSchema>

/** Input of `network.network` create: an environment is a network made with its subnet. */
export interface CreateNetworkInput {
  name: string
  description?: string
  /** Create its subnet too: with this CIDR, or the project's lowest free 10.N.0.0/16 when `auto`. */
  subnet?: { cidr: string } | 'auto'
}

/** A Neutron network; the native API calls it an environment. */
export const networkKind = defineKind<NetworkData>({
  id: 'network.network',
  data: NetworkDataSchema,
  names: ['environment', 'network'],
  label: 'network',
  states: ['active'],
  operations: IMMEDIATE,
  shared: true,
  updatable: { data: ['description'] },
  quota: () => ({ networks: 1 }),
  hooks: networkHooks,
})
