import { createRequire } from 'node:module'
import { Worker } from 'node:worker_threads'

// NOTE: inline (eval) so the same code runs from src/ under tsx and vitest and from dist/.
const WORKER_SOURCE = `
const { parentPort, workerData } = require('node:worker_threads')
const SQLite = require(workerData.driver)
const db = new SQLite(workerData.path)
db.pragma('busy_timeout = 5000')
const timer = setInterval(() => {
  try {
    const [r] = db.pragma('wal_checkpoint(PASSIVE)')
    if (r.checkpointed > 0) parentPort.postMessage({ checkpointed: r.checkpointed })
  } catch (err) { parentPort.postMessage({ error: String(err) }) }
}, workerData.periodMs)
parentPort.on('message', () => {
  clearInterval(timer)
  db.close()
  parentPort.close()
})
`

export interface Checkpointer {
  stop(): Promise<void>
}

/**
 * Copies the WAL back into a SQLite file from a worker thread, so the request
 * thread never pays for it. Left to SQLite, every 1,000th commit runs the
 * checkpoint (and its fsyncs) inline: that was over half of a VM create's
 * time. PASSIVE checkpoints never block the writer. Durability is unchanged
 * (docs/decisions/0002-sqlite-durability.md): commits still go to the WAL
 * exactly as before; only who copies them on is different.
 *
 * If the worker fails, `onFailure` runs (the caller turns SQLite's own
 * checkpoints back on).
 */
export function startCheckpointer(
  path: string,
  onFailure: (reason: string) => void,
  opts: { periodMs?: number; onCheckpoint?: (frames: number) => void } = {},
): Checkpointer {
  const periodMs = opts.periodMs ?? 200
  const driver = createRequire(import.meta.url).resolve('better-sqlite3')
  const worker = new Worker(WORKER_SOURCE, { eval: true, workerData: { path, driver, periodMs } })
  let stopping = false
  let exited = false
  worker.on('message', (m: { error?: string; checkpointed?: number }) => {
    if (m.error) onFailure(m.error)
    if (m.checkpointed) opts.onCheckpoint?.(m.checkpointed)
  })
  worker.on('error', (err) => onFailure(String(err)))
  worker.on('exit', (code) => {
    exited = true
    if (!stopping) onFailure(`checkpoint worker exited with code ${code}`)
  })
  // NOTE: the worker must not keep a finished process alive.
  worker.unref()
  return {
    async stop() {
      if (stopping || exited) return
      stopping = true
      const gone = new Promise((resolve) => worker.once('exit', resolve))
      // NOTE: referenced again, or a process with nothing else to do would end before the worker does.
      worker.ref()
      worker.postMessage('stop')
      await gone
    },
  }
}
