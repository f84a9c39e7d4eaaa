import type { Clock } from '../clock/clock.js'
import type { SeededRandom } from '../random/seeded-random.js'
import type { ResourceQuery, ResourceRecord, SortColumn, TransitionRecord } from '../store/records.js'
import type { Store } from '../store/store.js'
import { decodeCursor, encodeCursor } from './cursor.js'
import { failStateOf, isNumericField, labelOf, type KindDef } from './define-kind.js'
import { phasesOf, phaseStatus } from './phases.js'
import { Identity } from './identity/identity.js'
import { EngineTx, type PhaseEnd, type ScheduledTransition } from './engine-tx.js'
import { ConflictError, NotFoundError, ValidationError } from './errors.js'
import type { EventBus } from './event-bus.js'
import { DEFAULT_EVENT_RETENTION, EventHistory } from './event-history.js'
import { InjectedFaultError } from './faults.js'
import type { LabelRequirement } from './label-selector.js'
import type { KindRegistry } from './registry.js'
import { scopeChain, SHARED_PROJECT } from './scope.js'
import type { Timing } from './timing.js'
import type { QuotaLimits } from './quotas.js'
import { applyUpdate, type UpdateChange } from './update.js'

/** Where the engine hands scheduled transitions: the in-process scheduler, or a queue. */
export interface TransitionRunner {
  /** A transition was committed; it is due at `t.dueAt`. */
  notify(t: ScheduledTransition): void
  /** Runs every transition already due, before returning. */
  runDue(): Promise<unknown>
}

export interface EngineOptions {
  store: Store
  clock: Clock
  random: SeededRandom
  timing: Timing
  registry: KindRegistry
  bus: EventBus
  /** How many of the newest events the history keeps for replay (default 10,000). */
  eventRetention?: number | undefined
  /** The deployment's quota limits, over OpenStack's defaults (`{ instances: -1 }`: no limit). */
  quotaDefaults?: QuotaLimits | undefined
}

export interface ListOptions {
  status?: string | undefined
  name?: string | undefined
  parentId?: string | undefined
  limit?: number | undefined
  cursor?: string | undefined
  /** Include the shared scope (seeded flavors, images, the public network) where the kind has one. */
  includeShared?: boolean
  /** List every scope, not only the caller's (an admin's `all_tenants`). */
  allScopes?: boolean | undefined
  /** List the scope given and every scope it holds (a cluster's namespaces: `kubectl get vm --all-namespaces`). */
  withinScope?: boolean | undefined
  /** Equality on data fields the kind declares in `filters`, e.g. `{ deviceId: id }`; null matches a missing or null field. */
  where?: Readonly<Record<string, string | number | boolean | null>> | undefined
  /** A label selector's requirements, all of which must hold (see parseLabelSelector); for kinds that declare `labels`. */
  labels?: readonly LabelRequirement[] | undefined
  /** Sort by a column (default: creation order); ties by creation order, in the same direction. */
  sort?: { field: SortField | string; desc?: boolean | undefined } | undefined
}

/** What a list can be sorted by, on every kind; a kind adds the data fields it declares `sortable`. */
export type SortField = 'name' | 'createdAt' | 'updatedAt' | 'status'
const SORT_COLUMNS: Record<SortField, SortColumn> = { name: 'name', createdAt: 'created_at', updatedAt: 'updated_at', status: 'status' }

export interface Page<T> {
  items: T[]
  nextCursor: string | null
}

export const DEFAULT_PAGE_SIZE = 100
export const MAX_PAGE_SIZE = 1000

/**
 * The engine: every rule about resources, with no HTTP in it. Faces call
 * `create`, `get`, `list`, `act` and `delete` with a project and a kind id;
 * the scheduler calls `complete` when a transition falls due.
 *
 * @example
 * const vm = await engine.create('default', 'compute.server', { name: 'web', networkId })
 * await engine.act('default', 'compute.server', vm.id, 'stop', {})
 */
export class Engine {
  readonly store: Store
  readonly clock: Clock
  readonly random: SeededRandom
  /** Replaced when the shared settings change. */
  timing: Timing
  readonly registry: KindRegistry
  readonly bus: EventBus
  /** How many of the newest events the history keeps; changed with the shared settings. */
  eventRetention: number
  /** The deployment's quota limits, over OpenStack's defaults; changed with the shared settings. */
  quotaDefaults: QuotaLimits
  /** Every state change, numbered in commit order: replayed from a number, then followed live. */
  readonly history: EventHistory
  /** Who callers are: users, projects, roles, keys and tokens (docs/decisions/0011-identity.md). */
  readonly identity: Identity
  private runner: TransitionRunner | undefined
  private readonly failureListeners = new Set<(failure: TransitionFailure) => void>()

  constructor(opts: EngineOptions) {
    this.store = opts.store
    this.clock = opts.clock
    this.random = opts.random
    this.timing = opts.timing
    this.registry = opts.registry
    this.bus = opts.bus
    this.eventRetention = opts.eventRetention ?? DEFAULT_EVENT_RETENTION
    this.history = new EventHistory(opts.store, opts.bus)
    this.identity = new Identity(this)
    this.quotaDefaults = opts.quotaDefaults ?? {}
  }

  /** Connects the scheduler (or queue) that runs what the engine schedules. */
  setRunner(runner: TransitionRunner): void {
    this.runner = runner
  }

  /**
   * Runs `fn` in one store transaction; after commit publishes its events and
   * hands its scheduled transitions to the runner. Transitions already due
   * (latency 0, the `instant` profile) run before this returns, so
   * `ranDue` tells the caller to read the resource again.
   */
  async transaction<T>(
    fn: (tx: EngineTx) => Promise<T>,
    opts: { runDue?: boolean; at?: number; scope?: string } = {},
  ): Promise<{ value: Exclude<T, InjectedFaultError>; ranDue: boolean }> {
    let tx!: EngineTx
    const value = await this.store.transaction(async (q) => {
      // NOTE: first, before any read: a reset of the scope, or of one holding it (which takes it exclusively), waits for this, or this for it.
      if (opts.scope !== undefined) for (const s of scopeChain(opts.scope)) await q.lock(scopeLock(s), 'shared')
      tx = new EngineTx(q, this, opts.at ?? this.clock.now())
      const value = await fn(tx)
      await tx.settleQuotas()
      await tx.flushEvents()
      return value
    }).catch((err: unknown) => {
      throw isLockConflict(err) ? new ConflictError('this request conflicted with a concurrent one and was rolled back; retry') : err
    })
    if (tx.events.length) this.bus.publish(tx.events)
    let ranDue = false
    if (tx.scheduled.length && this.runner) {
      for (const t of tx.scheduled) this.runner.notify(t)
      if (opts.runDue !== false && tx.scheduled.some((t) => t.dueAt <= this.clock.now())) {
        await this.runner.runDue()
        ranDue = true
      }
    }
    // NOTE: a fault's latency on an immediate operation (or before its error): the answer waits on the engine's clock.
    if (tx.faultDelayMs > 0) await this.sleep(tx.faultDelayMs)
    if (value instanceof InjectedFaultError) throw value
    return { value: value as Exclude<T, InjectedFaultError>, ranDue }
  }


  async create(project: string, kind: string, input: Record<string, unknown>): Promise<ResourceRecord> {
    const def = this.registry.get(kind)
    if (!def.hooks.create) throw new Error(`${kind} cannot be created through the engine`)
    const create = def.hooks.create
    const name = typeof input['name'] === 'string' ? input['name'] : ''
    const { value, ranDue } = await this.transaction(async (tx) => (await tx.injectFault(kind, 'create', project, name)) ?? (create(tx, project, input) as Promise<ResourceRecord>), { scope: project })
    return ranDue ? ((await this.store.read.getResource(value.id)) ?? value) : value
  }

  async get(project: string, kind: string, id: string): Promise<ResourceRecord> {
    const res = await this.store.read.getResource(id)
    if (res && res.kind === kind && (res.project === project || (res.project === SHARED_PROJECT && this.registry.get(kind).shared))) {
      return res
    }
    throw new NotFoundError(labelOf(this.registry.get(kind)), id)
  }

  /**
   * A resource by id in whatever scope it lives, for a face whose paths name
   * it by id alone (the pool manager's `/workspaces/{podId}`); the face then
   * decides whether the caller may see that scope.
   */
  async getInAnyScope(kind: string, id: string): Promise<ResourceRecord> {
    const res = await this.store.read.getResource(id)
    if (res && res.kind === kind) return res
    throw new NotFoundError(labelOf(this.registry.get(kind)), id)
  }

  async list(project: string, kind: string, opts: ListOptions = {}): Promise<Page<ResourceRecord>> {
    const def = this.registry.get(kind)
    const limit = Math.min(opts.limit ?? DEFAULT_PAGE_SIZE, MAX_PAGE_SIZE)
    const projects = opts.allScopes || opts.withinScope ? undefined : def.shared && opts.includeShared !== false ? [project, SHARED_PROJECT] : [project]
    const data = Object.entries(opts.where ?? {}).map(([field, value]) => {
      if (!def.filters?.includes(field)) {
        throw new ValidationError(field, `${field}: ${labelOf(def)}s cannot be filtered by it` + (def.filters?.length ? ` (they can by ${def.filters.join(', ')})` : ''))
      }
      return { field, value }
    })
    if (opts.labels?.length && !def.labels) throw new ValidationError('labelSelector', `labelSelector: ${labelOf(def)}s have no labels to select on`)
    const labels = opts.labels?.length ? { field: def.labels!, requirements: opts.labels } : undefined
    const sort = opts.sort && sortOf(def, opts.sort.field, opts.sort.desc ?? false)
    const after = opts.cursor === undefined ? undefined : decodeCursor(opts.cursor, sort !== undefined)
    const rows = await this.store.read.listResources({
      kind,
      projects,
      within: opts.withinScope && !opts.allScopes ? project : undefined,
      status: opts.status,
      name: opts.name,
      parentId: opts.parentId,
      data,
      labels,
      sort,
      afterSeq: after?.seq,
      afterValue: after?.value,
      limit: limit + 1,
    })
    const items = rows.slice(0, limit)
    const last = items[items.length - 1]
    if (!(rows.length > limit && last)) return { items, nextCursor: null }
    return { items, nextCursor: encodeCursor(sort ? { seq: last.seq, value: sortValueOf(last, opts.sort!.field) } : last.seq) }
  }

  /** Children of the given parents (rules of security groups, subnets of networks). */
  async children(parentId: string, kind: string): Promise<ResourceRecord[]> {
    return this.store.read.childrenOf(parentId, kind)
  }

  /** Runs a named action (stop, attach...) of a kind on one resource. */
  async act(project: string, kind: string, id: string, action: string, args: Record<string, unknown> = {}): Promise<ResourceRecord> {
    const fn = this.registry.get(kind).hooks.actions?.[action]
    if (!fn) throw new Error(`${kind} has no action ${action}`)
    const { value, ranDue } = await this.transaction(async (tx) => {
      const res = await tx.require(kind, id, project)
      return (await tx.injectFault(kind, action, project, res.name)) ?? fn(tx, res, args)
    }, { scope: project })
    return ranDue ? ((await this.store.read.getResource(value.id)) ?? value) : value
  }

  /**
   * Changes a resource's name and the data fields its kind lets change, under
   * an optimistic version check when `expectedVersion` is given (a stale one
   * is a ConflictError), and records the change as an event (operation
   * `update`). A fault rule on `update` applies.
   *
   * @example
   * await engine.update('default', 'compute.server', id, { name: 'web-2', expectedVersion: vm.version })
   */
  async update(project: string, kind: string, id: string, change: UpdateChange): Promise<ResourceRecord> {
    const def = this.registry.get(kind)
    const { value } = await this.transaction(async (tx) => {
      // NOTE: before the read (ADR 0005): concurrent updates of one resource take turns, so a stale expected version is seen as stale, never as a lost race.
      await tx.lock(`${kind}:${id}`)
      const res = await tx.require(kind, id, project)
      return (await tx.injectFault(kind, 'update', project, res.name)) ?? applyUpdate(tx, def, res, change)
    }, { scope: project })
    return value
  }

  /**
   * Deletes a resource: at once for synchronous kinds (returns null), or starts
   * its `delete` operation and returns it in its transitional state.
   */
  async delete(project: string, kind: string, id: string): Promise<ResourceRecord | null> {
    const def = this.registry.get(kind)
    const { value } = await this.transaction(async (tx) => {
      const res = await tx.require(kind, id, project)
      if (res.project !== project) throw new ConflictError(`${labelOf(def)} ${id} is shared and cannot be deleted`)
      const injected = await tx.injectFault(kind, 'delete', project, res.name)
      if (injected) return injected
      await def.hooks.beforeDelete?.(tx, res)
      const after = await tx.begin(res, 'delete')
      return def.operations.delete?.via ? after : null
    }, { scope: project })
    return value && ((await this.store.read.getResource(value.id)) ?? null)
  }

  /** Waits `ms` of emulated time (a manual clock: until a test advances it that far). */
  sleep(ms: number): Promise<void> {
    return new Promise((resolve) => this.clock.wakeAt(this.clock.now() + ms, () => resolve()))
  }

  /**
   * Applies a due transition: once, and only if the resource is still at the
   * version it was scheduled against. Returns false when it was dropped (or
   * put off for a retry).
   *
   * A transition that throws is tried again later, on the engine's clock,
   * with a back-off (1 s, 2 s, 4 s, 8 s); after `TRANSITION_ATTEMPTS` tries its
   * resource goes to the operation's failure state with the error in its
   * `fault`. So a broken hook never spins and never leaves a resource waiting
   * for ever.
   */
  async complete(t: TransitionRecord): Promise<boolean> {
    try {
      return await this.apply(t)
    } catch (err) {
      return this.failedAttempt(t, err)
    }
  }

  /** Listens for transitions that threw (each attempt); returns a function that stops listening. */
  onTransitionFailure(listener: (failure: TransitionFailure) => void): () => void {
    this.failureListeners.add(listener)
    return () => this.failureListeners.delete(listener)
  }

  private async apply(t: TransitionRecord): Promise<boolean> {
    const now = this.clock.now()
    const { value } = await this.transaction(async (tx) => {
      const found = await tx.q.takeTransition(t)
      // NOTE: taken by another runner, or a row whose resource went another way: nothing to do, nothing left behind.
      if (!found) return (await tx.q.deleteTransition(t)) && false
      tx.taken = t
      const applied = await this.applyTaken(tx, t, found, now)
      await tx.releaseTaken()
      return applied
    }, { runDue: false, at: Math.min(t.dueAt, now) })
    // NOTE: runDue false: the scheduler calls this from its own run, which picks up
    // anything this transition made due. A transition takes effect at its due time,
    // even when it runs late (after a restart): the emulated cloud did not stop.
    return value
  }

  /** Ends the phase (or operation) a taken transition ends, and any next phase already due by `now`. */
  private async applyTaken(tx: EngineTx, t: TransitionRecord, found: ResourceRecord, now: number): Promise<boolean> {
    if (!this.stillPending(t, found)) return false
    let res: ResourceRecord = found
    const def = this.registry.get(res.kind)
    const op = def.operations[t.operation]
    if (!op) return false
    // NOTE: each pass ends one phase; a next phase whose end is already past (a late run, the
    // instant profile) ends in the same transaction, at its own time, rather than in one more.
    let step: PhaseEnd = t
    for (;;) {
      const phase = phaseOfTransition(step)
      const failTo = step.outcome === 'fail' ? failStateOf(def, op, phase) : undefined
      if (failTo) {
        const patch = await def.hooks.onFail?.[t.operation]?.(tx, res)
        const rule = typeof step.detail?.['faultId'] === 'number' ? ` (fault rule ${step.detail['faultId']})` : ''
        const at = phase ? ` while ${phase}` : ''
        const what = op.background ? `${t.operation} of ${labelOf(def)} ${res.name}` : `failure of ${labelOf(def)} ${t.operation}${at}`
        const fault = { operation: t.operation, message: `mockcloud: simulated ${what}${rule}` }
        await tx.write(res, { status: failTo, data: { ...(patch ?? {}), fault } }, t.operation)
        return true
      }
      if (phase === null) break
      const phases = phasesOf(op)
      const next = phases[phases.findIndex((p) => p.name === phase) + 1]
      if (!next) break
      const entered: { res: ResourceRecord; due?: PhaseEnd | undefined } = await tx.enterPhase(res, t.operation, next.name, step.detail, now)
      if (!entered.due) return true
      res = entered.res
      step = entered.due
      tx.now = step.dueAt
    }
    const patch = await def.hooks.onComplete?.[t.operation]?.(tx, res)
    if (op.to === null) await tx.remove(res, t.operation)
    else await tx.write(res, { status: endStateOf(def, t.operation, res) ?? op.to, data: patch ?? undefined }, t.operation)
    return true
  }

  /**
   * Whether a transition still applies to its resource: unchanged since it was
   * scheduled, or changed only in name or data (an update, a hook writing its
   * data) and still in the operation's transitional state and phase. Starting another
   * operation deletes the pending transitions, so that case never gets here.
   */
  private stillPending(t: TransitionRecord, res: ResourceRecord): boolean {
    const op = this.registry.get(res.kind).operations[t.operation]
    // NOTE: a background operation (a crash) outlives the others: it needs only a state it can happen in.
    if (op?.background) return Array.isArray(op.from) && op.from.includes(res.status)
    if (res.version === t.expectedVersion) return true
    if (!op?.via || res.version < t.expectedVersion) return false
    const phase = phaseOfTransition(t)
    return res.phase === phase && res.status === phaseStatus(op, phasesOf(op).find((p) => p.name === phase))
  }

  /** Puts a transition that threw off for a later try, or, after the last try, fails its resource. */
  private async failedAttempt(t: TransitionRecord, error: unknown): Promise<boolean> {
    const attempt = attemptsOf(t) + 1
    const final = attempt >= TRANSITION_ATTEMPTS
    const message = error instanceof Error ? error.message : String(error)
    const { value } = await this.transaction(async (tx) => {
      if (!(await tx.q.deleteTransition(t))) return undefined
      const res = await tx.q.getResource(t.resourceId)
      if (!res || !this.stillPending(t, res)) return undefined
      const failure: TransitionFailure = { resourceId: res.id, kind: res.kind, operation: t.operation, attempt, final, error }
      if (!final) {
        // NOTE: a new row (a new id), so a queue that dedupes by id takes the retry as a new job.
        const { id: _old, ...rest } = t
        const dueAt = tx.now + TRANSITION_RETRY_MS * 2 ** (attempt - 1)
        await tx.queueTransition({ ...rest, dueAt, detail: { ...t.detail, attempts: attempt, lastError: message } })
        return failure
      }
      const def = this.registry.get(res.kind)
      const op = def.operations[t.operation]
      const failTo = op ? failStateOf(def, op, res.phase) : undefined
      const fault = { operation: t.operation, message: `mockcloud: ${labelOf(def)} ${t.operation} failed ${attempt} times; last error: ${message}` }
      // NOTE: no hooks here: they may be what throws. A kind without a failure state keeps its state and gets the fault.
      await tx.write(res, { status: failTo, phase: null, data: { fault } }, t.operation)
      return failure
    }, { runDue: false })
    if (value) for (const listener of this.failureListeners) listener(value)
    return false
  }
}

/** How the store sorts a list by `field`: a column every kind has, or a data field the kind declares sortable. */
function sortOf(def: KindDef, field: string, desc: boolean): NonNullable<ResourceQuery['sort']> {
  if (Object.hasOwn(SORT_COLUMNS, field)) return { column: SORT_COLUMNS[field as SortField], desc }
  if (def.sortable?.includes(field)) return { dataField: field, numeric: isNumericField(def, field), desc }
  const known = [...Object.keys(SORT_COLUMNS), ...(def.sortable ?? [])]
  throw new ValidationError('sort', `sort: '${field.slice(0, 64)}' is not a field ${labelOf(def)}s sort by (${known.join(', ')})`)
}

function sortValueOf(r: ResourceRecord, field: string): string | number {
  if (field === 'createdAt') return r.createdAt
  if (field === 'updatedAt') return r.updatedAt
  if (field === 'status') return r.status
  if (field === 'name') return r.name
  return r.data[field] as string | number
}

/** PostgreSQL broke a deadlock (40P01) or a serialization conflict (40001) by rolling this transaction back. */
function isLockConflict(err: unknown): boolean {
  const code = (err as { code?: unknown } | null)?.code
  return code === '40P01' || code === '40001'
}

/** The lock every change in a scope takes shared, and a reset of the scope exclusively. */
export function scopeLock(scope: string): string {
  return `scope:${scope}`
}

/** A transition whose hook (or store) threw, as told to `onTransitionFailure` listeners. */
export interface TransitionFailure {
  resourceId: string
  kind: string
  operation: string
  /** 1 for the first try. */
  attempt: number
  /** True when there is no retry: the resource went to its failure state. */
  final: boolean
  error: unknown
}

/** Tries of a transition that throws before its resource is failed. */
export const TRANSITION_ATTEMPTS = 5
/** The first retry's delay on the engine's clock; each next one waits twice as long. */
export const TRANSITION_RETRY_MS = 1_000

/** The state a kind's hook says an operation ends in instead of its `to`, checked against its states. */
function endStateOf(def: KindDef, operation: string, res: ResourceRecord): string | undefined {
  const to = def.hooks.endState?.[operation]?.(res)
  if (to !== undefined && !def.states.includes(to)) throw new Error(`${def.id}.${operation} ended in unknown state '${to}'`)
  return to
}

/** The phase whose end a transition is (null: the end of an operation without phases, or one scheduled before it had them). */
function phaseOfTransition(t: Pick<TransitionRecord, 'detail'>): string | null {
  const phase = t.detail?.['phase']
  return typeof phase === 'string' ? phase : null
}

function attemptsOf(t: TransitionRecord): number {
  const n = t.detail?.['attempts']
  return typeof n === 'number' ? n : 0
}
