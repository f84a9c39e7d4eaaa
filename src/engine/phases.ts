import { MAX_LATENCY_MS } from '../clock/bounds.js'
import type { TimingDeclaration } from './timing.js'

/**
 * One timed step of an asynchronous operation (Nova's build task states,
 * a VirtualMachineInstance's Pending -> Scheduling -> Scheduled, a pod's
 * provisioning), declared as data. See docs/decisions/0009-phases.md.
 *
 * - `name`: the sub-state the resource shows while in it (its `phase`, what
 *   Nova calls `task_state`).
 * - `status`: the state it shows meanwhile; default the operation's `via`.
 * - `share`: its part of the operation's latency when it has no timing of
 *   its own (default: an equal part).
 * - `timing`: its own latency and failure rate per profile, instead of a share.
 * - `failTo`: where the operation ends when it fails in this phase; default
 *   the operation's `failTo`.
 */
export interface PhaseDef {
  name: string
  status?: string
  share?: number
  timing?: TimingDeclaration
  failTo?: string
}

/** What `OperationDef` says about its phases (the operation's own fields that phases read). */
export interface PhasedOperation {
  via?: string
  failTo?: string
  phases?: readonly PhaseDef[]
  /**
   * The phase the operation's own failure rate fails in (Nova fails a build
   * while spawning); default its last phase. A failure rate of the phase's own, where it has one, replaces it there.
   */
  failPhase?: string
}

/** The phases an operation passes through; none when it runs in one step. */
export function phasesOf(op: PhasedOperation): readonly PhaseDef[] {
  return op.phases ?? []
}

/** The state a resource shows in a phase of an operation. */
export function phaseStatus(op: PhasedOperation, phase: PhaseDef | undefined): string | undefined {
  return phase?.status ?? op.via
}

/** Every state an operation shows while it runs (its `via` and its phases' states). */
export function runningStatuses(op: PhasedOperation): Set<string> {
  const statuses = new Set<string>()
  if (op.via) statuses.add(op.via)
  for (const p of phasesOf(op)) if (p.status) statuses.add(p.status)
  return statuses
}

/** A phase's part of the operation's latency: its share over the sum of shares (equal parts when none is given). */
export function shareOf(op: PhasedOperation, index: number): number {
  const phases = phasesOf(op)
  const shares = phases.map((p) => p.share ?? 1)
  const total = shares.reduce((a, b) => a + b, 0)
  return total > 0 ? (shares[index] ?? 0) / total : 1
}

/** The phase the operation's own failure rate fails in. */
export function failPhaseOf(op: PhasedOperation): string | undefined {
  const phases = phasesOf(op)
  return op.failPhase ?? phases[phases.length - 1]?.name
}

/**
 * Checks an operation's phases against its kind's states; throws naming the
 * mistake so that a typo fails at start-up.
 */
export function checkPhases(where: string, op: PhasedOperation, states: ReadonlySet<string>): void {
  const phases = phasesOf(op)
  if (!phases.length) {
    if (op.failPhase) throw new Error(`${where} names failPhase '${op.failPhase}' but declares no phases`)
    return
  }
  if (!op.via) throw new Error(`${where} has phases, so it must be asynchronous (have via)`)
  const names = new Set<string>()
  for (const p of phases) {
    if (!/^[a-z][a-z0-9_-]*$/i.test(p.name)) throw new Error(`${where} phase '${p.name}' must be a word (letters, digits, - and _)`)
    if (names.has(p.name)) throw new Error(`${where} declares phase '${p.name}' twice`)
    names.add(p.name)
    for (const s of [p.status, p.failTo]) if (s != null && !states.has(s)) throw new Error(`${where} phase ${p.name} names unknown state '${s}'`)
    if (p.share !== undefined && !(p.share >= 0)) throw new Error(`${where} phase ${p.name} share must be 0 or more`)
  }
  if (op.failPhase && !names.has(op.failPhase)) throw new Error(`${where} failPhase '${op.failPhase}' is not one of its phases`)
}

/** Each phase still to come: its latency in ms and whether it fails (1) or not (0). At least one entry. */
export type Plan = [readonly [number, 0 | 1], ...Array<readonly [number, 0 | 1]>]

export function isPlan(v: unknown): v is Plan {
  return Array.isArray(v) && v.length > 0 && v.every((p) => Array.isArray(p) && p.length === 2 && Number.isInteger(p[0]) && p[0] >= 0 && p[0] <= MAX_LATENCY_MS && (p[1] === 0 || p[1] === 1))
}
