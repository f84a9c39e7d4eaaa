import { Type, type Static } from 'typebox'
import { defineKind } from '../define-kind.js'
import { IMMEDIATE } from './common.js'

export const PortDataSchema = Type.Object({
  networkId: Type.String(),
  subnetId: Type.String(),
  ipAddress: Type.String(),
  macAddress: Type.String(),
  deviceId: Type.String(),
  deviceOwner: Type.String(),
  securityGroupIds: Type.Array(Type.String()),
})
export type PortData = Static<typeof PortDataSchema>

/** A Neutron port: how a VM holds its address on a subnet. */
export const portKind = defineKind<PortData>({
  id: 'network.port',
  data: PortDataSchema,
  names: ['port'],
  states: ['active'],
  operations: IMMEDIATE,
  // NOTE: what Neutron's port lists filter on (?device_id=, ?network_id=, ?fixed_ips=ip_address=).
  filters: ['deviceId', 'deviceOwner', 'networkId', 'ipAddress'],
  // NOTE: a server's ports are looked up on every show of it; each index costs every port write about 3.5 us (SQLite).
  indexed: ['deviceId'],
  quota: () => ({ ports: 1 }),
  hooks: {},
})
