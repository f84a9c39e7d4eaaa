import type { CreatePoolRequest, Pod, PodStatus, Pool, PoolSettings, PoolStatus } from './pool-types.js'
import type { Deleted, WaitOptions, WaitResult } from './types.js'

/**
 * The pool manager of seed 004: pools of pre-provisioned pods (workspaces)
 * that an application claims for a workspace id, syncs repositories into,
 * marks used and releases. The method names are the seed's mock's
 * (`getOrCreatePool`, `claimPod`, `releasePod`) where it had one.
 *
 * Every rejection is a `MockcloudError` subclass (see errors.ts):
 * - `NotFoundError` (404): unknown pool or pod;
 * - `ValidationError` (400): bad input, `field` names it (`capacity`);
 * - `ConflictError` (409): the pool is full (`code` `EMU_ERR_EXHAUSTED`),
 *   a pool of that name exists, or the pod's state forbids it;
 * - `UnauthorizedError` (401) / `ForbiddenError` (403): the pool has a key
 *   and the client brought none, or another;
 * - `InjectedFaultError`: a fault rule the test set up answered;
 * - `NetworkError` (no answer, status 0).
 *
 * @example
 * const pools = createPoolManagerClient()     // POOL_MANAGER_URL, POOL_MANAGER_API_KEY, or in process
 * const pod = await pools.claimPod('default-pool', 'workspace-123')
 * await pools.waitForPodStatus(pod.id, 'used')
 * await pools.updatePod(pod.id, { repositories: ['owner/repo'] })
 * await pools.releasePod(pod.id)
 */
export interface PoolManagerClient {
  // --- pools -------------------------------------------------------------------

  /** Creates a pool; its `size` pods start provisioning. ConflictError if the name is taken. */
  createPool(req: CreatePoolRequest): Promise<Pool>
  /** The pool of that name, made (with `apiKey`, seed 004's 3 pods) when it does not exist yet. */
  getOrCreatePool(name: string, apiKey?: string): Promise<Pool>
  /** A pool's counts and settings. */
  getPool(name: string): Promise<Pool>
  /** A pool's counts and every pod in it (seed 004's status). */
  getPoolStatus(name: string): Promise<PoolStatus>
  /** Changes a pool's size, capacity, domain or ports; it reconciles to them at once. */
  configurePool(name: string, settings: PoolSettings): Promise<Pool>
  /** Deletes a pool and its pods. */
  deletePool(name: string): Promise<void>

  // --- pods --------------------------------------------------------------------

  /** Every pod of a pool. */
  listPods(poolName: string): Promise<Pod[]>
  /**
   * A pod for `workspaceId` (the same one every time for the same id): a
   * free one, or one made on demand, still `provisioning`, when none is
   * free. A pool asked for before it exists is made (seed 004).
   * ConflictError `EMU_ERR_EXHAUSTED` when the pool is at its capacity.
   */
  claimPod(poolName: string, workspaceId: string): Promise<Pod>
  getPod(podId: string): Promise<Pod>
  /** Syncs repositories into a claimed pod; resolves with it `syncing` (then `used`). */
  updatePod(podId: string, req: { repositories: string[] }): Promise<Pod>
  /** Marks a pod used (idempotent). */
  markPodUsed(podId: string): Promise<Pod>
  /** Gives a claimed pod back: it is `free` again. */
  releasePod(podId: string): Promise<Pod>
  /**
   * Polls until the pod's `usage_status` is `status` (null for `deleted`,
   * once it is gone). Rejects with ResourceErrorStateError if it enters
   * `error`, WaitTimeoutError after `timeoutMs`, the signal's reason on abort.
   */
  waitForPodStatus<S extends PodStatus | Deleted>(podId: string, status: S, options?: WaitOptions): Promise<WaitResult<S, Pod>>

  /** Releases what the client holds (an embedded server it started). Calls after close reject. */
  close(): Promise<void>
}
