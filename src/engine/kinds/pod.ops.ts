import type { ResourceRecord } from '../../store/records.js'
import type { KindHooks } from '../define-kind.js'
import type { EngineTx } from '../engine-tx.js'
import { ValidationError } from '../errors.js'
import type { PodData } from './pod.kind.js'
import { livePoolOf, reconcilePool } from './pool-reconcile.js'

/** A repository as `owner/repo` (GitHub's names), or a git URL. */
const REPOSITORY = /^(?:[A-Za-z0-9_.-]{1,100}\/[A-Za-z0-9_.-]{1,100}|(?:https?|ssh|git):\/\/\S{1,400})$/
const MAX_REPOSITORIES = 50

/** A pod that ends in error no longer counts as a spare: the pool provisions one in its place. */
async function replaceFailed(tx: EngineTx, pod: ResourceRecord<PodData>): Promise<void> {
  const pool = await livePoolOf(tx, pod)
  if (pool) await reconcilePool(tx, pool, { id: pod.id, to: 'failed' })
}

export const podHooks: KindHooks<PodData> = {
  actions: {
    // NOTE: a pod still provisioning is handed back by forgetting its claim: it ends free.
    async release(tx, pod) {
      // NOTE: a dead pod is not handed to the next workspace: giving it back tears it down, and the pool makes another.
      if (pod.status === 'error') return tx.begin(pod, 'delete')
      const cleared = { claimedBy: null, claimedAt: null, usedAt: null }
      const next = pod.status === 'provisioning' ? await tx.write(pod, { data: cleared }, 'release') : await tx.begin(pod, 'release', cleared)
      const pool = await livePoolOf(tx, next)
      if (pool) await reconcilePool(tx, pool)
      return next
    },
    // NOTE: idempotent (seed 004): a pod already used only records when.
    async markUsed(tx, pod) {
      if (pod.status === 'free') return tx.begin(pod, 'markUsed', { usedAt: tx.now })
      return tx.write(pod, { data: { usedAt: tx.now } }, 'markUsed')
    },
    async sync(tx, pod, args) {
      const repositories = args['repositories']
      if (!Array.isArray(repositories) || repositories.length > MAX_REPOSITORIES) {
        throw new ValidationError('repositories', `repositories: must be a list of at most ${MAX_REPOSITORIES} repositories (owner/repo)`)
      }
      for (const [i, r] of repositories.entries()) {
        if (typeof r !== 'string' || !REPOSITORY.test(r)) throw new ValidationError(`repositories[${i}]`, `repositories[${i}]: '${String(r).slice(0, 80)}' is not a repository (owner/repo or a git URL)`)
      }
      return tx.begin(pod, 'sync', { repositories: repositories as string[], fault: null })
    },
  },

  endState: {
    create: (pod) => (pod.data.claimedBy === null ? undefined : 'used'),
  },

  onFail: {
    create: replaceFailed,
    // NOTE: a crashed pod keeps its claim (its workspace sees it dead) and its place; a spare that crashed is replaced.
    crash: replaceFailed,
  },

  async onGone(tx, pod) {
    const pool = await livePoolOf(tx, pod)
    if (pool) await reconcilePool(tx, pool, { id: pod.id, to: 'gone' })
  },
}
