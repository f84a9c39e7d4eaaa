/**
 * The one source of time for the engine and the scheduler.
 *
 * Nothing that decides when a resource changes state reads `Date.now()` or
 * calls `setTimeout` itself: it asks a Clock, so tests can drive time by hand
 * and `--time-scale` can run a 60 s build in 0.6 s.
 *
 * @example
 * const off = clock.wakeAt(clock.now() + 2_000, () => scheduler.runDue())
 */
export interface Clock {
  /** Emulated time, in milliseconds since the Unix epoch. */
  now(): number
  /**
   * Calls `fn` once emulated time reaches `at` (at once if it already has).
   * Returns a function that cancels the wake-up.
   */
  wakeAt(at: number, fn: () => unknown): () => void
  /**
   * Moves emulated time forward to at least `t`, never back. Used at start-up so
   * that a restarted server's clock is not behind what it already recorded.
   */
  catchUp(t: number): void
  /** Which mechanism this is, for /health and the logs. */
  readonly mode: 'system' | 'scaled' | 'manual'
}
