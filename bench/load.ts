import autocannon from 'autocannon'

/** One request shape to fire at a server. */
export interface Target {
  url: string
  method: 'GET' | 'POST'
  body?: string
}

/** What one server did over all its measured slices of one operation. */
export interface Measurement {
  reqPerSec: number
  p50Ms: number
  p99Ms: number
  requests: number
  seconds: number
  /** Non-2xx answers, socket errors and timeouts: any of these makes the number suspect. */
  failures: number
  /** req/s of each slice, in run order: their spread shows how noisy the machine was. */
  slices: number[]
}

/** One autocannon run; histograms left encoded so several runs can be merged. */
export function fire(target: Target, seconds: number, connections: number): Promise<autocannon.RawResult> {
  return new Promise((resolve, reject) => {
    autocannon(
      {
        url: target.url,
        method: target.method,
        connections,
        duration: seconds,
        skipAggregateResult: true,
        ...(target.body === undefined ? {} : { body: target.body, headers: { 'content-type': 'application/json' } }),
      },
      (err, result) => (err ? reject(err) : resolve(result)),
    )
  })
}

/**
 * Merges slices: throughput as total requests over total time (not a mean of
 * means), latency percentiles from the merged histogram.
 */
export function merge(slices: autocannon.RawResult[], url: string): Measurement {
  const agg = autocannon.aggregateResult(slices, { url })
  const requests = slices.reduce((n, s) => n + s.totalCompletedRequests, 0)
  const seconds = slices.reduce((n, s) => n + s.duration, 0)
  const failures = slices.reduce((n, s) => n + s.non2xx + s.errors + s.timeouts, 0)
  const perSlice = slices.map((s) => (s.duration > 0 ? Math.round(s.totalCompletedRequests / s.duration) : 0))
  return { reqPerSec: seconds > 0 ? requests / seconds : 0, p50Ms: agg.latency.p50, p99Ms: agg.latency.p99, requests, seconds, failures, slices: perSlice }
}
