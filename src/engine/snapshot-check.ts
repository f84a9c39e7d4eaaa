import type { StateDump } from '../store/state-dump.js'
import { checkKindData } from './data-check.js'
import { ValidationError } from './errors.js'
import type { KindRegistry } from './registry.js'
import { isPlan } from './phases.js'
import { isWithin, parseScope, SHARED_PROJECT } from './scope.js'

/**
 * Checks that a snapshot's rows agree with each other and with the declared
 * kinds before any of it is loaded: a hand-edited or truncated snapshot gets
 * a 400 naming the row, rather than a constraint error half way through the
 * load, or a state that breaks every later read (an unknown kind, a
 * transition of an operation the kind does not have, data its kind would not
 * write).
 */
export function checkStateDump(registry: KindRegistry, state: StateDump, scope?: string): void {
  const unique = <T>(rows: readonly T[], field: string, key: (r: T) => string | number, what: string) => {
    const seen = new Set<string | number>()
    rows.forEach((r, i) => {
      const k = key(r)
      if (seen.has(k)) throw new ValidationError(field, `${field}: ${what} ${JSON.stringify(k)} appears twice (again at [${i}])`)
      seen.add(k)
    })
  }
  unique(state.resources, 'state.resources', (r) => r.id, 'resource id')
  unique(state.resources, 'state.resources', (r) => r.seq, 'resource seq')
  unique(state.transitions, 'state.transitions', (t) => t.id, 'transition id')
  unique(state.ip_allocations, 'state.ip_allocations', (a) => `${a.pool} ${a.address}`, 'address')
  unique(state.refs, 'state.refs', (r) => `${r.from_id} ${r.to_id} ${r.relation}`, 'reference')
  unique(state.counters, 'state.counters', (c) => c.key, 'counter')
  unique(state.faults, 'state.faults', (f) => f.id, 'fault rule id')

  const defs = new Map(registry.all().map((d) => [d.id, d]))
  const kinds = new Map<string, string>()
  state.resources.forEach((r, i) => {
    const def = defs.get(r.kind)
    if (!def) throw new ValidationError(`state.resources[${i}].kind`, `state.resources[${i}].kind: '${r.kind}' is not a kind of this mockcloud`)
    if (scope !== undefined && !isWithin(r.project, scope)) {
      throw new ValidationError(`state.resources[${i}].project`, `state.resources[${i}].project: '${r.project}' is outside the snapshot's scope '${scope}'`)
    }
    if (r.project !== SHARED_PROJECT && parseScope(r.project, `state.resources[${i}].project`).type !== (def.scope ?? 'project')) {
      throw new ValidationError(`state.resources[${i}].project`, `state.resources[${i}].project: a ${r.kind} lives in a ${def.scope ?? 'project'}, not in '${r.project}'`)
    }
    if (!def.states.includes(r.status)) {
      throw new ValidationError(`state.resources[${i}].status`, `state.resources[${i}].status: '${r.status}' is not a state of ${r.kind} (${def.states.join(', ')})`)
    }
    if (r.phase != null && !Object.values(def.operations).some((op) => op.phases?.some((p) => p.name === r.phase))) {
      throw new ValidationError(`state.resources[${i}].phase`, `state.resources[${i}].phase: '${r.phase}' is not a phase of any ${r.kind} operation`)
    }
    checkKindData(def, r.data, `state.resources[${i}].data`)
    kinds.set(r.id, r.kind)
  })
  state.transitions.forEach((t, i) => {
    const kind = kinds.get(t.resource_id)
    if (!kind) throw new ValidationError(`state.transitions[${i}].resource_id`, `state.transitions[${i}].resource_id: no resource '${t.resource_id}' in the snapshot`)
    const op = registry.get(kind).operations[t.operation]
    if (!op) {
      throw new ValidationError(`state.transitions[${i}].operation`, `state.transitions[${i}].operation: ${kind} has no operation '${t.operation}'`)
    }
    // NOTE: what the engine reads back from a transition's detail: the phase it ends, the plan of those to come.
    const detail = (t.detail ?? {}) as Record<string, unknown>
    if (detail['phase'] !== undefined && !op.phases?.some((p) => p.name === detail['phase'])) {
      throw new ValidationError(`state.transitions[${i}].detail.phase`, `state.transitions[${i}].detail.phase: not a phase of ${kind} ${t.operation}`)
    }
    if (detail['plan'] !== undefined && !isPlan(detail['plan'])) {
      throw new ValidationError(`state.transitions[${i}].detail.plan`, `state.transitions[${i}].detail.plan: a list of [latency ms up to 24h, 0 or 1]`)
    }
  })
  if (scope !== undefined) {
    state.ip_allocations.forEach((a, i) => {
      if (!kinds.has(a.owner_id)) throw new ValidationError(`state.ip_allocations[${i}].owner_id`, `state.ip_allocations[${i}].owner_id: no resource '${a.owner_id}' in the snapshot`)
    })
    state.refs.forEach((r, i) => {
      if (!kinds.has(r.from_id)) throw new ValidationError(`state.refs[${i}].from_id`, `state.refs[${i}].from_id: no resource '${r.from_id}' in the snapshot`)
    })
    if (state.faults.length || state.counters.length) throw new ValidationError('state.faults', "state.faults: a scope's snapshot holds no fault rules or counters; they belong to the whole cloud")
  }
  state.faults.forEach((f, i) => {
    const effect = (f.rule as { effect?: unknown } | null)?.effect
    if (typeof effect !== 'object' || effect === null) throw new ValidationError(`state.faults[${i}].rule.effect`, `state.faults[${i}].rule.effect: is required`)
    if (f.kind !== '*' && !defs.has(f.kind)) {
      throw new ValidationError(`state.faults[${i}].kind`, `state.faults[${i}].kind: '${f.kind}' is not a kind of this mockcloud`)
    }
  })
}

/**
 * Whether the store refused a row for its content: a constraint (SQLite
 * SQLITE_CONSTRAINT_*, PostgreSQL class 23) or a value it cannot hold (PostgreSQL class 22).
 */
export function isConstraintError(err: unknown): boolean {
  const code = (err as { code?: unknown } | null)?.code
  return typeof code === 'string' && (code.startsWith('SQLITE_CONSTRAINT') || /^2[23][0-9A-Z]{3}$/.test(code))
}
