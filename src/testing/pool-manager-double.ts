import { EmbeddedPoolManagerClient } from '../sdk/embedded-pool-manager-client.js'
import type { PoolManagerClient } from '../sdk/pool-manager-client.js'
import { ClientDouble, type DoubledMethod } from './client-double.js'

/** Every call of the PoolManagerClient interface, by name. */
export type PoolManagerMethod = DoubledMethod<PoolManagerClient>

const METHODS = [
  'createPool',
  'getOrCreatePool',
  'getPool',
  'getPoolStatus',
  'configurePool',
  'deletePool',
  'listPods',
  'claimPod',
  'getPod',
  'updatePod',
  'markPodUsed',
  'releasePod',
  'waitForPodStatus',
] as const satisfies readonly PoolManagerMethod[]

// NOTE: fails to compile when the interface gains a method this list lacks.
const everyMethodListed: Exclude<PoolManagerMethod, (typeof METHODS)[number]> extends never ? true : false = true
void everyMethodListed

export interface PoolManagerClientDoubleOptions {
  /**
   * What a method with no behaviour and no error set does. Default an
   * EmbeddedPoolManagerClient on the `instant` profile (a pool manager whose
   * pods are ready at once); `false` makes such calls reject.
   */
  fallback?: PoolManagerClient | false
}

/**
 * A test double of `PoolManagerClient` for unit tests: it records every
 * call, fails the methods a test tells it to, runs a custom function where
 * one is given, and sends anything else to a working in-process pool manager.
 *
 * @example
 * const pools = new PoolManagerClientDouble()
 * pools.fail('claimPod', new ConflictError('pool full', { status: 409, code: 'EMU_ERR_EXHAUSTED' }), { times: 1 })
 * pools.behave('getPod', async (id) => ({ ...somePod, id, usage_status: 'error' }))
 * await launcher(pools).launch()
 * expect(pools.calls.claimPod[0]).toEqual(['default-pool', 'workspace-123'])
 */
export interface PoolManagerClientDouble extends PoolManagerClient {}
// NOTE: declaration merging: the PoolManagerClient methods are defined per name by ClientDouble.
export class PoolManagerClientDouble extends ClientDouble<PoolManagerClient> {
  constructor(opts: PoolManagerClientDoubleOptions = {}) {
    const fallback = opts.fallback === undefined ? new EmbeddedPoolManagerClient({ profile: 'instant', seed: 'double' }) : opts.fallback || undefined
    super('PoolManagerClientDouble', METHODS, fallback, opts.fallback === undefined)
  }
}
