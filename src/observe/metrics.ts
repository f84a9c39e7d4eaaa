import { Counter, Gauge, Registry } from 'prom-client'
import { registerPoolMetrics } from './pool-metrics.js'
import { registerRequestMetrics, type RouteStats } from './request-stats.js'
import type { Engine } from '../engine/engine.js'
import { toFault } from '../engine/faults.js'

/** Prometheus metrics of one server: requests from the call path, state from the store at scrape time. */
export interface Metrics {
  registry: Registry
  /** The request counters of one face route, to add each answered call to. */
  routeStats(face: string, operation: string): RouteStats
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
  const routeStats = registerRequestMetrics(registry)
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
  const off = engine.bus.subscribe((e) => changes.inc({ kind: kindName(engine, e.kind), type: e.type, status: e.toStatus ?? 'gone' }))
  const failures = new Counter({
    name: 'mockcloud_transition_failures_total',
    help: 'Transitions whose hook or store threw on this node, by kind, operation and outcome (retried, or failed: the resource went to its failure state)',
    labelNames: ['kind', 'operation', 'outcome'],
    registers: [registry],
  })
  const offPools = registerPoolMetrics(registry, engine)
  const offFailures = engine.onTransitionFailure((f) => failures.inc({ kind: kindName(engine, f.kind), operation: f.operation, outcome: f.final ? 'failed' : 'retried' }))
  return {
    registry,
    routeStats,
    close: () => {
      off()
      offFailures()
      offPools()
    },
  }
}

function kindName(engine: Engine, kind: string): string {
  try {
    return engine.registry.get(kind).names[0] ?? kind
  } catch {
    return kind
  }
}
