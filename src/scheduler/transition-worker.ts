import { DelayedError, Worker, type Job } from 'bullmq'
import type { SystemClock } from '../clock/system-clock.js'
import type { Engine } from '../engine/engine.js'
import { TRANSITION_QUEUE } from './bullmq-scheduler.js'

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
    this.worker.on('error', (err) => opts.onError?.(err))
    const every = opts.sweepEveryMs ?? 2_000
    this.sweepTimer = setInterval(() => {
      this.sweeping = this.sweep(every).catch((err) => opts.onError?.(err))
    }, every)
    this.sweepTimer.unref()
  }

  private async process(job: Job<{ id: number; dueAt?: number }>, token: string | undefined): Promise<void> {
    const t = await this.engine.store.read.getTransition(job.data.id)
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

  /** Applies transitions overdue by more than one sweep period: their jobs went missing. */
  private async sweep(periodMs: number): Promise<void> {
    const overdue = this.clock.now() - periodMs / this.clock.timeScale
    for (const t of await this.engine.store.read.dueTransitions(overdue, 200)) {
      if (await this.engine.complete(t)) this.applied++
    }
  }

  async close(): Promise<void> {
    if (this.sweepTimer) clearInterval(this.sweepTimer)
    await this.sweeping
    await this.worker.close()
  }
}
