import { isIPv4, isIPv6 } from 'node:net'
import type { ResourceRecord } from '../../store/records.js'
import type { KindHooks } from '../define-kind.js'
import type { EngineTx } from '../engine-tx.js'
import { ConflictError, ValidationError } from '../errors.js'
import { parseCidr } from '../ipv4.js'
import type { RuleInput, SecurityGroupRuleData } from './security-group-rule.kind.js'

const NAMED_PROTOCOLS = ['tcp', 'udp', 'icmp', 'icmpv6', 'sctp', 'any']
const PORTED_PROTOCOLS = ['tcp', 'udp', 'sctp', '6', '17', '132']

export const securityGroupRuleHooks: KindHooks<SecurityGroupRuleData> = {
  async create(tx, project, raw) {
    const input = raw as unknown as RuleInput & { securityGroupId: string }
    const group = await tx.require('network.security-group', input.securityGroupId, project, 'securityGroupId')
    return insertRule(tx, group, input, '')
  },
}

/**
 * Validates a rule the way Neutron does and inserts it under `group`; `at`
 * prefixes field names in errors (`rules[2].portRangeMin`). 409 on a duplicate.
 */
export async function insertRule(
  tx: EngineTx,
  group: ResourceRecord<unknown>,
  input: RuleInput,
  at: string,
): Promise<ResourceRecord<SecurityGroupRuleData>> {
  const field = (name: string) => (at ? `${at}.${name}` : name)
  const ethertype = input.ethertype ?? 'IPv4'
  const protocol = input.protocol == null || input.protocol === 'any' ? null : String(input.protocol).toLowerCase()
  if (protocol !== null && !NAMED_PROTOCOLS.includes(protocol) && !(/^\d{1,3}$/.test(protocol) && Number(protocol) <= 255)) {
    throw new ValidationError(field('protocol'), `${field('protocol')}: '${input.protocol}' is not a protocol (use tcp, udp, icmp, icmpv6, sctp or a number 0-255)`)
  }
  const min = input.portRangeMin ?? null
  const max = input.portRangeMax ?? (min !== null && protocol !== null && PORTED_PROTOCOLS.includes(protocol) ? min : null)
  if ((min !== null || max !== null) && protocol === null) {
    throw new ValidationError(field('protocol'), `${field('protocol')}: a port range needs a protocol`)
  }
  if (protocol !== null && PORTED_PROTOCOLS.includes(protocol)) {
    for (const [name, v] of [['portRangeMin', min], ['portRangeMax', max]] as const) {
      if (v !== null && (v < 1 || v > 65535)) throw new ValidationError(field(name), `${field(name)}: ${v} is not a port (1-65535)`)
    }
    if (min !== null && max !== null && min > max) {
      throw new ValidationError(field('portRangeMin'), `${field("portRangeMin")}: ${min} is greater than the top of the range, ${max}`)
    }
  }
  const prefix = input.remoteIpPrefix ?? null
  if (prefix !== null && !validPrefix(prefix, ethertype)) {
    throw new ValidationError(field('remoteIpPrefix'), `${field('remoteIpPrefix')}: '${prefix}' is not an ${ethertype} CIDR`)
  }
  const remoteGroupId = input.remoteGroupId ?? null
  if (prefix !== null && remoteGroupId !== null) {
    throw new ValidationError(field('remoteGroupId'), `${field('remoteGroupId')}: give remoteIpPrefix or remoteGroupId, not both`)
  }
  if (remoteGroupId !== null && remoteGroupId !== group.id) await tx.require('network.security-group', remoteGroupId, group.project, field('remoteGroupId'))
  const data: SecurityGroupRuleData = {
    securityGroupId: group.id,
    direction: input.direction,
    ethertype,
    protocol,
    portRangeMin: min,
    portRangeMax: max,
    remoteIpPrefix: prefix,
    remoteGroupId,
    description: input.description ?? '',
  }
  for (const existing of await tx.q.childrenOf(group.id, 'network.security-group-rule')) {
    if (sameRule(existing.data as SecurityGroupRuleData, data)) {
      throw new ConflictError(`security group ${group.id} already has this rule (${existing.id})`)
    }
  }
  return tx.create<SecurityGroupRuleData>('network.security-group-rule', { project: group.project, name: '', parentId: group.id, data })
}

function validPrefix(prefix: string, ethertype: 'IPv4' | 'IPv6'): boolean {
  if (ethertype === 'IPv4') return parseCidr(prefix) !== undefined || isIPv4(prefix)
  const [addr, len, ...rest] = prefix.split('/')
  return !rest.length && addr !== undefined && isIPv6(addr) && (len === undefined || (/^\d{1,3}$/.test(len) && Number(len) <= 128))
}

function sameRule(a: SecurityGroupRuleData, b: SecurityGroupRuleData): boolean {
  return (
    a.direction === b.direction &&
    a.ethertype === b.ethertype &&
    a.protocol === b.protocol &&
    a.portRangeMin === b.portRangeMin &&
    a.portRangeMax === b.portRangeMax &&
    a.remoteIpPrefix === b.remoteIpPrefix &&
    a.remoteGroupId === b.remoteGroupId
  )
}
