/**
 * Parses the durations used in timing settings: `250ms`, `2s`, `1.5m`, `1h`, or
 * a bare number of milliseconds. Throws a RangeError naming the input otherwise.
 *
 * @example
 * parseDuration('1.5s') // 1500
 */
export function parseDuration(text: string): number {
  const m = /^\s*(\d+(?:\.\d+)?)\s*(ms|s|m|h)?\s*$/.exec(text)
  if (!m) throw new RangeError(`'${text}' is not a duration (use e.g. 500ms, 2s, 1m)`)
  const n = Number(m[1])
  const unit = m[2] ?? 'ms'
  const factor = unit === 'ms' ? 1 : unit === 's' ? 1_000 : unit === 'm' ? 60_000 : 3_600_000
  return Math.round(n * factor)
}

/** A latency range in ms, inclusive; a fixed latency has min === max. */
export interface LatencyRange {
  min: number
  max: number
}

/**
 * Parses `30s..60s` or a single duration (`2s`) into a range.
 *
 * @example
 * parseLatencyRange('30s..60s') // { min: 30000, max: 60000 }
 */
export function parseLatencyRange(text: string): LatencyRange {
  const parts = text.split('..')
  if (parts.length > 2) throw new RangeError(`'${text}' is not a latency range (use e.g. 30s..60s)`)
  const min = parseDuration(parts[0] ?? '')
  const max = parts.length === 2 ? parseDuration(parts[1] ?? '') : min
  if (max < min) throw new RangeError(`latency range '${text}' ends before it starts`)
  return { min, max }
}
