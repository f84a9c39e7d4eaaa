import { setTimeout as sleep } from 'node:timers/promises'
import { loadSettings, type SharedSettings } from '../engine/settings.js'
import type { Store } from '../store/store.js'

/** How long a `mockcloud worker` waits for a serve to set its database up, by default: 5 minutes. */
export const DEFAULT_WAIT_FOR_SERVE_MS = 5 * 60_000
const FIRST_PAUSE_MS = 100
const LONGEST_PAUSE_MS = 2_000

/**
 * The settings a worker adopts are its deployment's serve's (profile,
 * overrides, clock anchor). Workers are often started beside the serve (a
 * shell's `&`, compose, systemd), so until one has stored them this polls,
 * backing off from 100 ms to 2 s, and calls `onWaiting` once. After
 * `timeoutMs` (0: at once) it gives up naming the database, so a worker
 * pointed at the wrong one fails visibly rather than waiting forever.
 */
export async function waitForSettings(store: Store, opts: { timeoutMs: number; onWaiting?: ((db: string) => void) | undefined }): Promise<SharedSettings> {
  const deadline = Date.now() + opts.timeoutMs
  let pause = FIRST_PAUSE_MS
  for (let first = true; ; first = false) {
    const settings = await loadSettings(store.read)
    if (settings) return settings
    const left = deadline - Date.now()
    if (left <= 0) {
      const waited = opts.timeoutMs ? ` in ${Math.round(opts.timeoutMs / 1000)} s` : ' yet'
      throw new Error(`no mockcloud serve has set up ${store.location}${waited}; start one with the same --db (a worker waits --wait-timeout seconds for it)`)
    }
    if (first) opts.onWaiting?.(store.location)
    await sleep(Math.min(pause, left))
    pause = Math.min(pause * 2, LONGEST_PAUSE_MS)
  }
}
