import type { Engine } from './engine.js'
import { ConflictError, NotFoundError } from './errors.js'
import type { PoolData } from './kinds/pool.kind.js'
import { scopes } from './scope.js'
import type { ResourceRecord } from '../store/records.js'

const POOL = 'pool.pool'

export { DEFAULT_POOL } from './kinds/pool.kind.js'

/** The pool of that name, if there is one. */
export async function findPool(engine: Engine, name: string): Promise<ResourceRecord<PoolData> | undefined> {
  return (await engine.list(scopes.pool(name), POOL, { limit: 1 })).items[0] as ResourceRecord<PoolData> | undefined
}

/**
 * The pool of that name, made with seed 004's size (5 pods for
 * default-pool, 3 for any other) when it does not exist:
 * what a claim for an unknown pool gets, and how `default-pool` is there at
 * start. Two callers at once (two nodes starting) make it once.
 */
export async function poolOnDemand(engine: Engine, name: string): Promise<ResourceRecord<PoolData>> {
  const found = await findPool(engine, name)
  if (found) return found
  try {
    return (await engine.create(scopes.pool(name), POOL, { name })) as ResourceRecord<PoolData>
  } catch (err) {
    if (!(err instanceof ConflictError)) throw err
    const made = await findPool(engine, name)
    if (!made) throw new NotFoundError('pool', name)
    return made
  }
}
