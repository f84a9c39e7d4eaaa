import { Counter, Histogram, register as globalRegistry, type Registry } from 'prom-client'
import { wrapMethods } from './wrap-methods.js'

export interface MetricsOptions {
  /** Where the metrics go. Default prom-client's global registry (what most apps expose). */
  registry?: Registry
  /** The `client` label, to tell several wrapped clients apart. Default `infra`. */
  name?: string
  /** Prefix of the metric names. Default `infra_client_`. */
  prefix?: string
}

/**
 * Wraps any client so each call is counted and timed in Prometheus
 * (prom-client): `<prefix>calls_total{client, method, outcome}` (outcome `ok`
 * or the error's HTTP status, `0` when there was no answer) and
 * `<prefix>call_duration_seconds{client, method}`. Several wrapped clients
 * share the metrics, told apart by `name`.
 *
 * @example
 * const client = withMetrics(withResilience(createInfraClient()), { name: 'provisioner' })
 */
export function withMetrics<T extends object>(client: T, opts: MetricsOptions = {}): T {
  const registry = opts.registry ?? globalRegistry
  const prefix = opts.prefix ?? 'infra_client_'
  const name = opts.name ?? 'infra'
  const calls = metric(registry, `${prefix}calls_total`, () => new Counter({ name: `${prefix}calls_total`, help: 'Calls of an SDK client by method and outcome', labelNames: ['client', 'method', 'outcome'], registers: [registry] }))
  const duration = metric(registry, `${prefix}call_duration_seconds`, () =>
    new Histogram({ name: `${prefix}call_duration_seconds`, help: 'Duration of SDK client calls', labelNames: ['client', 'method'], buckets: [0.005, 0.01, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60], registers: [registry] }),
  )
  return wrapMethods(client, async (method, call) => {
    const end = duration.startTimer({ client: name, method })
    try {
      const value = await call()
      calls.inc({ client: name, method, outcome: 'ok' })
      return value
    } catch (err) {
      const status = (err as { status?: unknown } | null)?.status
      calls.inc({ client: name, method, outcome: typeof status === 'number' ? String(status) : 'error' })
      throw err
    } finally {
      end()
    }
  })
}

/** The registry's metric of that name, made on first use (prom-client refuses a second one). */
function metric<M>(registry: Registry, metricName: string, make: () => M): M {
  return (registry.getSingleMetric(metricName) as M | undefined) ?? make()
}
