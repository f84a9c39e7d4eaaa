import type { KindHooks } from '../define-kind.js'
import type { EngineTx } from '../engine-tx.js'
import { ConflictError, EMU_ERR_EXHAUSTED, ValidationError } from '../errors.js'
import { keyId, replaceKeysIn, restoreKeyIn } from '../identity/identity.js'
import { seededUserId } from '../identity/seed-identity.js'
import { scopes } from '../scope.js'
import type { ResourceRecord } from '../../store/records.js'
import type { PodData } from './pod.kind.js'
import { DEFAULT_POOL_CAPACITY, DEFAULT_POOL_PORTS, defaultPoolSize, type CreatePoolInput, type PoolData } from './pool.kind.js'
import { isSpare, lockPool, MAX_POOL_CAPACITY, POD_KIND, POOL_KIND, podsOf, provisionPod, reconcilePool } from './pool-reconcile.js'

/** A DNS name: labels of letters, digits and -, dot-separated. */
const DOMAIN = /^(?=.{1,253}$)[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?(\.[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?)*$/i
const MAX_PORTS = 16
/** What a workspace id may be: any printable text a client names its workspaces with, bounded. */
const WORKSPACE_ID = /^[\x21-\x7e]{1,256}$/

/** A pool's settings as given (create, configure), checked field by field; `base` fills what is not given. */
export function poolSettings(input: Partial<CreatePoolInput>, base: PoolData): PoolData {
  const { size = base.size, capacity = base.capacity, domain = base.domain, ports = base.ports } = input
  if (!Number.isInteger(capacity) || capacity < 1 || capacity > MAX_POOL_CAPACITY) throw new ValidationError('capacity', `capacity: must be a whole number from 1 to ${MAX_POOL_CAPACITY}`)
  if (!Number.isInteger(size) || size < 0 || size > capacity) throw new ValidationError('size', `size: must be a whole number from 0 to the capacity (${capacity})`)
  if (domain !== null && (typeof domain !== 'string' || !DOMAIN.test(domain))) throw new ValidationError('domain', `domain: '${String(domain).slice(0, 80)}' is not a DNS name (e.g. pods.example.com)`)
  if (!Array.isArray(ports) || ports.length > MAX_PORTS) throw new ValidationError('ports', `ports: must be a list of at most ${MAX_PORTS} port numbers`)
  for (const [i, port] of ports.entries()) {
    if (!Number.isInteger(port) || port < 1 || port > 65_535) throw new ValidationError(`ports[${i}]`, `ports[${i}]: must be a port number from 1 to 65535`)
    if (ports.indexOf(port) !== i) throw new ValidationError(`ports[${i}]`, `ports[${i}]: ${port} is listed twice`)
  }
  return { size, capacity, domain, ports: [...ports], keyed: base.keyed, ...(base.keyId !== undefined && { keyId: base.keyId }) }
}

// NOTE: a function: pool.kind.ts, which holds the defaults, imports this module first.
const defaults = (name: string): PoolData => ({ size: defaultPoolSize(name), capacity: DEFAULT_POOL_CAPACITY, domain: null, ports: [...DEFAULT_POOL_PORTS], keyed: false })

/** The origin a pool's key is kept under (one key per pool: a new pool of the name replaces it). */
const keyOrigin = (name: string) => `pool ${name}`

/** The pod a workspace holds in a pool, if it holds one. */
async function podClaimedBy(tx: EngineTx, pool: ResourceRecord<PoolData>, workspaceId: string): Promise<ResourceRecord<PodData> | undefined> {
  const [pod] = (await tx.q.listResources({ kind: POD_KIND, projects: [pool.project], data: [{ field: 'claimedBy', value: workspaceId }], limit: 1 })) as Array<ResourceRecord<PodData>>
  return pod
}

/**
 * Hands a workspace a pod: the one it holds already (a claim is
 * idempotent), else the oldest free pod, else a spare still provisioning,
 * else a new pod made on demand while the pool is under its capacity; then
 * the reconcile replaces the spare it took. Claims of one pool take turns
 * (a lock held to commit), so no pod is handed out twice.
 */
async function claim(tx: EngineTx, pool: ResourceRecord<PoolData>, args: Record<string, unknown>): Promise<ResourceRecord<PodData>> {
  const workspaceId = args['workspaceId']
  if (typeof workspaceId !== 'string' || !WORKSPACE_ID.test(workspaceId)) throw new ValidationError('workspaceId', 'workspaceId: must be 1 to 256 printable characters without spaces')
  if (pool.status !== 'active') throw new ConflictError(`pool ${pool.name} is being deleted`)
  await lockPool(tx, pool)
  const held = await podClaimedBy(tx, pool, workspaceId)
  if (held) return held
  const pods = await podsOf(tx, pool)
  const free = pods.find((p) => p.status === 'free' && p.data.claimedBy === null)
  const spare = free ?? pods.find(isSpare)
  let pod: ResourceRecord<PodData>
  if (free) pod = await tx.begin(free, 'claim', { claimedBy: workspaceId, claimedAt: tx.now })
  else if (spare) pod = await tx.write(spare, { data: { claimedBy: workspaceId, claimedAt: tx.now } }, 'claim')
  else if (pods.length < pool.data.capacity) pod = await provisionPod(tx, pool, workspaceId)
  else throw new ConflictError(`pool ${pool.name} is full: all ${pool.data.capacity} of its pods are taken (its capacity); release one or raise the capacity`, EMU_ERR_EXHAUSTED)
  // NOTE: a free pod's claim (begin) asked the rules already; a spare still provisioning or one made on demand is handed out here.
  if (!free) await tx.crashIfRuled(pod, 'claim')
  await reconcilePool(tx, pool)
  return pod
}

/** New settings for a pool: its `pods` quota follows the capacity, and the reconcile the size. */
async function configure(tx: EngineTx, pool: ResourceRecord<PoolData>, args: Record<string, unknown>): Promise<ResourceRecord<PoolData>> {
  if (pool.status !== 'active') throw new ConflictError(`pool ${pool.name} is being deleted`)
  const data = poolSettings(args as Partial<CreatePoolInput>, pool.data)
  await lockPool(tx, pool)
  const held = (await podsOf(tx, pool)).filter((p) => !isSpare(p)).length
  if (data.capacity < held) throw new ConflictError(`capacity: pool ${pool.name} holds ${held} pods that are claimed, failed or going; it cannot shrink below that`)
  await tx.q.setQuotaLimits(pool.project, (own) => ({ ...own, pods: data.capacity }))
  const next = await tx.write(pool, { data }, 'configure')
  await reconcilePool(tx, next)
  return next
}

export const poolHooks: KindHooks<PoolData> = {
  async create(tx, scope, raw) {
    const input = raw as unknown as CreatePoolInput
    if (scope !== scopes.pool(input.name)) throw new ValidationError('name', `name: pool '${input.name}' lives in scope ${scopes.pool(input.name)}, not ${scope}`)
    if (input.apiKey !== undefined && (typeof input.apiKey !== 'string' || input.apiKey.length === 0 || input.apiKey.length > 256)) {
      throw new ValidationError('apiKey', 'apiKey: a key is 1 to 256 characters')
    }
    const base = defaults(input.name)
    // NOTE: a default size never refuses a capacity given below it: the pool keeps what it can hold ready.
    if (input.size === undefined && typeof input.capacity === 'number' && input.capacity >= 1) base.size = Math.min(base.size, input.capacity)
    const data: PoolData = { ...poolSettings(input, base), keyed: input.apiKey !== undefined, ...(input.apiKey !== undefined && { keyId: keyId(input.apiKey) }) }
    const pool = await tx.create<PoolData>(POOL_KIND, { project: scope, name: input.name, data })
    // NOTE: a key of user admin, for this pool only; a pool made again under the name replaces it (or drops it).
    await replaceKeysIn(tx, scope, keyOrigin(input.name), seededUserId('admin'), input.apiKey)
    await tx.q.setQuotaLimits(scope, (own) => ({ ...own, pods: data.capacity }))
    await reconcilePool(tx, pool)
    return pool
  },

  actions: { claim: claim as never, configure },

  // NOTE: snapshots carry resources, not quota limits: the capacity comes back from the pool's data; and a
  // snapshot of the pool's scope does not hold its key (a credential of user admin): its id in the data brings it back.
  async onLoaded(tx, pool) {
    await tx.q.setQuotaLimits(pool.project, (own) => ({ ...own, pods: pool.data.capacity }))
    if (pool.data.keyId !== undefined) await restoreKeyIn(tx, pool.data.keyId, { userId: seededUserId('admin'), audience: pool.project, description: keyOrigin(pool.name) })
  },

  // NOTE: the pods go with their pool; none is replaced, since the pool is going.
  async beforeDelete(tx, pool) {
    for (const pod of await podsOf(tx, pool)) if (pod.status !== 'deleting') await tx.begin(pod, 'delete')
    await replaceKeysIn(tx, pool.project, keyOrigin(pool.name), seededUserId('admin'), undefined)
  },
}
