import { isIPv4, isIPv6 } from 'node:net'
import type { KindHooks } from '../define-kind.js'
import { ConflictError, ValidationError } from '../errors.js'
import { RECORD_TYPES, type CreateDnsRecordInput, type DnsRecordData, type RecordType } from './dns-record.kind.js'

const LABEL = /^(?:\*|_?[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?)$/i
const DEFAULT_TTL = 3600

export const dnsRecordHooks: KindHooks<DnsRecordData> = {
  async create(tx, project, raw) {
    const input = raw as unknown as CreateDnsRecordInput
    const name = input.name.replace(/\.$/, '').toLowerCase()
    if (!isDnsName(name)) throw new ValidationError('name', `name: '${input.name}' is not a DNS name (labels of letters, digits and hyphens, up to 253 characters)`)
    const type = input.type.toUpperCase() as RecordType
    if (!RECORD_TYPES.includes(type)) throw new ValidationError('type', `type: '${input.type}' is not a record type (use ${RECORD_TYPES.join(', ')})`)
    if (!input.records.length) throw new ValidationError('records', 'records: at least one value is needed')
    input.records.forEach((value, i) => checkValue(type, value, input.records.length > 1 ? `records[${i}]` : 'records'))
    if (type === 'CNAME' && input.records.length > 1) throw new ValidationError('records', 'records: a CNAME has exactly one value')
    await tx.lock(`dns.recordset:${project}:${name}`)
    for (const other of await tx.q.listResources({ kind: 'dns.recordset', projects: [project], name, limit: 100 })) {
      const otherType = (other.data as DnsRecordData).type
      if (otherType === type) throw new ConflictError(`a ${type} record for ${name} already exists (${other.id})`)
      if (otherType === 'CNAME' || type === 'CNAME') throw new ConflictError(`${name} already has a ${otherType} record (${other.id}); a CNAME cannot share its name`)
    }
    return tx.create<DnsRecordData>('dns.recordset', {
      project,
      name,
      data: { type, records: input.records, ttl: input.ttl ?? DEFAULT_TTL, description: input.description ?? '' },
    })
  },
}

function isDnsName(name: string): boolean {
  return name.length > 0 && name.length <= 253 && name.split('.').every((l) => LABEL.test(l))
}

function checkValue(type: RecordType, value: string, field: string): void {
  const ok =
    type === 'A' ? isIPv4(value)
    : type === 'AAAA' ? isIPv6(value)
    : type === 'CNAME' || type === 'NS' || type === 'PTR' ? isDnsName(value.replace(/\.$/, ''))
    : type === 'MX' ? /^\d{1,5}\s+\S+$/.test(value) && isDnsName(value.split(/\s+/)[1]!.replace(/\.$/, ''))
    : type === 'SRV' ? /^\d{1,5}\s+\d{1,5}\s+\d{1,5}\s+\S+$/.test(value)
    : value.length > 0 && value.length <= 4096
  if (!ok) throw new ValidationError(field, `${field}: '${value}' is not a valid ${type} value`)
}
