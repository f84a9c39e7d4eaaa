import { Type, type Static } from 'typebox'
import { defineKind } from '../define-kind.js'
import { IMMEDIATE } from './common.js'
import { dnsRecordHooks } from './dns-record.ops.js'

export const RECORD_TYPES = ['A', 'AAAA', 'CNAME', 'MX', 'TXT', 'NS', 'SRV', 'PTR', 'CAA'] as const
export type RecordType = (typeof RECORD_TYPES)[number]

export const DnsRecordDataSchema = Type.Object({
  type: Type.Enum(RECORD_TYPES),
  records: Type.Array(Type.String()),
  ttl: Type.Integer({ minimum: 1 }),
  description: Type.String(),
})
export type DnsRecordData = Static<typeof DnsRecordDataSchema>

export interface CreateDnsRecordInput {
  name: string
  type: string
  records: string[]
  ttl?: number
  description?: string
}

/** A DNS record set (Designate recordset): a name, a type and its values. */
export const dnsRecordKind = defineKind<DnsRecordData>({
  id: 'dns.recordset',
  data: DnsRecordDataSchema,
  names: ['dns-record', 'dns_record', 'recordset'],
  label: 'DNS record',
  states: ['active'],
  operations: IMMEDIATE,
  // NOTE: its name is the DNS name, part of what makes a record unique: a new name is a new record.
  updatable: { name: false, data: ['description', 'ttl'] },
  filters: ['type'],
  quota: () => ({ dnsRecordsets: 1 }),
  hooks: dnsRecordHooks,
})
