import type { Clock } from '../clock/clock.js'
import type { Engine, TransitionRunner } from '../engine/engine.js'
import type { ScheduledTransition } from '../engine/engine-tx.js'
import type { TransitionRecord } from '../store/records.js'

const BATCH = 200

/**
 * Runs scheduled transitions in this process. The queue is the store's
 * `transitions` table, so a restart picks up where the last process stopped:
 * anything already due runs at once, the rest when it falls due.
 *
 * One timer is armed (through the Clock) for the earliest due transition;
 * `runDue` applies everything due, in due order, one transaction each.
 *
 * @example
 * const scheduler = new InProcessScheduler(engine, clock)
 * await scheduler.start()
 * await clock.advance(3_000); await scheduler.idle()
 */
export class InProcessScheduler implements TransitionRunner {
  private cancelWake: (() => void) | undefined
  private wakeAt: number | undefined
  private running: Promise<number> | undefined
  private again = false
  private stopped = false
  /** Transitions applied since start, for /health and the logs. */
  applied = 0

  constructor(
    private readonly engine: Engine,
    private readonly clock: Clock,
    private readonly onError: (err: unknown) => void = (err) => {
      throw err
    },
  ) {}

  /** Runs whatever is overdue, then arms the timer for the next transition. */
  async start(): Promise<void> {
    this.stopped = false
    this.engine.setRunner(this)
    await this.runDue()
  }

  stop(): void {
    this.stopped = true
    this.cancelWake?.()
    this.cancelWake = undefined
    this.wakeAt = undefined
  }

  notify({ dueAt }: ScheduledTransition): void {
    if (this.stopped) return
    if (this.wakeAt !== undefined && this.wakeAt <= dueAt) return
    this.arm(dueAt)
  }

  /** Applies every transition due by now; concurrent calls share one run. */
  runDue(): Promise<number> {
    if (this.running) {
      this.again = true
      return this.running
    }
    const run = this.drain().finally(() => {
      this.running = undefined
    })
    this.running = run
    return run
  }

  /** Resolves once no run is in progress. */
  async idle(): Promise<void> {
    while (this.running) await this.running.catch(() => undefined)
  }

  private async drain(): Promise<number> {
    let count = 0
    do {
      this.again = false
      for (;;) {
        const due = await this.engine.store.read.dueTransitions(this.clock.now(), BATCH)
        if (this.stopped) return count
        count += this.engine.store.groupsCommits ? await this.completeTogether(due) : await this.completeInTurn(due)
        if (this.stopped) return count
        if (due.length < BATCH) break
      }
    } while (this.again)
    this.applied += count
    await this.rearm()
    return count
  }

  /** One transaction each, one after the other (in due order). */
  private async completeInTurn(due: readonly TransitionRecord[]): Promise<number> {
    let count = 0
    for (const t of due) {
      if (this.stopped) break
      try {
        if (await this.engine.complete(t)) count++
      } catch (err) {
        this.onError(err)
      }
    }
    return count
  }

  /**
   * Handed to the store all at once: a store that groups commits (SQLite)
   * still runs them one transaction each, in due order, but commits them
   * together, instead of paying one commit per transition.
   */
  private async completeTogether(due: readonly TransitionRecord[]): Promise<number> {
    const outcomes = await Promise.allSettled(due.map((t) => this.engine.complete(t)))
    let count = 0
    for (const o of outcomes) {
      if (o.status === 'fulfilled') count += o.value ? 1 : 0
      else this.onError(o.reason)
    }
    return count
  }

  private async rearm(): Promise<void> {
    if (this.stopped) return
    const next = await this.engine.store.read.earliestDue()
    this.cancelWake?.()
    this.cancelWake = undefined
    this.wakeAt = undefined
    if (next !== undefined) this.arm(next)
  }

  private arm(at: number): void {
    this.cancelWake?.()
    this.wakeAt = at
    this.cancelWake = this.clock.wakeAt(at, () => {
      this.wakeAt = undefined
      this.cancelWake = undefined
      return this.runDue()
    })
  }
}
