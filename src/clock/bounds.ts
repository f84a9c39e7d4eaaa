/**
 * The limits of emulated time. Every date mockcloud writes is a clock reading
 * plus at most a latency (timing or fault), so with the clock kept at or before
 * LATEST_TIME and latencies at most MAX_LATENCY_MS no date can be invalid
 * (JavaScript dates end in the year 275760; these stay in four-digit years).
 */

/** The latest emulated time a clock reaches: a clock that would pass it stops there (or refuses to advance). */
export const LATEST_TIME = Date.parse('9999-01-01T00:00:00.000Z')

/** The smallest time scale: a real second is 11.6 emulated days. */
export const MIN_TIME_SCALE = 1e-6
/** The largest time scale: an emulated second is 11.6 real days. */
export const MAX_TIME_SCALE = 1e6

/** The most one advance of a manual clock may move it: 10 years of 365 days. */
export const MAX_ADVANCE_MS = 315_360_000_000

/** The longest latency an operation may take (a timing override or a fault rule): a day. */
export const MAX_LATENCY_MS = 86_400_000

/** Whether `scale` is a time scale a clock accepts. */
export function isTimeScale(scale: number): boolean {
  return scale >= MIN_TIME_SCALE && scale <= MAX_TIME_SCALE
}

/** What a refused time scale is told. */
export const TIME_SCALE_RANGE = `must be a number from ${MIN_TIME_SCALE} to ${MAX_TIME_SCALE} (0.01 runs a minute in 0.6 s)`
