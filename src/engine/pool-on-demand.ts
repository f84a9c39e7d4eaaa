import type { Engine } from './engine.js'
import { ConflictError, NotFoundError } from './errors.js'
import type { PoolData } from './kinds/pool.kind.js'
import { scopes } from './scope.js'
import type { ResourceRecord } from '../store/records.js'

const POOL = 'pool.pool'

/** Seed 004's pool that exists from the start, with 5 pods. */
export const DEFAULT_POOL = 'default-pool'

/** Seed 004: the default pool has 5 pods, a pool first asked for by a claim 3. */
export const sizeWhenAskedFor = (name: string): number => (name === DEFAULT_POOL ? 5 : 3)

/** The pool of that name, if there is one. */
export async function findPool(engine: Engine, name: string): Promise<ResourceRecord<PoolData> | undefined> {
  return (await engine.list(scopes.pool(name), POOL, { limit: 1 })).items[0] as ResourceRecord<PoolData> | undefined
}

/**
 * The pool of that name, made with seed 004's size when it does not exist:
 * what a claim for an unknown pool gets, and how `default-pool` is there at
 * start. Two callers at once (two nodes starting) make it once.
 */
export async function poolOnDemand(engine: Engine, name: string): Promise<ResourceRecord<PoolData>> {
  const found = await findPool(engine, name)
  if (found) return found
  try {
    return (await engine.create(scopes.pool(name), POOL, { name, size: sizeWhenAskedFor(name) })) as ResourceRecord<PoolData>
  } catch (err) {
    if (!(err instanceof ConflictError)) throw err
    const made = await findPool(engine, name)
    if (!made) throw new NotFoundError('pool', name)
    return made
  }
}
