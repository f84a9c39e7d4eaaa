import { Type, type Static } from 'typebox'
import { defineKind } from '../define-kind.js'
import { IMMEDIATE } from './common.js'
import { securityGroupHooks } from './security-group.ops.js'
import type { RuleInput } from './security-group-rule.kind.js'

export const SecurityGroupDataSchema = Type.Object({
  description: Type.String(),
  stateful: Type.Boolean(),
})
export type SecurityGroupData = Static<typeof SecurityGroupDataSchema>

export interface CreateSecurityGroupInput {
  name: string
  description?: string
  rules?: RuleInput[]
}

/** A Neutron security group; its rules are `network.security-group-rule` children. */
export const securityGroupKind = defineKind<SecurityGroupData>({
  id: 'network.security-group',
  data: SecurityGroupDataSchema,
  names: ['security-group', 'security_group', 'secgroup'],
  label: 'security group',
  states: ['active'],
  operations: IMMEDIATE,
  updatable: { data: ['description'] },
  quota: () => ({ securityGroups: 1 }),
  hooks: securityGroupHooks,
})
