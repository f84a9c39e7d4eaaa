import { Counter, type Metric, type Registry } from 'prom-client'

const BUCKETS = [0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 1] as const
const REQUESTS = 'mockcloud_requests_total'
const LATENCY = 'mockcloud_request_duration_seconds'
const LATENCY_HELP = 'Time to answer a request, by face and operation'

/** One face route's requests, counted with plain arithmetic on every call. */
export class RouteStats {
  readonly byStatus = new Map<number, number>()
  /** Observations per bucket, not cumulative; the last slot is above every bound. */
  readonly buckets: number[] = new Array<number>(BUCKETS.length + 1).fill(0)
  sum = 0
  count = 0

  constructor(
    readonly face: string,
    readonly operation: string,
  ) {}

  observe(status: number, seconds: number): void {
    this.byStatus.set(status, (this.byStatus.get(status) ?? 0) + 1)
    let i = 0
    while (i < BUCKETS.length && seconds > BUCKETS[i]!) i++
    this.buckets[i]!++
    this.sum += seconds
    this.count++
  }
}

/**
 * Request counts and latencies per face route, shaped for Prometheus only
 * when scraped. prom-client's labelled `inc` and `observe` build, validate
 * and hash their labels on every call: measured, a fifth of the CPU of a
 * GET by id. Here a route's counters are found once and then only added to.
 * Returns the lookup of a route's counters.
 */
export function registerRequestMetrics(registry: Registry): (face: string, operation: string) => RouteStats {
  const routes = new Map<string, RouteStats>()
  new Counter({
    name: REQUESTS,
    help: 'Requests answered, by face, operation and HTTP status',
    labelNames: ['face', 'operation', 'status'],
    registers: [registry],
    collect() {
      this.reset()
      for (const r of routes.values()) for (const [status, n] of r.byStatus) this.inc({ face: r.face, operation: r.operation, status: String(status) }, n)
    },
  })
  // NOTE: prom-client's Histogram cannot be given counts, so this is a metric of our own in the
  // shape its registry reads (name, help, type, get, reset), written as its Histogram writes.
  const latency = {
    name: LATENCY,
    help: LATENCY_HELP,
    type: 'histogram',
    aggregator: 'sum',
    // NOTE: as prom-client's metrics do: shared labels apart for the text format, merged for JSON.
    async get() {
      const data = await latency.getForPromString()
      return { ...data, values: data.values.map(({ sharedLabels, ...v }) => ({ ...v, labels: { ...v.labels, ...sharedLabels } })) }
    },
    async getForPromString() {
      const values = []
      for (const r of routes.values()) {
        // NOTE: a route not called since it was made or reset has no series, as with prom-client.
        if (r.count === 0) continue
        const labels = { face: r.face, operation: r.operation }
        let acc = 0
        BUCKETS.forEach((le, i) => {
          acc += r.buckets[i]!
          values.push({ labels: { le }, sharedLabels: labels, value: acc, metricName: `${LATENCY}_bucket` })
        })
        values.push(
          { labels: { le: '+Inf' }, sharedLabels: labels, value: r.count, metricName: `${LATENCY}_bucket` },
          { labels: {}, sharedLabels: labels, value: r.sum, metricName: `${LATENCY}_sum` },
          { labels: {}, sharedLabels: labels, value: r.count, metricName: `${LATENCY}_count` },
        )
      }
      return { name: LATENCY, help: LATENCY_HELP, type: 'histogram', aggregator: 'sum', values }
    },
    reset() {
      for (const r of routes.values()) {
        r.byStatus.clear()
        r.buckets.fill(0)
        r.sum = 0
        r.count = 0
      }
    },
  }
  registry.registerMetric(latency as unknown as Metric)
  return (face, operation) => {
    const key = `${face}\u0000${operation}`
    let r = routes.get(key)
    if (!r) routes.set(key, (r = new RouteStats(face, operation)))
    return r
  }
}
