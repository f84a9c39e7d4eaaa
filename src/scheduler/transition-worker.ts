import { DelayedError, Worker, type Job } from 'bullmq'
import type { SystemClock } from '../clock/system-clock.js'
import type { ScheduledTransition } from '../engine/engine-tx.js'
import type { Engine, TransitionRunner } from '../engine/engine.js'
import { TRANSITION_QUEUE, type TransitionJob } from './bullmq-scheduler.js'

/**
 * A transition this process scheduled that falls due within this much real
 * time is applied here, on a timer, instead of going round Redis as a job.
 * Under a scaled clock an operation's phases fall due a fraction of a
 * millisecond apart, and each was a job: added, promoted from the delayed set,
 * fetched, locked and completed, for a wait shorter than the round trips.
 * Should this process die first, the other workers' sweep applies it.
 */
export const FOLLOW_REAL_MS = 20

export interface TransitionWorkerOptions {
  url: string
  prefix: string
  /** Jobs applied at once by this process. */
  concurrency?: number
  /** Real ms between sweeps of the store for overdue transitions whose job was lost. */
  sweepEveryMs?: number
  onError?: (err: unknown) => void
}

/**
 * Applies transitions for a shared deployment: BullMQ jobs as they fall due,
 * plus a periodic sweep of the store for transitions overdue by more than a
 * sweep period (a job lost with a Redis restart, or a node that died between
 * its commit and its enqueue). Applying is idempotent: the engine deletes the
 * transition row in the same transaction as the change, so whichever worker
 * gets there first applies it and the others find nothing to do. A job whose
 * resource has moved on is dropped by the engine's version check.
 */
export class TransitionWorker {
  private readonly worker: Worker
  private sweepTimer: NodeJS.Timeout | undefined
  private sweeping: Promise<unknown> = Promise.resolve()
  /** Transitions this worker applied. */
  applied = 0
  /** Transitions kept here to apply on a timer (see FOLLOW_REAL_MS), by row id. */
  private readonly following = new Map<number, { t: ScheduledTransition; cancel: () => void }>()
  /** Those of them being applied now, for close to wait for. */
  private readonly applying = new Set<Promise<void>>()
  /** Where what this process does not keep goes (see runnerOver). */
  private queue: TransitionRunner | undefined
  private closed = false
  private readonly onError: (err: unknown) => void

  constructor(
    private readonly engine: Engine,
    private readonly clock: SystemClock,
    opts: TransitionWorkerOptions,
  ) {
    this.worker = new Worker(TRANSITION_QUEUE, (job, token) => this.process(job, token), {
      connection: { url: opts.url, maxRetriesPerRequest: null },
      prefix: opts.prefix,
      concurrency: opts.concurrency ?? 16,
      // NOTE: a worker killed mid-job gives its jobs back after a few seconds, not BullMQ's default 30.
      lockDuration: 5_000,
      stalledInterval: 2_000,
      maxStalledCount: 10,
      autorun: true,
    })
    this.onError = (err) => opts.onError?.(err)
    this.worker.on('error', this.onError)
    const every = opts.sweepEveryMs ?? 2_000
    this.sweepTimer = setInterval(() => {
      this.sweeping = this.sweep(every).catch(this.onError)
    }, every)
    this.sweepTimer.unref()
  }

  private async process(job: Job<TransitionJob>, token: string | undefined): Promise<void> {
    // NOTE: a job that carries its row needs no read: the engine takes the row only as it was then.
    const t = job.data.record ?? (await this.engine.store.read.getTransition(job.data.id))
    if (!t) return // applied already, or superseded
    // NOTE: the row moved on to a later phase, which has its own job.
    if (job.data.dueAt !== undefined && job.data.dueAt !== t.dueAt) return
    const wait = this.clock.realDelayUntil(t.dueAt)
    if (wait > 0) {
      // NOTE: fired early (nodes' timers round differently): back to the delayed set.
      await job.moveToDelayed(this.clock.realTimeAt(t.dueAt), token)
      throw new DelayedError()
    }
    if (await this.engine.complete(t)) this.applied++
  }

  /**
   * The runner for this process's engine: what falls due within
   * FOLLOW_REAL_MS it applies itself; the rest it hands to `queue` (the
   * deployment's BullMQ producer) as jobs for any worker.
   */
  runnerOver(queue: TransitionRunner): TransitionRunner {
    this.queue = queue
    return {
      notify: (t) => {
        if (this.closed || this.clock.realDelayUntil(t.dueAt) > FOLLOW_REAL_MS) return queue.notify(t)
        this.follow(t)
      },
      runDue: () => queue.runDue(),
    }
  }

  private follow(t: ScheduledTransition): void {
    if (this.closed) return this.queue?.notify(t)
    const kept = this.following.get(t.id)
    if (kept) {
      if (kept.t.dueAt === t.dueAt) return
      kept.cancel()
    }
    // NOTE: through the clock, which arms timers for emulated time and waits again if one fires early.
    const cancel = this.clock.wakeAt(t.dueAt, () => {
      this.following.delete(t.id)
      const applying = this.applyFollowed(t)
        .catch(this.onError)
        .finally(() => this.applying.delete(applying))
      this.applying.add(applying)
    })
    this.following.set(t.id, { t, cancel })
  }

  private async applyFollowed(t: ScheduledTransition): Promise<void> {
    // NOTE: the row as this process wrote it: the engine takes it only if it is still so (not applied, not moved on).
    const row = t.record ?? (await this.engine.store.read.getTransition(t.id))
    // NOTE: gone (applied, superseded) or moved on to a later phase, which was announced on its own.
    if (!row || row.dueAt !== t.dueAt) return
    if (await this.engine.complete(row)) this.applied++
  }

  /** Applies transitions overdue by more than one sweep period: their jobs went missing. */
  private async sweep(periodMs: number): Promise<void> {
    const overdue = this.clock.now() - periodMs / this.clock.timeScale
    for (const t of await this.engine.store.read.dueTransitions(overdue, 200)) {
      if (await this.engine.complete(t)) this.applied++
    }
  }

  async close(): Promise<void> {
    this.closed = true
    // NOTE: what this process kept to apply becomes a job, so no one waits for a sweep.
    for (const { t, cancel } of this.following.values()) {
      cancel()
      this.queue?.notify(t)
    }
    this.following.clear()
    await Promise.all(this.applying)
    if (this.sweepTimer) clearInterval(this.sweepTimer)
    await this.sweeping
    await this.worker.close()
  }
}
