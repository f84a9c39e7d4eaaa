import { Counter, Gauge, Histogram, Registry } from 'prom-client'
import type { Engine } from '../engine/engine.js'
import { toFault } from '../engine/faults.js'

/** Prometheus metrics of one server: requests from the call path, state from the store at scrape time. */
export interface Metrics {
  registry: Registry
  observeRequest(face: string, operation: string, status: number, seconds: number): void
  /** Stops counting engine events. */
  close(): void
}

/**
 * A registry per server (tests start many in one process). Resource counts,
 * pending transitions and fired faults are read from the store when scraped,
 * so in a shared deployment every node reports the deployment's state;
 * request counts and state changes are this node's own.
 */
export function createMetrics(engine: Engine): Metrics {
  const registry = new Registry()
  const requests = new Counter({ name: 'mockcloud_requests_total', help: 'Requests answered, by face, operation and HTTP status', labelNames: ['face', 'operation', 'status'], registers: [registry] })
  const latency = new Histogram({
    name: 'mockcloud_request_duration_seconds',
    help: 'Time to answer a request, by face and operation',
    labelNames: ['face', 'operation'],
    buckets: [0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 1],
    registers: [registry],
  })
  const changes = new Counter({ name: 'mockcloud_state_changes_total', help: 'Resource state changes seen by this node, by kind, type and new status', labelNames: ['kind', 'type', 'status'], registers: [registry] })
  new Gauge({
    name: 'mockcloud_resources',
    help: 'Resources by kind and status',
    labelNames: ['kind', 'status'],
    registers: [registry],
    async collect() {
      this.reset()
      for (const r of await engine.store.read.countByKindAndStatus()) this.set({ kind: kindName(engine, r.kind), status: r.status }, r.n)
    },
  })
  new Gauge({
    name: 'mockcloud_transitions_pending',
    help: 'Scheduled transitions not yet applied',
    registers: [registry],
    async collect() {
      this.set(await engine.store.read.countTransitions())
    },
  })
  new Gauge({
    name: 'mockcloud_faults_fired',
    help: 'Times each fault rule has fired',
    labelNames: ['fault', 'kind', 'operation'],
    registers: [registry],
    async collect() {
      this.reset()
      for (const f of (await engine.store.read.listFaults()).map(toFault)) {
        this.set({ fault: String(f.id), kind: f.kind === '*' ? '*' : kindName(engine, f.kind), operation: f.operation }, f.fired)
      }
    },
  })
  const perRoute = new Map<string, { requests: { inc(): void }; latency: { observe(v: number): void } }>()
  const off = engine.bus.subscribe((e) => changes.inc({ kind: kindName(engine, e.kind), type: e.type, status: e.toStatus ?? 'gone' }))
  return {
    registry,
    observeRequest(face, operation, status, seconds) {
      // NOTE: a labelled child per route and status, made once: prom-client hashes the labels on every call otherwise.
      const key = `${face}\u0000${operation}\u0000${status}`
      let child = perRoute.get(key)
      if (!child) {
        child = { requests: requests.labels({ face, operation, status: String(status) }), latency: latency.labels({ face, operation }) }
        perRoute.set(key, child)
      }
      child.requests.inc()
      child.latency.observe(seconds)
    },
    close: off,
  }
}

function kindName(engine: Engine, kind: string): string {
  try {
    return engine.registry.get(kind).names[0] ?? kind
  } catch {
    return kind
  }
}
