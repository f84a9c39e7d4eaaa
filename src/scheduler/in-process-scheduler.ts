import type { Clock } from '../clock/clock.js'
import { SystemClock } from '../clock/system-clock.js'
import type { Engine, TransitionRunner } from '../engine/engine.js'
import type { ScheduledTransition } from '../engine/engine-tx.js'
import type { TransitionRecord } from '../store/records.js'

const BATCH = 200
/**
 * When applying failed outright (the store itself refused: the engine could
 * not even schedule a retry), the next run waits this long on the clock
 * rather than retrying at once, so a broken store never spins.
 */
const ERROR_BACKOFF_MS = 1_000
/**
 * On a real clock, the least real time between the end of one run and the
 * start of the next. Under load, transitions fall due every fraction of a
 * millisecond (a build is five), and a run per timer tick paid a read of what
 * is due, a commit and a read of what comes next for each one or two of them.
 * Each still takes effect at its own due time (its events carry that time);
 * what waits up to this long is only its being seen.
 */
export const RUN_GAP_REAL_MS = 10

/**
 * Runs scheduled transitions in this process. The queue is the store's
 * `transitions` table, so a restart picks up where the last process stopped:
 * anything already due runs at once, the rest when it falls due.
 *
 * One timer is armed (through the Clock) for the earliest due transition,
 * on a real clock no sooner than RUN_GAP_REAL_MS after the last run;
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
  /** When the last run ended (emulated time): the next one waits RUN_GAP_REAL_MS after it. */
  private lastRunAt = Number.NEGATIVE_INFINITY
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
    // NOTE: due already (the next phase of an instant operation): the run under way goes round once more for it.
    if (this.running && dueAt <= this.clock.now()) this.again = true
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
    const errors: unknown[] = []
    do {
      this.again = false
      for (;;) {
        const due = await this.engine.store.read.dueTransitions(this.clock.now(), BATCH)
        if (this.stopped) return count
        count += this.engine.store.groupsCommits ? await this.completeTogether(due, errors) : await this.completeInTurn(due, errors)
        if (this.stopped) return count
        // NOTE: a transition the engine could not even put off is still due: leave it to the back-off below.
        if (errors.length || due.length < BATCH) break
      }
    } while (this.again && !errors.length)
    this.applied += count
    this.lastRunAt = this.clock.now()
    await this.rearm(errors.length ? this.clock.now() + ERROR_BACKOFF_MS : undefined)
    for (const err of errors) this.onError(err)
    return count
  }

  /** One transaction each, one after the other (in due order). */
  private async completeInTurn(due: readonly TransitionRecord[], errors: unknown[]): Promise<number> {
    let count = 0
    for (const t of due) {
      if (this.stopped) break
      try {
        if (await this.engine.complete(t)) count++
      } catch (err) {
        errors.push(err)
      }
    }
    return count
  }

  /**
   * Handed to the store all at once: a store that groups commits (SQLite)
   * still runs them one transaction each, in due order, but commits them
   * together, instead of paying one commit per transition.
   */
  private async completeTogether(due: readonly TransitionRecord[], errors: unknown[]): Promise<number> {
    const outcomes = await Promise.allSettled(due.map((t) => this.engine.complete(t)))
    let count = 0
    for (const o of outcomes) {
      if (o.status === 'fulfilled') count += o.value ? 1 : 0
      else errors.push(o.reason)
    }
    return count
  }

  /** Arms the wake-up for the earliest due transition, but not before `notBefore`. */
  private async rearm(notBefore?: number): Promise<void> {
    if (this.stopped) return
    const next = await this.engine.store.read.earliestDue()
    this.cancelWake?.()
    this.cancelWake = undefined
    this.wakeAt = undefined
    if (next !== undefined) this.arm(notBefore === undefined ? next : Math.max(next, notBefore))
  }

  private arm(due: number): void {
    // NOTE: a manual clock runs each wake-up at its own time: tests step through them exactly.
    const at = this.clock instanceof SystemClock ? Math.max(due, this.lastRunAt + RUN_GAP_REAL_MS / this.clock.timeScale) : due
    this.cancelWake?.()
    this.wakeAt = at
    this.cancelWake = this.clock.wakeAt(at, () => {
      this.wakeAt = undefined
      this.cancelWake = undefined
      return this.runDue()
    })
  }
}
