import type { Queries } from '../store/queries.js'
import type { ResourceRecord } from '../store/records.js'
import { ConflictError, EMU_ERR_QUOTA_EXCEEDED, ValidationError } from './errors.js'
import type { KindRegistry } from './registry.js'

/** Every quota the engine keeps, per scope. Faces name them their own way (Nova `cores`, Neutron `floatingip`). */
export const QUOTA_NAMES = [
  'instances',
  'cores',
  'ram',
  'keyPairs',
  'volumes',
  'gigabytes',
  'floatingIps',
  'networks',
  'subnets',
  'ports',
  'routers',
  'securityGroups',
  'securityGroupRules',
  'dnsZones',
  'dnsRecordsets',
  'pods',
] as const
export type QuotaName = (typeof QUOTA_NAMES)[number]
export type QuotaAmounts = Partial<Record<QuotaName, number>>
/** A limit; -1 is unlimited. */
export type QuotaLimits = Partial<Record<QuotaName, number>>

/**
 * What a fresh OpenStack project gets (Nova, Cinder, Neutron, Designate
 * defaults; `ram` in MB, `gigabytes` of volumes); pods are bounded by each
 * pool's capacity instead.
 */
export const DEFAULT_QUOTAS: Readonly<Record<QuotaName, number>> = {
  instances: 10,
  cores: 20,
  ram: 51_200,
  keyPairs: 100,
  volumes: 10,
  gigabytes: 1_000,
  floatingIps: 50,
  networks: 100,
  subnets: 100,
  ports: 500,
  routers: 10,
  securityGroups: 10,
  securityGroupRules: 100,
  dnsZones: 10,
  dnsRecordsets: 500,
  pods: -1,
}

/** The largest limit a quota takes (what a 32-bit counter of PostgreSQL or Nova holds). */
export const MAX_QUOTA = 2_147_483_647

/** A create that would take a scope past one of its quotas. Every face renders it its own way (Nova 403, the native API 409). */
export class QuotaExceededError extends ConflictError {
  constructor(
    readonly quota: QuotaName,
    readonly scope: string,
    readonly limit: number,
    readonly used: number,
    readonly requested: number,
  ) {
    super(`quota exceeded for ${quota} in ${scope}: ${used} of ${limit} in use, ${requested} more asked for`, EMU_ERR_QUOTA_EXCEEDED)
  }
}

export function isQuotaName(name: string): name is QuotaName {
  return (QUOTA_NAMES as readonly string[]).includes(name)
}

/** Checks limits given by a user (a flag, a control request): known names, whole numbers from -1 to MAX_QUOTA. */
export function checkQuotaLimits(limits: Record<string, unknown>, field: string): QuotaLimits {
  const out: QuotaLimits = {}
  for (const [name, value] of Object.entries(limits)) {
    if (!isQuotaName(name)) throw new ValidationError(`${field}.${name}`, `${field}.${name}: not a quota (${QUOTA_NAMES.map(quotaWireName).join(', ')})`)
    if (typeof value !== 'number' || !Number.isInteger(value) || value < -1 || value > MAX_QUOTA) {
      throw new ValidationError(`${field}.${name}`, `${field}.${name}: a whole number from 0 to ${MAX_QUOTA}, or -1 for no limit`)
    }
    out[name] = value
  }
  return out
}

/**
 * `instances=20`, `floating_ips=5`, `*=-1` (every quota): a `--quota` flag's
 * values as limits. Names as the control face writes them (snake_case) or as
 * the engine does.
 */
export function parseQuotaFlags(flags: readonly string[]): QuotaLimits {
  const limits: Record<string, number> = {}
  for (const flag of flags) {
    const m = /^\s*([A-Za-z_*]+)\s*=\s*(-?\d+)\s*$/.exec(flag)
    if (!m) throw new ValidationError('quota', `quota: '${flag}' is not name=limit (e.g. instances=50, or *=-1 for no limits)`)
    const [, name = '', value = ''] = m
    for (const n of name === '*' ? QUOTA_NAMES : [quotaNameOf(name)]) limits[n] = Number(value)
  }
  return checkQuotaLimits(limits, 'quota')
}

/** `floatingIps` -> `floating_ips`: a quota as the control face, the flag and the README name it. */
export function quotaWireName(name: QuotaName): string {
  return name.replace(/[A-Z]/g, (c) => `_${c.toLowerCase()}`)
}

/** `floating_ips` -> `floatingIps`: a quota named as the control face and the flag do, as the engine does (other text unchanged). */
export function quotaNameOf(wire: string): string {
  return wire.replace(/_([a-z])/g, (_, c: string) => c.toUpperCase())
}

/** The limits in force: the scope's own, else the deployment's, else OpenStack's defaults. */
export function effectiveLimits(deployment: QuotaLimits, scope: QuotaLimits): Record<QuotaName, number> {
  return { ...DEFAULT_QUOTAS, ...deployment, ...scope }
}

/** What a resource holds of its scope's quotas, as its kind declares. */
export async function amountsOf(registry: KindRegistry, q: Queries, res: ResourceRecord): Promise<QuotaAmounts> {
  const quota = registry.get(res.kind).quota
  return quota ? await quota(res as ResourceRecord<never>, q) : {}
}

/** What a scope holds, counted from its resources (a scope's first create, or a report after a reset). */
export async function countUsage(registry: KindRegistry, q: Queries, scope: string): Promise<Record<QuotaName, number>> {
  const used = Object.fromEntries(QUOTA_NAMES.map((n) => [n, 0])) as Record<QuotaName, number>
  for (const def of registry.all()) {
    if (!def.quota) continue
    for (const r of await q.resourcesOf(scope, def.id)) {
      for (const [name, n] of Object.entries(await def.quota(r as ResourceRecord<never>, q))) used[name as QuotaName] += n ?? 0
    }
  }
  return used
}

/** One quota of a scope: its limit in force (-1: none), what is used, and whether the limit is the scope's own. */
export interface QuotaState {
  limit: number
  used: number
  own: boolean
}

/** A scope's quotas as they stand, for Nova's `limits`, Neutron's quota details and the control face. */
export async function readQuotas(registry: KindRegistry, q: Queries, deployment: QuotaLimits, scope: string): Promise<Record<QuotaName, QuotaState>> {
  const row = await q.quotaRow(scope)
  const usage = row?.usage ?? (await countUsage(registry, q, scope))
  const own = row?.limits ?? {}
  const limits = effectiveLimits(deployment, own)
  return Object.fromEntries(QUOTA_NAMES.map((n) => [n, { limit: limits[n], used: usage[n] ?? 0, own: n in own }])) as Record<QuotaName, QuotaState>
}
