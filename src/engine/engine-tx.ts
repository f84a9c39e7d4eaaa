import type { Queries } from '../store/queries.js'
import type { EventRecord, FaultRecord, ResourceRecord, TransitionRecord } from '../store/records.js'
import type { SeededRandom } from '../random/seeded-random.js'
import { crashOperationOf, labelOf, type KindDef } from './define-kind.js'
import { ConflictError, EMU_ERR_INVALID_STATE, NotFoundError, ValidationError } from './errors.js'
import { fireFault, InjectedFaultError, type FiredFault } from './faults.js'
import { failPhaseOf, isPlan, phasesOf, phaseStatus, runningStatuses, type Plan } from './phases.js'
import type { KindRegistry } from './registry.js'
import { parseScope, SHARED_PROJECT } from './scope.js'
import { amountsOf, countUsage, effectiveLimits, QuotaExceededError, type QuotaAmounts, type QuotaLimits, type QuotaName } from './quotas.js'
import type { Timing } from './timing.js'

/**
 * A transition as handed to the runner: its queue row and when it is due,
 * and the whole row when the transaction wrote it (a runner that applies it
 * then need not read it back; a snapshot's rows come without).
 */
export interface ScheduledTransition {
  id: number
  dueAt: number
  record?: TransitionRecord
}

/** How and when a phase (or an operation without phases) ends, as a transition row says it. */
export interface PhaseEnd {
  dueAt: number
  outcome: 'complete' | 'fail'
  detail: Record<string, unknown> | null
}

/** What a transaction needs from the engine around it. */
export interface TxContext {
  registry: KindRegistry
  random: SeededRandom
  timing: Timing
  /** How many of the newest events the history keeps. */
  eventRetention: number
  /** The deployment's quota limits, over OpenStack's defaults. */
  quotaDefaults: QuotaLimits
}

/**
 * One engine transaction: the store's queries plus the rules every kind shares
 * (visibility, state machine checks, optimistic versions, events, scheduling).
 * Kind hooks receive one and never touch the store directly.
 */
export class EngineTx {
  /** This transaction's events, numbered by `flushEvents` as it commits, to publish once it has. */
  events: EventRecord[] = []
  private readonly pendingEvents: Array<Omit<EventRecord, 'seq'>> = []
  /** What this transaction's creates and removals change of each scope's quotas, settled as it commits. */
  private readonly quotaDeltas = new Map<string, QuotaAmounts>()
  /** The transitions scheduled in this transaction, for the runner once it commits. */
  readonly scheduled: ScheduledTransition[] = []
  /** The fault that fired on this transaction's operation (not on one of its phases), if one did. */
  private fault: FiredFault | undefined
  private faultApplied = false
  /** Whether the crash that fault asks for is planted already (a rule plants one crash per firing). */
  private crashPlanted = false
  private readonly rulesRead = new Map<string, Promise<FaultRecord[]>>()
  /** The operations whose rules the request asked already (`injectFault`): the ones it began itself. */
  private readonly asked = new Set<string>()
  /**
   * The transition this transaction is applying, while its row is still
   * there to move on to the operation's next phase (see `insertEnd`).
   */
  taken: TransitionRecord | undefined

  constructor(
    readonly q: Queries,
    private readonly ctx: TxContext,
    /**
     * The emulated time of what the transaction writes; a transition catching
     * up on phases already past moves it to each one's end in turn.
     */
    public now: number,
  ) {}

  /**
   * Fires the first matching fault rule on an operation. An `error` effect is
   * returned for the engine to throw once the transaction (which counted the
   * firing) has committed; other effects change how the operation is scheduled.
   */
  async injectFault(kind: string, operation: string, project: string, name: string): Promise<InjectedFaultError | undefined> {
    this.asked.add(`${kind} ${operation}`)
    const fired = await fireFault(this.q, this.ctx.random, { kind, operation, project, name }, await this.faultRules(kind, operation))
    if (!fired) return undefined
    this.fault = fired
    return fired.effect.error ? new InjectedFaultError(fired.effect.error.status, fired.effect.error.message, fired.id) : undefined
  }

  /**
   * The fault rules of an operation, read once per transaction: a create asks
   * for its operation's rules and then for its first phase's, and those are
   * never the same rules, so a count one of them took is not read twice.
   */
  private faultRules(kind: string, operation: string): Promise<FaultRecord[]> {
    const key = `${kind} ${operation}`
    let rules = this.rulesRead.get(key)
    if (!rules) {
      rules = this.q.faultsFor(kind, operation)
      this.rulesRead.set(key, rules)
    }
    return rules
  }

  /** Extra latency of a fired fault that no lifecycle absorbed: the answer waits that long. */
  get faultDelayMs(): number {
    return this.fault && !this.faultApplied ? (this.fault.effect.latencyMs ?? 0) : 0
  }

  /**
   * Holds `key` until the transaction ends, so a rule that reads before it
   * writes sees no other writer of the same thing in between. Lock what the
   * rule reads, before reading it; hold at most one exclusive key per kind
   * of rule, taken in the order: resource keys (`compute.server:ID`), then
   * scope-wide rule keys. See docs/decisions/0005-rule-locks.md.
   */
  lock(key: string, mode: 'shared' | 'exclusive' = 'exclusive'): Promise<void> {
    return this.q.lock(key, mode)
  }

  get random(): SeededRandom {
    return this.ctx.random
  }

  kind(id: string): KindDef {
    return this.ctx.registry.get(id)
  }

  /** A fresh id: deterministic for a seed, never reused (the counter is in the store). */
  async newId(): Promise<string> {
    return this.ctx.random.uuid('id', await this.q.nextIdNumber())
  }

  /** The resource if it exists, is of `kind` and is visible to `project`. */
  async find(kind: string, id: string, project: string): Promise<ResourceRecord | undefined> {
    const res = await this.q.getResource(id)
    if (!res || res.kind !== kind) return undefined
    if (res.project === project) return res
    if (res.project === SHARED_PROJECT && this.kind(kind).shared) return res
    return undefined
  }

  /**
   * The resource, or an error: 404 when the id is the request's subject, or a
   * 400 naming `field` when it is a reference inside the request body.
   */
  async require<D = Record<string, unknown>>(kind: string, id: string, project: string, field?: string): Promise<ResourceRecord<D>> {
    const res = await this.find(kind, id, project)
    if (res) return res as ResourceRecord<D>
    const label = labelOf(this.kind(kind))
    if (field) throw new ValidationError(field, `${field}: no ${label} with id '${id}'`)
    throw new NotFoundError(label, id)
  }

  /** Finds a resource by id or, failing that, by its unique name (flavors, images, security groups). */
  async resolve(kind: string, ref: string, project: string, field: string): Promise<ResourceRecord> {
    const byId = await this.find(kind, ref, project)
    if (byId) return byId
    const projects = this.kind(kind).shared ? ([project, SHARED_PROJECT] as const) : ([project] as const)
    const byName = await this.q.findByName(kind, projects, ref)
    const label = labelOf(this.kind(kind))
    if (byName.length > 1) throw new ValidationError(field, `${field}: more than one ${label} is named '${ref}'; use its id`)
    if (!byName[0]) throw new ValidationError(field, `${field}: no ${label} with id or name '${ref}'`)
    return byName[0]
  }

  /**
   * Inserts a new resource in the state its `create` operation starts in, and
   * schedules the operation's completion when it is asynchronous.
   */
  async create<D>(kind: string, r: { id?: string; project: string; name: string; parentId?: string | null; data: D }): Promise<ResourceRecord<D>> {
    const def = this.kind(kind)
    const op = def.operations.create
    if (!op || op.to === null) throw new Error(`${kind} declares no create operation`)
    const type = def.scope ?? 'project'
    if (r.project !== SHARED_PROJECT && parseScope(r.project).type !== type) {
      throw new ValidationError('scope', `scope: a ${labelOf(def)} lives in a ${type}, not in '${r.project}'`)
    }
    await this.checkNameFree(kind, r.project, r.name)
    const first = phasesOf(op)[0]
    const res: ResourceRecord<D> = {
      seq: 0,
      id: r.id ?? (await this.newId()),
      kind,
      project: r.project,
      name: r.name,
      status: phaseStatus(op, first) ?? op.to,
      phase: first?.name ?? null,
      parentId: r.parentId ?? null,
      version: 1,
      data: r.data,
      createdAt: this.now,
      updatedAt: this.now,
      eventSeq: 0,
    }
    await this.q.insertResource(res as ResourceRecord, this.nextEventAhead())
    await this.countQuota(res as ResourceRecord, 1)
    this.record(res, 'created', 'create', null)
    if (op.via) await this.schedule(res, 'create', [...(await this.nestedFaults(res, 'create')), ...(await this.phaseFaults(res, 'create'))])
    await this.crashIfRuled(res, 'create')
    return res
  }

  /**
   * The rules on an operation a hook began for another resource (the pods a
   * pool provisions), fired as it begins, as `injectFault` fires the
   * request's own. Only what acts on its lifecycle: an `error` has no
   * request of its own to answer, so rules giving one are left for a
   * request that begins the operation itself.
   */
  private async nestedFaults(res: ResourceRecord<unknown>, operation: string, which: 'lifecycle' | 'crash' = 'lifecycle'): Promise<FiredFault[]> {
    if (this.asked.has(`${res.kind} ${operation}`)) return []
    // NOTE: crashes apart: they are planted by crashIfRuled, on kinds that can crash, where the lifecycle's rules are not asked.
    const rules = (await this.faultRules(res.kind, operation)).filter((r) => {
      const effect = r.rule['effect'] as { error?: unknown; crashAfterMs?: unknown } | undefined
      return which === 'crash' ? effect?.crashAfterMs !== undefined : effect?.error === undefined && effect?.crashAfterMs === undefined
    })
    if (!rules.length) return []
    const fired = await fireFault(this.q, this.ctx.random, { kind: res.kind, operation, project: res.project, name: res.name }, rules)
    return fired ? [fired] : []
  }

  /**
   * For a kind whose names are unique in their scope: refuses a name another
   * resource of the scope has (ConflictError), holding the name's lock until
   * the transaction ends so that no concurrent create or rename takes it.
   */
  async checkNameFree(kind: string, project: string, name: string, exceptId?: string): Promise<void> {
    const def = this.kind(kind)
    if (!def.uniqueNames) return
    await this.lockName(kind, project, name)
    const taken = (await this.q.findByName(kind, [project], name)).find((r) => r.id !== exceptId)
    if (taken) throw new ConflictError(`a ${labelOf(def)} named '${name}' already exists in ${project} (${taken.id})`)
  }

  /**
   * Holds a name of a kind in a scope until the transaction ends: what
   * `checkNameFree` takes, for a caller that finds-or-creates by name.
   * A scope-wide rule key (ADR 0005), after any resource key the caller holds.
   */
  lockName(kind: string, project: string, name: string): Promise<void> {
    return this.lock(`name:${kind}:${project}:${name}`)
  }

  /**
   * Starts `operation` on a resource: checks the state machine allows it from
   * the current state, moves to its transitional state (or straight to its
   * target) and schedules the completion. Supersedes any pending transition.
   */
  async begin<D>(res: ResourceRecord<D>, operation: string, data?: Partial<D>): Promise<ResourceRecord<D>> {
    const def = this.kind(res.kind)
    const op = def.operations[operation]
    if (!op) throw new Error(`${res.kind} has no operation ${operation}`)
    const allowed = op.from === '*' ? !runningStatuses(op).has(res.status) : (op.from ?? []).includes(res.status)
    if (!allowed) {
      throw new ConflictError(
        `cannot ${operation} ${labelOf(def)} ${res.id} while it is ${res.status}` +
          (op.from && op.from !== '*' ? ` (it must be ${op.from.join(' or ')})` : ''),
        EMU_ERR_INVALID_STATE,
      )
    }
    await this.dropTransitionsOf(res.id, crashOperationOf(def))
    if (!op.via) {
      if (op.to === null) {
        await this.remove(res, operation)
        return res
      }
      const done = await this.write(res, { status: op.to, data }, operation)
      await this.crashIfRuled(done, operation)
      return done
    }
    const first = phasesOf(op)[0]
    const next = await this.write(res, { status: phaseStatus(op, first), phase: first?.name ?? null, data }, operation)
    await this.schedule(next, operation, await this.phaseFaults(next, operation))
    await this.crashIfRuled(next, operation)
    return next
  }

  /**
   * Schedules the crash a fault rule asks for (`crashAfterMs`) on a resource
   * `operation` was just done to, when one fires: the request's own rule, or
   * one fired now for an operation a hook did (the pod a pool's claim hands
   * out, however it came by it). The crash is the kind's background
   * operation, due that long from now, failing into its `failTo` state;
   * another operation started meanwhile does not cancel it, and it applies
   * only if the resource is then in one of the states it crashes from.
   * Kinds that cannot crash ask no rule here.
   */
  async crashIfRuled<D>(res: ResourceRecord<D>, operation: string): Promise<void> {
    const crash = crashOperationOf(this.kind(res.kind))
    if (crash === undefined) return
    const own = this.fault && this.fault.kind === res.kind && this.fault.operation === operation && !this.crashPlanted ? this.fault : undefined
    const fault = own?.effect.crashAfterMs !== undefined ? own : (await this.nestedFaults(res, operation, 'crash'))[0]
    if (!fault) return
    if (fault === own) this.crashPlanted = true
    const end: PhaseEnd = { dueAt: this.now + fault.effect.crashAfterMs!, outcome: 'fail', detail: { faultId: fault.id } }
    await this.queueTransition({ resourceId: res.id, operation: crash, ...end, expectedVersion: res.version, createdAt: this.now })
  }

  /** Queues a transition and hands it, row and all, to the runner once this transaction commits. */
  async queueTransition(t: Omit<TransitionRecord, 'id'>): Promise<void> {
    const id = await this.q.insertTransition(t)
    this.scheduled.push({ id, dueAt: t.dueAt, record: { id, ...t } })
  }

  /**
   * Writes a change with its optimistic version check and records the event.
   * A concurrent writer that got there first makes this a 409. A change of
   * status ends the phase the resource was in, unless it names the next one.
   */
  async write<D>(
    res: ResourceRecord<D>,
    change: { status?: string | undefined; data?: Partial<D> | undefined; name?: string; phase?: string | null },
    operation: string,
  ): Promise<ResourceRecord<D>> {
    const next = this.changed(res, change)
    await this.persist(next, res, operation)
    return next
  }

  /** The record a change makes of `res`, not written yet (see write). */
  private changed<D>(res: ResourceRecord<D>, change: { status?: string | undefined; data?: Partial<D> | undefined; name?: string; phase?: string | null }): ResourceRecord<D> {
    return {
      ...res,
      name: change.name ?? res.name,
      status: change.status ?? res.status,
      phase: change.phase !== undefined ? change.phase : change.status !== undefined ? null : res.phase,
      data: change.data ? { ...res.data, ...change.data } : res.data,
      version: res.version + 1,
      updatedAt: this.now,
    }
  }

  /**
   * Writes `next` over `res` under the version check and records its event;
   * with `move`, moves the taken transition row on as part of the same write
   * (see Queries.updateResourceMoving). Returns whether the row moved.
   */
  private async persist<D>(next: ResourceRecord<D>, res: ResourceRecord<D>, operation: string, move?: TransitionRecord): Promise<boolean> {
    const { updated, moved } = move
      ? await this.q.updateResourceMoving(next as ResourceRecord, res as ResourceRecord, this.nextEventAhead(), move)
      : { updated: await this.q.updateResource(next as ResourceRecord, res as ResourceRecord, this.nextEventAhead()), moved: false }
    if (!updated) throw new ConflictError(`${labelOf(this.kind(res.kind))} ${res.id} was changed by another request; retry`)
    this.record(next, 'changed', operation, res.status)
    return moved
  }

  /** Deletes a resource for good, after its kind has released what it held. */
  async remove<D>(res: ResourceRecord<D>, operation: string): Promise<void> {
    await this.kind(res.kind).hooks.onGone?.(this, res as ResourceRecord)
    await this.dropTransitionsOf(res.id)
    await this.q.removeRefsFrom(res.id)
    await this.q.releaseAddresses(res.id)
    if (!(await this.q.deleteResource(res.id, res.version))) {
      throw new ConflictError(`${labelOf(this.kind(res.kind))} ${res.id} was changed by another request; retry`)
    }
    await this.countQuota(res as ResourceRecord, -1)
    this.recordRemoved(res as ResourceRecord, operation)
  }

  /**
   * Moves a resource on to the next phase of the operation it is in, firing
   * the fault rules aimed at that phase, and schedules the phase's end; or,
   * when that end is due by `dueBy` already, returns it as `due` for the
   * caller to apply in this transaction. `carried`: what the previous
   * phase's transition passed on (a failure waiting for its phase).
   */
  async enterPhase<D>(
    res: ResourceRecord<D>,
    operation: string,
    phase: string,
    carried: Record<string, unknown> | null,
    dueBy: number,
  ): Promise<{ res: ResourceRecord<D>; due?: PhaseEnd | undefined }> {
    const op = this.kind(res.kind).operations[operation]!
    const def = phasesOf(op).find((p) => p.name === phase)
    const next = this.changed(res, { status: phaseStatus(op, def), phase })
    // NOTE: the phase's rules fire before the write, so that the end they shape moves the transition
    // row with it: one statement on PostgreSQL, where each is a round trip and a build has four phases.
    const end = this.planEnd(next, operation, await this.phaseFaults(next, operation), carried)
    if (end && end.dueAt <= dueBy) {
      await this.persist(next, res, operation)
      return { res: next, due: end }
    }
    const move = end && this.moveTaken(next, end)
    const moved = await this.persist(next, res, operation, move)
    if (end) await this.endScheduled(next, operation, end, moved ? move : undefined)
    return { res: next }
  }

  /** The fault rules aimed at the phase a resource has just entered, fired (and counted) now. */
  private async phaseFaults(res: ResourceRecord<unknown>, operation: string): Promise<FiredFault[]> {
    if (res.phase === null) return []
    const rules = await this.faultRules(res.kind, operation)
    const fired = await fireFault(this.q, this.ctx.random, { kind: res.kind, operation, project: res.project, name: res.name, phase: res.phase }, rules)
    return fired ? [fired] : []
  }

  /** Records that a resource came in with a snapshot of its scope. */
  async recordLoaded(res: ResourceRecord): Promise<void> {
    await this.q.numberResourceEvent(res.id, this.nextEventAhead())
    this.record(res, 'created', 'snapshot', null)
  }

  /**
   * Where the event of the write about to happen falls among those this
   * transaction will append: each write records its event right after it
   * (see Queries.insertResource).
   */
  private nextEventAhead(): number {
    return this.pendingEvents.length + 1
  }

  /** Records that a resource went: deleted, or removed with its scope by a reset. */
  recordRemoved(res: ResourceRecord, operation: string): void {
    this.pendingEvents.push({
      at: this.now,
      project: res.project,
      kind: res.kind,
      resourceId: res.id,
      name: res.name,
      type: 'deleted',
      operation,
      fromStatus: res.status,
      toStatus: null,
      version: res.version + 1,
      resource: res,
    })
  }

  /**
   * Schedules the end of the phase a resource is in (of the whole operation,
   * when it has no phases): its latency and failure drawn from the seeded
   * generator, with what the fired faults add. A fault on the operation
   * itself acts on its first phase (latency, stuck), or fails it in its
   * failure phase, carried there from phase to phase.
   */
  private async schedule<D>(res: ResourceRecord<D>, operation: string, faults: FiredFault[]): Promise<void> {
    const end = this.planEnd(res, operation, faults, null)
    if (end) await this.insertEnd(res, operation, end)
  }

  /** When and how the phase a resource is in ends (see `schedule`); undefined when a fault keeps it there. */
  private planEnd<D>(res: ResourceRecord<D>, operation: string, faults: FiredFault[], carried: Record<string, unknown> | null): PhaseEnd | undefined {
    const op = this.kind(res.kind).operations[operation]!
    const [[drawnDelay, drawnFail], ...later] = isPlan(carried?.['plan']) ? carried['plan'] : this.drawPlan(res, operation)
    let delay = drawnDelay
    let fails = drawnFail === 1
    let failAt = typeof carried?.['failAt'] === 'string' ? carried['failAt'] : undefined
    // NOTE: a fault's id travels only with the failure it planted; a phase it merely slowed is behind.
    let faultId = failAt !== undefined && typeof carried?.['faultId'] === 'number' ? carried['faultId'] : undefined
    const fault = this.fault
    if (fault && !this.faultApplied && fault.kind === res.kind && fault.operation === operation) {
      this.faultApplied = true
      const failPhase = failPhaseOf(op)
      // NOTE: a failure meant for a later phase travels with the transitions until that phase.
      if (fault.effect.failLifecycle && failPhase !== undefined && failPhase !== res.phase) {
        failAt = failPhase
        faultId = fault.id
      }
      faults = [{ ...fault, effect: { ...fault.effect, failLifecycle: fault.effect.failLifecycle && failAt === undefined } }, ...faults]
    }
    for (const f of faults) {
      // NOTE: stuck: no transition at all, so only a delete (or a reset) moves the resource on.
      if (f.effect.stuck) return undefined
      delay += f.effect.latencyMs ?? 0
      // NOTE: the rule a failure is blamed on is the one that failed it, never one that only slowed it.
      if (f.effect.failLifecycle) {
        fails = true
        faultId ??= f.id
      }
    }
    if (failAt !== undefined && failAt === res.phase) {
      fails = true
      failAt = undefined
    }
    const detail: Record<string, unknown> = {}
    if (res.phase !== null) detail['phase'] = res.phase
    if (faultId !== undefined) detail['faultId'] = faultId
    if (failAt !== undefined) detail['failAt'] = failAt
    if (later.length) detail['plan'] = later
    return { dueAt: this.now + delay, outcome: fails ? 'fail' : 'complete', detail: Object.keys(detail).length ? detail : null }
  }

  /**
   * The latency and failure of each phase still to come, from the one the
   * resource is in, drawn as it enters it from the seeded generator and the
   * timing in force then: an operation under way keeps its timing when the
   * settings change (only operations started afterwards take the new one).
   */
  private drawPlan<D>(res: ResourceRecord<D>, operation: string): Plan {
    const op = this.kind(res.kind).operations[operation]!
    const phases = phasesOf(op)
    const from = Math.max(0, phases.findIndex((p) => p.name === res.phase))
    const names: Array<string | null> = phases.length ? phases.slice(from).map((p) => p.name) : [null]
    return names.map((phase) => {
      const { latency, failureRate } = this.ctx.timing.of(res.kind, operation, phase)
      const keys = [res.id, operation, res.version, phase ?? ''] as const
      const delay = this.ctx.random.int(latency.min, latency.max, ...keys, 'latency')
      const fails = failureRate > 0 && this.ctx.random.float(...keys, 'fail') < failureRate
      return [delay, fails ? 1 : 0] as const
    }) as unknown as Plan
  }

  /** Schedules a phase's end: in the row of the transition being applied, when it is this resource's. */
  private async insertEnd<D>(res: ResourceRecord<D>, operation: string, end: PhaseEnd): Promise<void> {
    const move = this.moveTaken(res, end)
    await this.endScheduled(res, operation, end, move && (await this.q.moveTransition(move.id, move)) ? move : undefined)
  }

  /**
   * The row of the transition being applied, moved on to `end`, when it is
   * `res`'s (written at `res.version`): one write, where a delete and an
   * insert would touch every index of the table twice. The caller writes it.
   */
  private moveTaken<D>(res: ResourceRecord<D>, end: PhaseEnd): TransitionRecord | undefined {
    const taken = this.taken
    if (taken?.resourceId !== res.id) return undefined
    this.taken = undefined
    // NOTE: the same operation: one started anew (begin) dropped the taken row first.
    return { ...taken, ...end, expectedVersion: res.version }
  }

  /** Hands a phase's end to the runner: the row `moved` on to it, or, when none was, a new one. */
  private async endScheduled<D>(res: ResourceRecord<D>, operation: string, end: PhaseEnd, moved: TransitionRecord | undefined): Promise<void> {
    if (moved) this.scheduled.push({ id: moved.id, dueAt: moved.dueAt, record: moved })
    else await this.queueTransition({ resourceId: res.id, operation, ...end, expectedVersion: res.version, createdAt: this.now })
  }

  /** Deletes a resource's pending transitions, the one being applied included. */
  private async dropTransitionsOf(resourceId: string, keep?: string): Promise<void> {
    if (this.taken?.resourceId === resourceId) this.taken = undefined
    await this.q.deleteTransitionsOf(resourceId, keep)
  }

  /** Deletes the row of the transition being applied unless it was moved on to a next phase. */
  async releaseTaken(): Promise<void> {
    if (this.taken) await this.q.deleteTransition(this.taken)
    this.taken = undefined
  }

  private record<D>(res: ResourceRecord<D>, type: 'created' | 'changed', operation: string, fromStatus: string | null): void {
    this.pendingEvents.push({
      at: this.now,
      project: res.project,
      kind: res.kind,
      resourceId: res.id,
      name: res.name,
      type,
      operation,
      fromStatus,
      toStatus: res.status,
      version: res.version,
      resource: res as ResourceRecord,
    })
  }


  private async countQuota(res: ResourceRecord, sign: 1 | -1): Promise<void> {
    if (res.project === SHARED_PROJECT) return
    const amounts = await amountsOf(this.ctx.registry, this.q, res)
    const delta = this.quotaDeltas.get(res.project) ?? {}
    for (const [name, n] of Object.entries(amounts) as Array<[QuotaName, number]>) delta[name] = (delta[name] ?? 0) + sign * n
    this.quotaDeltas.set(res.project, delta)
  }

  /**
   * Checks and records what this transaction changed of each scope's quotas,
   * under the scope's quota row, locked to the commit: a create that would
   * take a scope past a limit is a QuotaExceededError and the transaction
   * rolls back. The engine calls it at the end, so the lock is held briefly
   * (docs/decisions/0008-quotas.md).
   */
  async settleQuotas(): Promise<void> {
    for (const scope of [...this.quotaDeltas.keys()].sort()) {
      const delta = this.quotaDeltas.get(scope)!
      const grows = Object.values(delta).some((n) => n > 0)
      if (!grows && Object.values(delta).every((n) => n === 0)) continue
      const row = await this.q.lockQuotaRow(scope)
      // NOTE: not counted yet and only shrinking: the count, when it comes, sees the resources as they are.
      if (row.usage === null && !grows) continue
      // NOTE: counted as this transaction leaves the scope, its own changes included.
      const usage: Record<string, number> = row.usage ?? (await countUsage(this.ctx.registry, this.q, scope))
      if (row.usage !== null) for (const [name, n] of Object.entries(delta)) usage[name] = Math.max(0, (usage[name] ?? 0) + n)
      const limits = effectiveLimits(this.ctx.quotaDefaults, row.limits)
      for (const [name, n] of Object.entries(delta) as Array<[QuotaName, number]>) {
        const used = usage[name] ?? 0
        if (n > 0 && limits[name] >= 0 && used > limits[name]) throw new QuotaExceededError(name, scope, limits[name], used - n, n)
      }
      await this.q.saveQuotaUsage(scope, usage)
    }
  }

  /**
   * Writes this transaction's events into the history, numbered; the engine
   * calls it last, just before commit, because numbering them locks the
   * history until the commit (docs/decisions/0007-event-history.md).
   */
  async flushEvents(): Promise<void> {
    this.events = await this.q.appendEvents(this.pendingEvents.splice(0), this.ctx.eventRetention)
    // NOTE: the store sets each row's event_seq as its event is inserted; the records this transaction
    // wrote (and returns to its caller) are its own, not yet frozen by any cache: they learn it here.
    for (const e of this.events) if (e.type !== 'deleted' && e.resource && !Object.isFrozen(e.resource)) e.resource.eventSeq = e.seq
  }
}
