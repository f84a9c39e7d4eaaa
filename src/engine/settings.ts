import type { ClockAnchor } from '../clock/system-clock.js'
import type { Queries } from '../store/queries.js'
import type { QuotaLimits } from './quotas.js'
import type { ProfileName } from './timing.js'

/**
 * The run-time settings every node of a deployment must share: the timing
 * profile and its overrides, and the clock's scale and anchor. They live in
 * the store; a `serve` writes its own at start, a `worker` adopts them, and a
 * change is announced on the event bus so every node reloads.
 */
export interface SharedSettings {
  profile: ProfileName
  timing: string[]
  timeScale: number
  clockAnchor: ClockAnchor
  /** How many of the newest events the history keeps (absent in settings stored before it existed: the default). */
  eventRetention?: number
  /** The deployment's quota limits over OpenStack's defaults (absent: the defaults). */
  quotaDefaults?: QuotaLimits
}

const KEY = 'settings'

export async function loadSettings(q: Queries): Promise<SharedSettings | undefined> {
  const text = await q.getMeta(KEY)
  return text ? (JSON.parse(text) as SharedSettings) : undefined
}

export async function saveSettings(q: Queries, settings: SharedSettings): Promise<void> {
  await q.setMeta(KEY, JSON.stringify(settings))
}
