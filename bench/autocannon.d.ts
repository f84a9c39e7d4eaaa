/**
 * The part of autocannon 8's API the bench uses. The package ships no types
 * and installing @types/autocannon is not worth a dependency for five fields.
 */
declare module 'autocannon' {
  namespace autocannon {
    interface Options {
      url: string
      connections?: number
      /** Seconds. */
      duration?: number
      method?: string
      body?: string
      headers?: Record<string, string>
      /** Return encoded histograms, to merge several runs with `aggregateResult`. */
      skipAggregateResult?: boolean
    }

    /** A run's raw result (with `skipAggregateResult`): histograms still encoded. */
    interface RawResult {
      totalCompletedRequests: number
      errors: number
      timeouts: number
      non2xx: number
      /** Seconds. */
      duration: number
    }

    interface Stats {
      average: number
      p50: number
      p90: number
      p99: number
      max: number
      total: number
    }

    interface Result {
      latency: Stats
      requests: Stats
      errors: number
      timeouts: number
      non2xx: number
      duration: number
    }

    function aggregateResult(results: RawResult[], opts: Options): Result
  }

  function autocannon(opts: autocannon.Options, cb: (err: Error | null, result: autocannon.RawResult & autocannon.Result) => void): unknown

  export = autocannon
}
