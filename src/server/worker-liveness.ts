import type { Store } from '../store/store.js'

/**
 * Real ms without a beat after which a worker counts as gone: three missed
 * beats (see BEAT_EVERY_MS), so one slow write does not raise an alarm.
 */
export const SILENT_AFTER_MS = 15_000

/** What `/health` says about who applies this server's transitions. */
export interface Liveness {
  /** `degraded`: the server answers, but the transitions it schedules are not being applied. */
  status: 'ok' | 'degraded'
  /** In a shared deployment: the workers beating now, and the last beat seen from any (null: none ever). */
  workers?: { alive: number; last_seen: string | null }
  /** What is wrong and what to do, when degraded. */
  message?: string
}

/**
 * Whether any worker of a shared deployment is alive, from their beats in
 * the store (one small read). A server that just started gives workers
 * starting beside it the same grace as a silent one, and so does a worker
 * that stopped cleanly (a rolling restart does not flap the status).
 */
export async function readWorkerLiveness(store: Store, opts: { startedAt: number; silentAfterMs?: number }): Promise<Liveness> {
  const silentAfter = opts.silentAfterMs ?? SILENT_AFTER_MS
  const beats = await store.read.workerBeats()
  const alive = beats.filter((b) => !b.stopped && b.agoMs < silentAfter).length
  const lastAgo = beats.length ? Math.min(...beats.map((b) => b.agoMs)) : undefined
  const now = Date.now()
  const workers = { alive, last_seen: lastAgo === undefined ? null : new Date(now - lastAgo).toISOString() }
  const quietFor = Math.min(lastAgo ?? Infinity, now - opts.startedAt)
  if (alive > 0 || quietFor < silentAfter) return { status: 'ok', workers }
  return {
    status: 'degraded',
    workers,
    message: `no worker has been seen for ${Math.round(quietFor / 1000)} s: scheduled transitions are not being applied; start \`mockcloud worker\` with this server's --db and --queue`,
  }
}
