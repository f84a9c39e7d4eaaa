import type { EngineTx } from '../engine-tx.js'
import type { ResourceRecord } from '../../store/records.js'
import type { PodData } from './pod.kind.js'
import type { PoolData } from './pool.kind.js'

export const POOL_KIND = 'pool.pool'
export const POD_KIND = 'pool.pod'

/** The most pods a pool may hold: every list of a pool's pods fits in one read. */
export const MAX_POOL_CAPACITY = 10_000

/**
 * Holds a pool's lock to commit: claims, new settings and every reconcile
 * of one pool take turns (ADR 0012), so none decides on pods another is
 * changing. Taken again in one transaction, it is already held.
 */
export function lockPool(tx: EngineTx, pool: ResourceRecord<PoolData>): Promise<void> {
  return tx.lock(`pool-claims:${pool.id}`)
}

/** Every pod of a pool, oldest first. */
export function podsOf(tx: EngineTx, pool: ResourceRecord<PoolData>): Promise<Array<ResourceRecord<PodData>>> {
  return tx.q.listResources({ kind: POD_KIND, projects: [pool.project], limit: MAX_POOL_CAPACITY + 1 }) as Promise<Array<ResourceRecord<PodData>>>
}

/** The pool a pod belongs to, unless it is going (deleted with its pods). */
export async function livePoolOf(tx: EngineTx, pod: ResourceRecord<PodData>): Promise<ResourceRecord<PoolData> | undefined> {
  const pool = (await tx.q.getResource(pod.data.poolId)) as ResourceRecord<PoolData> | undefined
  return pool && pool.status === 'active' ? pool : undefined
}

/** A pod no workspace holds that is ready or on its way: what `size` counts. */
export function isSpare(pod: ResourceRecord<PodData>): boolean {
  return pod.data.claimedBy === null && (pod.status === 'free' || pod.status === 'provisioning')
}

/**
 * Keeps `size` spare pods in a pool, within its capacity: provisions what is
 * missing and deletes spares beyond `size` (the newest first), as Coder's
 * prebuild reconciler does. Runs inside the transaction that changed the
 * pool's pods (a claim, a release, a pod gone or failed, new settings), so
 * it sees them as that transaction leaves them. `changing`: a pod whose
 * new state the caller writes after this runs (a hook): `gone` is removed
 * with this transaction, `failed` ends in error (it keeps its place).
 */
export async function reconcilePool(tx: EngineTx, pool: ResourceRecord<PoolData>, changing?: { id: string; to: 'gone' | 'failed' }): Promise<void> {
  await lockPool(tx, pool)
  const pods = (await podsOf(tx, pool)).filter((p) => !(changing?.to === 'gone' && p.id === changing.id))
  const spares = pods.filter((p) => isSpare(p) && p.id !== changing?.id)
  // NOTE: a pod being deleted still holds its place in the capacity (the quota) until it is gone.
  let total = pods.length
  for (let missing = pool.data.size - spares.length; missing > 0 && total < pool.data.capacity; missing--, total++) await provisionPod(tx, pool, null)
  for (const extra of spares.slice(pool.data.size).reverse()) await tx.begin(extra, 'delete')
}

/** Starts provisioning a new pod in a pool, claimed already by `claimedBy` when it is made on demand. */
export async function provisionPod(tx: EngineTx, pool: ResourceRecord<PoolData>, claimedBy: string | null): Promise<ResourceRecord<PodData>> {
  const n = await tx.q.nextCounter(`pods:${pool.project}`)
  const id = await tx.newId()
  return tx.create<PodData>(POD_KIND, {
    id,
    project: pool.project,
    name: `${pool.name}-${n}`,
    data: {
      poolId: pool.id,
      password: tx.random.hex(24, 'pod-password', id),
      claimedBy,
      claimedAt: claimedBy === null ? null : tx.now,
      usedAt: null,
      repositories: [],
      fault: null,
    },
  })
}
