import type { Clock } from './clock.js'

// NOTE: Node timers overflow past 2^31-1 ms (about 24.8 days); longer waits re-arm.
const MAX_TIMER_MS = 2_147_483_647

/**
 * Real time, optionally scaled: with `scale` 0.01 emulated time runs 100 times
 * faster than the wall clock, so a 60 s build completes after 0.6 s.
 *
 * This is the only place in mockcloud that reads the real clock or arms timers.
 *
 * @example
 * const clock = new SystemClock()          // real time
 * const fast = new SystemClock({ scale: 0.01 })
 */
export class SystemClock implements Clock {
  readonly mode: 'system' | 'scaled'
  private readonly scale: number
  private anchorReal: number
  private anchorEmulated: number

  constructor(opts: { scale?: number; realNow?: () => number } = {}) {
    const scale = opts.scale ?? 1
    if (!(scale > 0) || !Number.isFinite(scale)) throw new RangeError(`time scale must be a positive number, got ${scale}`)
    this.scale = scale
    this.mode = scale === 1 ? 'system' : 'scaled'
    if (opts.realNow) this.realNow = opts.realNow
    this.anchorReal = this.realNow()
    this.anchorEmulated = this.anchorReal
  }

  private realNow(): number {
    return Date.now()
  }

  now(): number {
    return Math.floor(this.anchorEmulated + (this.realNow() - this.anchorReal) / this.scale)
  }

  catchUp(t: number): void {
    const now = this.now()
    if (t > now) {
      this.anchorEmulated += t - now
    }
  }

  wakeAt(at: number, fn: () => unknown): () => void {
    let timer: NodeJS.Timeout | undefined
    let cancelled = false
    const arm = (): void => {
      const realDelay = Math.max(0, (at - this.now()) * this.scale)
      timer = setTimeout(() => {
        if (cancelled) return
        if (this.now() < at) return arm()
        void fn()
      }, Math.min(Math.ceil(realDelay), MAX_TIMER_MS))
      // NOTE: a pending transition must not keep a finished CLI command or test alive.
      timer.unref()
    }
    arm()
    return () => {
      cancelled = true
      if (timer) clearTimeout(timer)
    }
  }
}
