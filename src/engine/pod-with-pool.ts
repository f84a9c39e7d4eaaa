import type { Engine } from './engine.js'
import type { PodData } from './kinds/pod.kind.js'
import type { PoolData } from './kinds/pool.kind.js'
import type { ResourceRecord } from '../store/records.js'

/**
 * A pod by id, in whichever pool holds it, with that pool: for the faces
 * whose paths name a pod alone (the pool manager's `/workspaces/{podId}`,
 * the pods' own URLs). A NotFoundError when there is no such pod; `pool` is
 * undefined when its pool is gone (each face words that its own way).
 */
export async function podWithPool(engine: Engine, podId: string): Promise<{ pod: ResourceRecord<PodData>; pool: ResourceRecord<PoolData> | undefined }> {
  const pod = (await engine.getInAnyScope('pool.pod', podId)) as ResourceRecord<PodData>
  const pool = (await engine.getInAnyScope('pool.pool', pod.data.poolId).catch(() => undefined)) as ResourceRecord<PoolData> | undefined
  return { pod, pool }
}
