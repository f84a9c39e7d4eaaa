import type { Store } from '../store/store.js'

/** Real ms between a worker's beats: one small write each. */
export const BEAT_EVERY_MS = 5_000
/** Rows of workers gone this long are deleted when a worker starts (each restart leaves one). */
const FORGET_AFTER_MS = 24 * 3600_000

/**
 * Tells the store every few seconds that this process applies transitions,
 * so the `serve`s of a shared deployment that do not can say whether
 * anything does (see `readWorkerLiveness`). A failed beat is not retried:
 * the next one is due a few seconds later, and a store that stays down
 * shows as a silent worker, which is what it is.
 */
export class WorkerHeartbeat {
  private readonly timer: NodeJS.Timeout
  private beating: Promise<unknown> = Promise.resolve()

  private constructor(
    private readonly store: Store,
    private readonly node: string,
    everyMs: number,
  ) {
    this.timer = setInterval(() => {
      this.beating = store.read.recordWorkerBeat(node).catch(() => undefined)
    }, everyMs)
    this.timer.unref()
  }

  /** Beats once before returning, so the worker counts as alive from its start. */
  static async start(store: Store, node: string, everyMs = BEAT_EVERY_MS): Promise<WorkerHeartbeat> {
    await store.read.forgetWorkersSilentFor(FORGET_AFTER_MS)
    await store.read.recordWorkerBeat(node)
    return new WorkerHeartbeat(store, node, everyMs)
  }

  /** Stops beating and records the stop, so this worker stops counting as alive at once. */
  async stop(): Promise<void> {
    clearInterval(this.timer)
    await this.beating
    await this.store.read.recordWorkerBeat(this.node, true)
  }
}
