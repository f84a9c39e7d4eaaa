import { deleteProjectState, dumpState, loadState, type StateDump } from '../store/state-dump.js'
import type { Engine } from './engine.js'
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
 * removes the fault rules. Returns how many resources went.
 */
export async function resetState(engine: Engine, opts: { project?: string | undefined } = {}): Promise<number> {
  return engine.store.transaction(async (q) => {
    const removed = await deleteProjectState(q, opts.project === undefined ? { except: SHARED_PROJECT } : { project: opts.project })
    if (opts.project === undefined) await q.clearFaults()
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
 * done), and go to this server's runner.
 */
export async function importSnapshot(engine: Engine, snapshot: Snapshot): Promise<{ resources: number; transitions: number }> {
  const shift = engine.clock.now() - snapshot.clock_ms
  const state: StateDump = { ...snapshot.state, transitions: snapshot.state.transitions.map((t) => ({ ...t, due_at: t.due_at + shift })) }
  const { value } = await engine.transaction(async (tx) => {
    await loadState(tx.q, state)
    for (const t of state.transitions) tx.scheduled.push({ id: t.id, dueAt: t.due_at })
    return { resources: state.resources.length, transitions: state.transitions.length }
  })
  return value
}
