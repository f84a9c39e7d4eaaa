import { isTimeScale, LATEST_TIME, TIME_SCALE_RANGE } from './bounds.js'
import type { Clock } from './clock.js'

// NOTE: Node timers overflow past 2^31-1 ms (about 24.8 days); longer waits re-arm.
const MAX_TIMER_MS = 2_147_483_647

/** A real time and the emulated time it corresponds to. */
export interface ClockAnchor {
  real: number
  emulated: number
}

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
  mode: 'system' | 'scaled'
  private scale: number
  private anchorReal: number
  private anchorEmulated: number

  constructor(opts: { scale?: number; realNow?: () => number; anchor?: ClockAnchor } = {}) {
    const scale = opts.scale ?? 1
    if (!isTimeScale(scale)) throw new RangeError(`time scale ${TIME_SCALE_RANGE}, got ${scale}`)
    this.scale = scale
    this.mode = scale === 1 ? 'system' : 'scaled'
    if (opts.realNow) this.realNow = opts.realNow
    this.anchorReal = opts.anchor?.real ?? this.realNow()
    this.anchorEmulated = opts.anchor?.emulated ?? this.anchorReal
  }

  /** Emulated time per real time: 0.01 runs a minute in 0.6 s. */
  get timeScale(): number {
    return this.scale
  }

  /**
   * The pair of (real, emulated) times this clock counts from. Nodes of a
   * shared deployment build their clocks from the same anchor and scale, so
   * they agree on emulated time.
   */
  anchor(): ClockAnchor {
    return { real: this.anchorReal, emulated: this.anchorEmulated }
  }

  /** An anchor at this instant: a new scale counted from it carries on from the current emulated time. */
  anchorNow(): ClockAnchor {
    return { real: this.realNow(), emulated: this.now() }
  }

  /** The real (wall-clock) time at which emulated time reaches `at`. */
  realTimeAt(at: number): number {
    return Math.ceil(this.anchorReal + (at - this.anchorEmulated) * this.scale)
  }

  /** Counts from a new anchor at a new scale: how a node follows a deployment's changed settings. */
  rebase(scale: number, anchor: ClockAnchor): void {
    if (!isTimeScale(scale)) throw new RangeError(`time scale ${TIME_SCALE_RANGE}, got ${scale}`)
    this.scale = scale
    this.mode = scale === 1 ? 'system' : 'scaled'
    this.anchorReal = anchor.real
    this.anchorEmulated = anchor.emulated
  }

  /** Real milliseconds until emulated time reaches `at` (0 if it has). */
  realDelayUntil(at: number): number {
    return Math.max(0, Math.ceil((at - this.now()) * this.scale))
  }

  private realNow(): number {
    return Date.now()
  }

  now(): number {
    // NOTE: at the smallest scale a server running for days would pass the last valid date: time stops at LATEST_TIME instead.
    return Math.min(LATEST_TIME, Math.floor(this.anchorEmulated + (this.realNow() - this.anchorReal) / this.scale))
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
