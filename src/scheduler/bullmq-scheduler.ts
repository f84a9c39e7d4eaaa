import { Queue } from 'bullmq'
import type { SystemClock } from '../clock/system-clock.js'
import type { ScheduledTransition } from '../engine/engine-tx.js'
import type { Engine, TransitionRunner } from '../engine/engine.js'
import type { TransitionRecord } from '../store/records.js'

export const TRANSITION_QUEUE = 'transitions'

/** A job's data: the transition's row id and due time, and the row itself when the node that queued it had it. */
export interface TransitionJob {
  id: number
  dueAt?: number
  record?: TransitionRecord
}

/**
 * Hands each committed transition to BullMQ as a delayed job (job id = the
 * transition's row id and due time, so a transition is queued once however
 * often it is announced, and again when its row moves on to a next phase). Any `mockcloud worker`, or a `serve` running its own, applies it.
 * The transition row in the store stays the truth: the job only says when.
 */
export class BullmqScheduler implements TransitionRunner {
  readonly queue: Queue

  constructor(
    private readonly engine: Engine,
    private readonly clock: SystemClock,
    connection: { url: string; prefix: string },
  ) {
    this.queue = new Queue(TRANSITION_QUEUE, { connection: { url: connection.url, maxRetriesPerRequest: null }, prefix: connection.prefix })
  }

  notify(t: ScheduledTransition): void {
    this.queue
      .add(
        'transition',
        { id: t.id, dueAt: t.dueAt, record: t.record } satisfies TransitionJob,
        { jobId: `t${t.id}-${t.dueAt}`, delay: this.clock.realDelayUntil(t.dueAt), removeOnComplete: true, removeOnFail: 1000, attempts: 10, backoff: { type: 'exponential', delay: 100 } },
      )
      .catch(() => {
        // NOTE: a job Redis never got is found by the workers' sweep of overdue rows.
      })
  }

  /** Applies what is already due here and now (latency 0): no need to wait for a worker. */
  async runDue(): Promise<number> {
    let n = 0
    for (const t of await this.engine.store.read.dueTransitions(this.clock.now(), 100)) if (await this.engine.complete(t)) n++
    return n
  }

  async close(): Promise<void> {
    await this.queue.close()
  }
}
