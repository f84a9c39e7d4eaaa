import { LATEST_TIME } from './bounds.js'
import type { Clock } from './clock.js'

interface Wake {
  at: number
  order: number
  fn: () => unknown
}

/**
 * A clock that moves only when told to. `advance(ms)` runs every wake-up due by
 * the new time, in order of due time, each with `now()` set to its own due
 * time, and resolves once they have all finished (including wake-ups they arm).
 *
 * Give each test its own ManualClock: a shared one forces tests to run serially.
 *
 * @example
 * const clock = new ManualClock(Date.parse('2026-01-01T00:00:00Z'))
 * await clock.advance(3_000)   // every transition due in those 3 s has run
 */
export class ManualClock implements Clock {
  readonly mode = 'manual' as const
  private t: number
  private wakes: Wake[] = []
  private order = 0
  private running: Promise<void> = Promise.resolve()

  constructor(start = Date.parse('2026-01-01T00:00:00.000Z')) {
    if (!(start >= 0 && start <= LATEST_TIME)) throw new RangeError(`a manual clock starts between 1970 and 9999 (0 to ${LATEST_TIME} ms), got ${start}`)
    this.t = start
  }

  now(): number {
    return this.t
  }

  catchUp(t: number): void {
    if (t > this.t) this.t = t
  }

  wakeAt(at: number, fn: () => unknown): () => void {
    const wake: Wake = { at, order: this.order++, fn }
    this.wakes.push(wake)
    return () => {
      this.wakes = this.wakes.filter((w) => w !== wake)
    }
  }

  /** Sets the time outright (forward only), running what falls due on the way. */
  async set(t: number): Promise<void> {
    await this.advance(Math.max(0, t - this.t))
  }

  /** Moves time forward by `ms`, running every wake-up due by then, in order. */
  advance(ms: number): Promise<void> {
    if (!(ms >= 0) || !Number.isFinite(ms)) throw new RangeError(`advance needs a non-negative number of ms, got ${ms}`)
    if (this.t + ms > LATEST_TIME) throw new RangeError(`advancing ${ms} ms would pass ${new Date(LATEST_TIME).toISOString()}, the latest emulated time`)
    // NOTE: advances queue behind each other so two callers never interleave.
    const run = this.running.then(() => this.runUntil(this.t + ms))
    this.running = run.catch(() => undefined)
    return run
  }

  private async runUntil(wanted: number): Promise<void> {
    // NOTE: advance checked against the time when it was called; advances queued before it may have moved the clock since.
    const target = Math.min(wanted, LATEST_TIME)
    for (;;) {
      const next = this.takeNext(target)
      if (!next) break
      if (next.at > this.t) this.t = next.at
      await next.fn()
    }
    if (target > this.t) this.t = target
  }

  private takeNext(target: number): Wake | undefined {
    let best: Wake | undefined
    for (const w of this.wakes) {
      if (w.at > target) continue
      if (!best || w.at < best.at || (w.at === best.at && w.order < best.order)) best = w
    }
    if (best) this.wakes = this.wakes.filter((w) => w !== best)
    return best
  }
}
