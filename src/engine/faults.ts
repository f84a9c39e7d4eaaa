import type { FaultRecord } from '../store/records.js'
import type { Queries } from '../store/queries.js'
import type { SeededRandom } from '../random/seeded-random.js'
import { crashOperationOf, failStateOf, type KindDef, type OperationDef } from './define-kind.js'
import { EngineError, EMU_ERR_INJECTED, ValidationError } from './errors.js'
import { phasesOf } from './phases.js'
import { isWithin, parseScope } from './scope.js'
import type { KindRegistry } from './registry.js'

/** What a fault does to the operation it fires on. */
export interface FaultEffect {
  /** Answer this error at once; nothing is changed. */
  error?: { status: number; message: string }
  /** Extra time: added to the lifecycle of an asynchronous operation, or before the answer of an immediate one. */
  latencyMs?: number
  /** The resource stays in its transitional state: the operation never completes. */
  stuck?: boolean
  /** The lifecycle ends in the kind's error state instead of its target. */
  failLifecycle?: boolean
  /**
   * The operation goes ahead, and this long after it began the resource
   * crashes into its kind's error state, whatever it is doing then (a pod
   * that dies after it was claimed). Kinds that can crash only (pods).
   */
  crashAfterMs?: number
}

/**
 * A fault rule: which operations it matches and what it does to them, for the
 * next `count` matches (default: every one) or a `rate` of them (default: all).
 * `kind` is an engine kind id (or `*`); `operation` is create, delete or an
 * action name (or `*`); `match.name` may use `*` and `?`. With `match.phase`
 * the rule fires as a resource enters that phase of the operation, and acts
 * there: latency added to the phase, stuck in it, or a failure in it.
 * `match.scope` matches resources in that scope or in one it holds (every
 * namespace of `cluster:dev`); `match.project`, in that scope exactly.
 */
export interface FaultRule {
  kind: string
  operation: string
  match?: { name?: string | undefined; project?: string | undefined; scope?: string | undefined; phase?: string | undefined } | undefined
  effect: FaultEffect
  count?: number | null | undefined
  rate?: number | null | undefined
}

export interface Fault extends FaultRule {
  id: number
  /** Firings left, when the rule has a count. */
  remaining: number | null
  matched: number
  fired: number
  createdAt: number
}

/** The error an `error` effect answers with: the rule's status and message. */
export class InjectedFaultError extends EngineError {
  constructor(
    status: number,
    message: string,
    readonly faultId: number,
  ) {
    super(EMU_ERR_INJECTED, status, message)
  }
}

/** A fault that fired in a transaction, for the engine to apply. */
export interface FiredFault {
  id: number
  kind: string
  operation: string
  effect: FaultEffect
}

const MAX_LATENCY_MS = 24 * 3_600_000

/**
 * Checks a rule against the declared kinds and stores it. Lifecycle effects
 * (`stuck`, `failLifecycle`) need an asynchronous operation; a failing one
 * needs a kind with an error state. Fields are named as in the rule.
 */
export async function addFault(q: Queries, registry: KindRegistry, rule: FaultRule, now: number): Promise<Fault> {
  const def = rule.kind === '*' ? undefined : registry.get(rule.kind)
  const op = def && rule.operation !== '*' ? def.operations[rule.operation] : undefined
  if (def && rule.operation !== '*' && !op && !def.hooks.actions?.[rule.operation]) {
    const known = [...new Set([...Object.keys(def.operations), ...Object.keys(def.hooks.actions ?? {})])].sort()
    throw new ValidationError('operation', `operation: ${def.names[0]} has no operation '${rule.operation}' (use ${known.join(', ')} or *)`)
  }
  if (op?.background) {
    throw new ValidationError('operation', `operation: nobody asks for a ${def!.names[0]} ${rule.operation}, so no rule can match it; plant one with effect.crashAfterMs on the operation it should follow`)
  }
  const e = rule.effect
  if (e.error === undefined && e.latencyMs === undefined && !e.stuck && !e.failLifecycle && e.crashAfterMs === undefined) {
    throw new ValidationError('effect', 'effect: give at least one of error, latencyMs, stuck, failLifecycle, crashAfterMs')
  }
  if (e.crashAfterMs !== undefined) checkCrash(def, op, rule, e)
  if (e.error && (!Number.isInteger(e.error.status) || e.error.status < 400 || e.error.status > 599)) {
    throw new ValidationError('effect.error.status', 'effect.error.status: must be an HTTP error status, 400 to 599')
  }
  if (e.latencyMs !== undefined && (!Number.isInteger(e.latencyMs) || e.latencyMs < 0 || e.latencyMs > MAX_LATENCY_MS)) {
    throw new ValidationError('effect.latencyMs', `effect.latencyMs: must be an integer from 0 to ${MAX_LATENCY_MS}`)
  }
  if (e.stuck && e.failLifecycle) throw new ValidationError('effect', 'effect: stuck and failLifecycle exclude each other')
  if ((e.stuck || e.failLifecycle) && e.error) throw new ValidationError('effect', 'effect: an error answers at once, so no lifecycle follows to be stuck or failed')
  if (op && (e.stuck || e.failLifecycle) && !op.via) {
    const field = e.stuck ? 'effect.stuck' : 'effect.failLifecycle'
    throw new ValidationError(field, `${field}: ${def!.names[0]} ${rule.operation} is immediate; it has no lifecycle to change`)
  }
  if (rule.match?.scope !== undefined) parseScope(rule.match.scope, 'match.scope')
  const phase = rule.match?.phase
  if (def && op && e.failLifecycle && !failStateOf(def, op, phase)) {
    throw new ValidationError('effect.failLifecycle', `effect.failLifecycle: ${def.names[0]} has no error state`)
  }
  if (phase !== undefined) {
    const phases = op ? phasesOf(op).map((p) => p.name) : []
    if (!def || !op) throw new ValidationError('match.phase', 'match.phase: name one kind and one operation that has phases, not *')
    if (!phases.includes(phase)) {
      const known = phases.length ? `its phases are ${phases.join(', ')}` : 'it has no phases'
      throw new ValidationError('match.phase', `match.phase: ${def.names[0]} ${rule.operation} has no phase '${phase}' (${known})`)
    }
    if (e.error) throw new ValidationError('effect.error', 'effect.error: a phase is reached in the background, with no request to answer; use failLifecycle to fail it there')
  }
  if (rule.count != null && (!Number.isInteger(rule.count) || rule.count < 1)) throw new ValidationError('count', 'count: must be a whole number of at least 1')
  if (rule.rate != null && !(rule.rate > 0 && rule.rate <= 1)) throw new ValidationError('rate', 'rate: must be above 0 and at most 1')
  const stored = { match: rule.match ?? {}, effect: e, count: rule.count ?? null, rate: rule.rate ?? null }
  const record = { kind: rule.kind, operation: rule.operation, rule: stored, remaining: rule.count ?? null, matched: 0, fired: 0, createdAt: now }
  return toFault({ id: await q.insertFault(record), ...record })
}

/** A crash needs a kind that can crash, a time, and no effect that would keep the operation from going ahead. */
function checkCrash(def: KindDef | undefined, op: OperationDef | undefined, rule: FaultRule, e: FaultEffect): void {
  if (!Number.isInteger(e.crashAfterMs) || e.crashAfterMs! < 0 || e.crashAfterMs! > MAX_LATENCY_MS) {
    throw new ValidationError('effect.crashAfterMs', `effect.crashAfterMs: must be an integer from 0 to ${MAX_LATENCY_MS}`)
  }
  if (!def || crashOperationOf(def) === undefined) {
    throw new ValidationError('effect.crashAfterMs', `effect.crashAfterMs: ${def ? `${def.names[0]}s` : 'every kind (*)'} cannot crash; name a kind that can (pod)`)
  }
  if (op && op.to === null) throw new ValidationError('effect.crashAfterMs', `effect.crashAfterMs: a ${def.names[0]} ${rule.operation} ends in its removal; there is nothing left to crash`)
  if (e.error || e.stuck || e.failLifecycle) throw new ValidationError('effect', 'effect: crashAfterMs lets the operation go ahead, so it takes no error, stuck or failLifecycle')
  if (rule.match?.phase !== undefined) throw new ValidationError('match.phase', 'match.phase: a crash is planted as the operation begins, not in one of its phases')
}

export function toFault(r: FaultRecord): Fault {
  const rule = r.rule as { match?: FaultRule['match']; effect: FaultEffect; count: number | null; rate: number | null }
  return { id: r.id, kind: r.kind, operation: r.operation, match: rule.match ?? {}, effect: rule.effect, count: rule.count, rate: rule.rate, remaining: r.remaining, matched: r.matched, fired: r.fired, createdAt: r.createdAt }
}

/**
 * The first rule that fires on this operation, counted atomically (so a rule
 * for the next 3 creates fires exactly 3 times across any number of nodes);
 * `rate` is drawn from the seeded generator, per rule and match.
 */
export async function fireFault(
  q: Queries,
  random: SeededRandom,
  at: { kind: string; operation: string; project: string; name: string; phase?: string | undefined },
  rules?: readonly FaultRecord[],
): Promise<FiredFault | undefined> {
  for (const record of rules ?? (await q.faultsFor(at.kind, at.operation))) {
    const f = toFault(record)
    // NOTE: a rule aimed at a phase fires as a resource enters it; one without, as the operation begins.
    if (f.match?.phase !== at.phase) continue
    if (f.match?.project !== undefined && f.match.project !== at.project) continue
    if (f.match?.scope !== undefined && !isWithin(at.project, f.match.scope)) continue
    if (f.match?.name !== undefined && !globMatches(f.match.name, at.name)) continue
    const fire = f.rate == null || random.float('fault', f.id, f.matched) < f.rate
    if (!(await q.claimFault(f.id, fire))) continue
    if (fire) return { id: f.id, kind: at.kind, operation: at.operation, effect: f.effect }
  }
  return undefined
}

function globMatches(pattern: string, name: string): boolean {
  if (!/[*?]/.test(pattern)) return pattern === name
  const re = pattern.replace(/[.+^${}()|[\]\\]/g, '\\$&').replace(/\*/g, '.*').replace(/\?/g, '.')
  return new RegExp(`^${re}$`).test(name)
}

