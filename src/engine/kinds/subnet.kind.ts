import { Type, type Static } from 'typebox'
import { defineKind } from '../define-kind.js'
import { IMMEDIATE } from './common.js'

export const SubnetDataSchema = Type.Object({
  networkId: Type.String(),
  cidr: Type.String(),
  ipVersion: Type.Literal(4),
  gatewayIp: Type.String(),
  allocationPools: Type.Array(Type.Object({ start: Type.String(), end: Type.String() })),
  enableDhcp: Type.Boolean(),
  dnsNameservers: Type.Array(Type.String()),
})
export type SubnetData = Static<typeof SubnetDataSchema>

/** A Neutron subnet: the address pool its ports draw from. */
export const subnetKind = defineKind<SubnetData>({
  id: 'network.subnet',
  data: SubnetDataSchema,
  names: ['subnet'],
  states: ['active'],
  operations: IMMEDIATE,
  shared: true,
  quota: () => ({ subnets: 1 }),
  hooks: {},
})
