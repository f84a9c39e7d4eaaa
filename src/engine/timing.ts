import { MAX_LATENCY_MS } from '../clock/bounds.js'
import { parseLatencyRange, type LatencyRange } from '../clock/duration.js'
import { failPhaseOf, phasesOf, shareOf } from './phases.js'
import type { KindRegistry } from './registry.js'

export const PROFILES = ['instant', 'fast', 'realistic'] as const
export type ProfileName = (typeof PROFILES)[number]

/** How long one operation takes and how often it fails, under one profile. */
export interface OperationTiming {
  latency: LatencyRange
  failureRate: number
}

/** A kind's declared timing for one operation: per profile, as text (`30s..60s`). */
export type TimingDeclaration = Partial<Record<ProfileName, { latency: string; failureRate?: number }>>

/**
 * Resolves the latency and failure rate of `kind.operation` from the active
 * profile, the kind's declaration and the overrides (`vm.create.latency=30s..60s`,
 * `volume.create.failureRate=0.1`, `*.delete.latency=0`), and of one phase
 * of it (`vm.create.spawning.latency=10s`): a phase without a latency of its
 * own takes its share of the operation's; the operation's failure rate
 * falls in its failure phase (docs/decisions/0009-phases.md).
 *
 * @example
 * const timing = new Timing(registry, 'realistic', ['vm.create.failureRate=0.5'])
 * timing.of('compute.server', 'create') // { latency: {min: 30000, max: 60000}, failureRate: 0.5 }
 * timing.of('compute.server', 'create', 'spawning') // { latency: {min: 19500, max: 39000}, failureRate: 0.5 }
 */
export class Timing {
  private readonly overrides = new Map<string, LatencyRange | number>()
  // NOTE: resolved once per kind and operation; every scheduled transition asks.
  private readonly resolved = new Map<string, OperationTiming>()

  constructor(
    private readonly registry: KindRegistry,
    readonly profile: ProfileName = 'fast',
    overrides: readonly string[] = [],
  ) {
    if (!PROFILES.includes(profile)) throw new RangeError(`unknown profile '${profile}' (use ${PROFILES.join(', ')})`)
    for (const o of overrides) this.set(o)
  }

  /** Applies one `kind.operation[.phase].property=value` override; throws a RangeError saying what is wrong. */
  set(assignment: string): void {
    const eq = assignment.indexOf('=')
    if (eq < 0) throw new RangeError(`'${assignment}' is not a timing setting (use kind.operation.latency=2s..5s)`)
    const key = assignment.slice(0, eq).trim()
    const value = assignment.slice(eq + 1).trim()
    const parts = key.split('.')
    const [kindName, op] = parts
    const phase = parts.length === 4 ? parts[2] : undefined
    const prop = parts[parts.length - 1]
    if (!kindName || !op || !prop || parts.length < 3 || parts.length > 4 || phase === '') throw new RangeError(`'${key}' is not kind.operation.property (or kind.operation.phase.property)`)
    const kind = kindName === '*' ? '*' : this.registry.resolve(kindName)?.id
    if (!kind) throw new RangeError(`'${kindName}' in '${key}' is not a resource kind (use e.g. ${this.registry.aliases().slice(0, 4).join(', ')})`)
    const opDef = kind === '*' || op === '*' ? undefined : this.registry.get(kind).operations[op]
    if (op !== '*' && kind !== '*' && !opDef) {
      throw new RangeError(`${kindName} has no operation '${op}' (it has ${Object.keys(this.registry.get(kind).operations).join(', ')})`)
    }
    if (phase !== undefined) {
      if (!opDef) throw new RangeError(`'${key}': a phase's timing names one kind and one operation, not *`)
      const phases = phasesOf(opDef).map((p) => p.name)
      if (!phases.includes(phase)) {
        throw new RangeError(`${kindName} ${op} has no phase '${phase}' (${phases.length ? `its phases are ${phases.join(', ')}` : 'it has no phases'})`)
      }
    }
    const at = phase === undefined ? `${kind}.${op}` : `${kind}.${op}.${phase}`
    if (prop === 'latency') {
      const latency = parseLatencyRange(value)
      // NOTE: a transition is due at now + latency; a longer one (1e308s is Infinity) would be a date past any valid one.
      if (latency.max > MAX_LATENCY_MS) throw new RangeError(`latency in '${key}' must be at most 24h, got '${value}'`)
      this.overrides.set(`${at}.latency`, latency)
    } else if (prop === 'failureRate' || prop === 'failure_rate') {
      const rate = Number(value)
      if (value === '' || !(rate >= 0 && rate <= 1)) throw new RangeError(`failureRate in '${key}' must be between 0 and 1, got '${value}'`)
      this.overrides.set(`${at}.failureRate`, rate)
    } else {
      throw new RangeError(`'${prop}' in '${key}' is not a timing property (use latency or failureRate)`)
    }
    this.resolved.clear()
  }

  /** The timing of an operation, or of one of its phases (null or undefined: the operation as a whole). */
  of(kind: string, operation: string, phase?: string | null): OperationTiming {
    const key = phase ? `${kind}.${operation}.${phase}` : `${kind}.${operation}`
    let t = this.resolved.get(key)
    if (!t) {
      t = phase ? this.resolvePhase(kind, operation, phase) : this.resolve(kind, operation)
      this.resolved.set(key, t)
    }
    return t
  }

  private resolvePhase(kind: string, operation: string, phase: string): OperationTiming {
    const op = this.registry.get(kind).operations[operation]
    const phases = op ? phasesOf(op) : []
    const index = phases.findIndex((p) => p.name === phase)
    const whole = this.of(kind, operation)
    if (!op || index < 0) return whole
    const declared = phases[index]!.timing?.[this.profile]
    const own = this.overrides.get(`${kind}.${operation}.${phase}.latency`) as LatencyRange | undefined
    const share = shareOf(op, index)
    const latency = own ?? (declared ? parseLatencyRange(declared.latency) : { min: Math.round(whole.latency.min * share), max: Math.round(whole.latency.max * share) })
    const ownRate = (this.overrides.get(`${kind}.${operation}.${phase}.failureRate`) as number | undefined) ?? declared?.failureRate
    const failureRate = ownRate ?? (failPhaseOf(op) === phase ? whole.failureRate : 0)
    return { latency, failureRate }
  }

  private resolve(kind: string, operation: string): OperationTiming {
    const declared = this.registry.get(kind).operations[operation]?.timing?.[this.profile]
    const latency =
      this.override<LatencyRange>(kind, operation, 'latency') ??
      (declared ? parseLatencyRange(declared.latency) : { min: 0, max: 0 })
    const failureRate = this.override<number>(kind, operation, 'failureRate') ?? declared?.failureRate ?? 0
    return { latency, failureRate }
  }

  private override<T>(kind: string, op: string, prop: string): T | undefined {
    for (const key of [`${kind}.${op}.${prop}`, `${kind}.*.${prop}`, `*.${op}.${prop}`, `*.*.${prop}`]) {
      const v = this.overrides.get(key)
      if (v !== undefined) return v as T
    }
    return undefined
  }
}
