import { deleteProjectState, dumpState, loadState, type StateDump } from '../store/state-dump.js'
import { scopeLock, type Engine } from './engine.js'
import { ValidationError } from './errors.js'
import { checkStateDump, isConstraintError } from './snapshot-check.js'
import { SHARED_PROJECT } from './scope.js'

export const SNAPSHOT_FORMAT = 'mockcloud-snapshot'
export const SNAPSHOT_VERSION = 1

/** The whole state of a mockcloud, pending transitions included, as JSON. */
export interface Snapshot {
  format: typeof SNAPSHOT_FORMAT
  version: typeof SNAPSHOT_VERSION
  /** The emulated time it was taken at (ms since the epoch); transitions are due relative to it. */
  clock_ms: number
  taken_at: string
  state: StateDump
}

/**
 * Forgets every resource of one project, or of every project, with what they
 * held (addresses, attachments, pending transitions, events). The seeded
 * defaults (flavors, images, the public network) stay; a full reset also
 * removes the fault rules and every project's own quota limits. Returns how many resources went.
 */
export async function resetState(engine: Engine, opts: { project?: string | undefined } = {}): Promise<number> {
  if (opts.project === SHARED_PROJECT) throw new ValidationError('project', 'project: the shared scope (seeded flavors, images, the public network) is kept by every reset')
  return engine.store.transaction(async (q) => {
    if (opts.project !== undefined) await q.lock(scopeLock(opts.project))
    const removed = await deleteProjectState(q, opts.project === undefined ? { except: SHARED_PROJECT } : { project: opts.project })
    // NOTE: a project keeps the limits a test gave it; a full reset goes back to the defaults, as it drops fault rules.
    if (opts.project === undefined) {
      await q.clearFaults()
      await q.clearQuotas()
    } else {
      await q.forgetQuotaUsage(opts.project)
    }
    return removed
  })
}

/** Takes a consistent snapshot (one transaction) of the whole state. */
export async function exportSnapshot(engine: Engine): Promise<Snapshot> {
  const state = await engine.store.transaction((q) => dumpState(q))
  const now = engine.clock.now()
  return { format: SNAPSHOT_FORMAT, version: SNAPSHOT_VERSION, clock_ms: now, taken_at: new Date(now).toISOString(), state }
}

/**
 * Replaces the whole state with a snapshot. Pending transitions keep the time
 * they had left when it was taken (a build 20 s from done is still 20 s from
 * done), and go to this server's runner. A snapshot that contradicts itself
 * is refused (ValidationError) and nothing changes.
 */
export async function importSnapshot(engine: Engine, snapshot: Snapshot): Promise<{ resources: number; transitions: number }> {
  checkStateDump(engine.registry, snapshot.state)
  const shift = engine.clock.now() - snapshot.clock_ms
  const state: StateDump = { ...snapshot.state, transitions: snapshot.state.transitions.map((t) => ({ ...t, due_at: t.due_at + shift })) }
  const { value } = await engine
    .transaction(async (tx) => {
      await loadState(tx.q, state)
      for (const t of state.transitions) tx.scheduled.push({ id: t.id, dueAt: t.due_at })
      return { resources: state.resources.length, transitions: state.transitions.length }
    })
    .catch((err: unknown) => {
      // NOTE: the checks above should leave nothing for the store to refuse; if it does, it is still the snapshot's fault.
      if (isConstraintError(err)) throw new ValidationError('state', `state: the store refused a row of the snapshot (${(err as Error).message})`)
      throw err
    })
  return value
}
