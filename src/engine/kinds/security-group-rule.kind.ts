import { Type, type Static } from 'typebox'
import { defineKind } from '../define-kind.js'
import { IMMEDIATE } from './common.js'
import { securityGroupRuleHooks } from './security-group-rule.ops.js'

export const SecurityGroupRuleDataSchema = Type.Object({
  securityGroupId: Type.String(),
  direction: Type.Union([Type.Literal('ingress'), Type.Literal('egress')]),
  ethertype: Type.Union([Type.Literal('IPv4'), Type.Literal('IPv6')]),
  protocol: Type.Union([Type.String(), Type.Null()]),
  portRangeMin: Type.Union([Type.Integer(), Type.Null()]),
  portRangeMax: Type.Union([Type.Integer(), Type.Null()]),
  remoteIpPrefix: Type.Union([Type.String(), Type.Null()]),
  remoteGroupId: Type.Union([Type.String(), Type.Null()]),
  description: Type.String(),
})
export type SecurityGroupRuleData = Static<typeof SecurityGroupRuleDataSchema>

/** What a client gives for a rule; unset fields mean "any". */
export interface RuleInput {
  direction: 'ingress' | 'egress'
  ethertype?: 'IPv4' | 'IPv6'
  protocol?: string | null
  portRangeMin?: number | null
  portRangeMax?: number | null
  remoteIpPrefix?: string | null
  remoteGroupId?: string | null
  description?: string
}

/** A Neutron security group rule, child of its group. */
export const securityGroupRuleKind = defineKind<SecurityGroupRuleData>({
  id: 'network.security-group-rule',
  data: SecurityGroupRuleDataSchema,
  names: ['security-group-rule', 'security_group_rule'],
  label: 'security group rule',
  states: ['active'],
  operations: IMMEDIATE,
  // NOTE: Neutron rules cannot be changed, only deleted and created again.
  updatable: { name: false },
  quota: () => ({ securityGroupRules: 1 }),
  hooks: securityGroupRuleHooks,
})
