import type { Engine } from '../../engine/engine.js'
import { podWithPool } from '../../engine/pod-with-pool.js'
import { EMU_ERR_NOT_FOUND, EngineError } from '../../engine/errors.js'
import { POD_UP_STATES, type PodData } from '../../engine/kinds/pod.kind.js'
import type { PoolData } from '../../engine/kinds/pool.kind.js'
import type { ErrorShape } from '../../server/error-shape.js'
import type { ResourceRecord } from '../../store/records.js'

/** What a request to a stand-in is for: a pod, its pool, and the port asked on (null: the pod's own URL). */
export interface Target {
  pod: ResourceRecord<PodData>
  pool: ResourceRecord<PoolData>
  port: number | null
}

/** The pod, its pool and the port, or a 404 naming which of them is unknown. */
export async function findTarget(engine: Engine, podId: string, port: number | null): Promise<Target> {
  const { pod, pool } = await podWithPool(engine, podId)
  if (!pool) throw new EngineError(EMU_ERR_NOT_FOUND, 404, `pod ${podId}: its pool ${pod.data.poolId} is gone`)
  if (port !== null && !pool.data.ports.includes(port)) {
    const mapped = pool.data.ports.length > 0 ? `maps ${pool.data.ports.join(', ')}` : 'maps no ports'
    throw new EngineError(EMU_ERR_NOT_FOUND, 404, `port: ${port} is not a port of pod ${pod.name} (${pod.id}); its pool ${pool.name} ${mapped}`, 'port')
  }
  return { pod, pool, port }
}

const WHY_DOWN: Record<string, string> = {
  provisioning: 'is still provisioning; it answers once it is ready',
  syncing: 'is syncing its repositories; it answers again once the sync ends',
  deleting: 'is being deleted',
}

/** The 503 of a pod whose services do not answer in its state (POD_UP_STATES), saying why; undefined while it is up. */
export function downError(t: Target): ErrorShape | undefined {
  const { pod } = t
  if (POD_UP_STATES.includes(pod.status)) return undefined
  const why = WHY_DOWN[pod.status] ?? `is in state ${pod.status}${pod.data.fault ? ` (${pod.data.fault.operation} failed: ${pod.data.fault.message})` : ''}; it will not answer`
  return { status: 503, code: 'EMU_ERR_POD_DOWN', message: `pod ${pod.name} (${pod.id}) ${why}`, field: null }
}
