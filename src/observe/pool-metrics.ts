import { Counter, Gauge, type Registry } from 'prom-client'
import type { Engine } from '../engine/engine.js'
import type { PoolData } from '../engine/kinds/pool.kind.js'
import { parseScope } from '../engine/scope.js'
import type { ResourceRecord } from '../store/records.js'

const POOL = 'pool.pool'
const POD = 'pool.pod'

/** A pool's name from its scope key (`pool:NAME`); null for any other scope. */
function poolOf(scope: string): string | null {
  const s = parseScope(scope)
  return s.type === 'pool' ? s.pool : null
}

async function everyPool(engine: Engine): Promise<Array<ResourceRecord<PoolData>>> {
  const out: Array<ResourceRecord<PoolData>> = []
  let cursor: string | undefined
  do {
    const page = await engine.list('', POOL, { allScopes: true, limit: 1000, cursor })
    out.push(...(page.items as Array<ResourceRecord<PoolData>>))
    cursor = page.nextCursor ?? undefined
  } while (cursor)
  return out
}

/**
 * Pool metrics (seed 004's pools): each pool's pods by status, its size and
 * capacity, read from the store when scraped (so every node of a shared
 * deployment reports the same), and the claims granted, as this node saw
 * them commit (on a shared bus, every node sees every one).
 * Refused claims are the pool-manager face's `workspace.claim` requests
 * answered 409 in the request metrics. Returns what stops the counting.
 */
export function registerPoolMetrics(registry: Registry, engine: Engine): () => void {
  new Gauge({
    name: 'mockcloud_pool_pods',
    help: "A pool's pods by status (provisioning, free, used, syncing, deleting, error)",
    labelNames: ['pool', 'status'],
    registers: [registry],
    async collect() {
      this.reset()
      for (const r of await engine.store.read.countByScopeAndStatus(POD)) {
        const pool = poolOf(r.project)
        if (pool !== null) this.set({ pool, status: r.status }, r.n)
      }
    },
  })
  for (const [name, help, of] of [
    ['mockcloud_pool_size', 'Pods a pool keeps ready', (d: PoolData) => d.size],
    ['mockcloud_pool_capacity', 'The most pods a pool may hold', (d: PoolData) => d.capacity],
  ] as const) {
    new Gauge({
      name,
      help,
      labelNames: ['pool'],
      registers: [registry],
      async collect() {
        this.reset()
        for (const p of await everyPool(engine)) this.set({ pool: p.name }, of(p.data))
      },
    })
  }
  // NOTE: seen as state_changes_total is: on a shared bus every node sees every claim, so take one node's, not their sum.
  const claims = new Counter({ name: 'mockcloud_pool_claims_total', help: 'Pods handed to a workspace, by pool, as this node saw them commit', labelNames: ['pool'], registers: [registry] })
  const off = engine.bus.subscribe((e) => {
    // NOTE: a claim takes a pod (operation claim), or makes one on demand (created already claimed).
    const claimed = e.operation === 'claim' || (e.type === 'created' && (e.resource?.data as { claimedBy?: unknown } | undefined)?.claimedBy != null)
    if (e.kind !== POD || !claimed) return
    const pool = poolOf(e.project)
    if (pool !== null) claims.inc({ pool })
  })
  return off
}
