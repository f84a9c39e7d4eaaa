import type { SystemClock } from '../clock/system-clock.js'
import type { Store } from '../store/store.js'
import { readWorkerLiveness, SILENT_AFTER_MS } from './worker-liveness.js'

/** Where the watch says what it saw (the serve's log). */
export interface OutageLog {
  /** Transitions are overdue and no worker is alive: said once per outage. */
  missing(message: string): void
  /** A worker is alive again after an outage. */
  back(message: string): void
}

/** Real ms between checks while transitions are pending. */
const CHECK_EVERY_MS = 5_000

/**
 * On a `serve` that leaves transitions to workers: while transitions are
 * pending (any node's event wakes it), checks every few seconds whether the
 * earliest has been overdue for longer than SILENT_AFTER_MS with no worker
 * alive, and says so once per outage; during an outage it checks for a
 * worker every few seconds, and says once when one is back. With nothing
 * pending and no outage it stops, so an idle server reads nothing.
 */
export class WorkerOutageWatch {
  private timer: NodeJS.Timeout | undefined
  private checking = false
  private outage = false

  constructor(
    private readonly store: Store,
    private readonly clock: SystemClock,
    private readonly log: OutageLog,
    private readonly opts: { startedAt: number; everyMs?: number; silentAfterMs?: number },
  ) {}

  /** Something changed (a transition may have been scheduled): watch until none is pending. */
  wake(): void {
    if (this.timer) return
    this.timer = setInterval(() => void this.check(), this.opts.everyMs ?? CHECK_EVERY_MS)
    this.timer.unref()
  }

  stop(): void {
    clearInterval(this.timer)
    this.timer = undefined
  }

  private async check(): Promise<void> {
    if (this.checking) return
    this.checking = true
    try {
      const silentAfterMs = this.opts.silentAfterMs ?? SILENT_AFTER_MS
      if (!this.outage) {
        const [next] = await this.store.read.dueTransitions(Number.MAX_SAFE_INTEGER, 1)
        if (!next) return this.stop()
        const overdueMs = (this.clock.now() - next.dueAt) * this.clock.timeScale
        if (overdueMs < silentAfterMs) return
      }
      const live = await readWorkerLiveness(this.store, { startedAt: this.opts.startedAt, silentAfterMs })
      if (live.status === 'degraded' && !this.outage) {
        this.outage = true
        this.log.missing(`transitions are due and ${live.message}`)
      } else if (this.outage && live.workers && live.workers.alive > 0) {
        this.outage = false
        this.log.back(`${live.workers.alive} worker(s) alive again: due transitions are being applied`)
      }
    } catch {
      // NOTE: the store is unreachable: every request says so already; the next check tries again.
    } finally {
      this.checking = false
    }
  }
}
