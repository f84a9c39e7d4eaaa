/**
 * The pool manager's shapes (seed 004), as a PoolManagerClient returns
 * them. They keep the service's own field names (`usage_status`,
 * `claimedBy`, `total_workspaces`), a mix of camelCase and snake_case, so
 * code written against the real pool manager's JSON reads them unchanged.
 */

/**
 * Where a pod is: `provisioning` (being made), `free` (ready, unclaimed),
 * `used` (claimed or marked used), `syncing` (checking out repositories),
 * `deleting`, `error` (provisioning failed or the pod crashed).
 */
export type PodStatus = 'provisioning' | 'free' | 'used' | 'syncing' | 'deleting' | 'error'

/** A pod (seed 004's workspace): where it answers, its password, who claimed it. */
export interface Pod {
  id: string
  poolName: string
  /** Its frontend: this mockcloud's stand-in (`…/pods/ID/`), or `https://NAME.DOMAIN` when the pool has a domain. */
  url: string
  /** Generated per pod. */
  password: string
  usage_status: PodStatus
  /** The workspace it was claimed for; null while free. */
  claimedBy: string | null
  /** ISO 8601; null while free. */
  claimed_at: string | null
  /** Each mapped port's URL, by port number. */
  portMappings: Record<string, string>
  /** What its last sync checked out (`owner/repo`). */
  repositories: string[]
  /** Why it is in `error`, or why its last sync failed; else null. */
  error: string | null
}

/** A pod as a pool's status lists it (seed 004's `workspaces[]` row). */
export interface PodSummary {
  id: string
  status: PodStatus
  claimed_by: string | null
  claimed_at: string | null
  url: string
}

/** A pool: seed 004's counts, and its settings. */
export interface Pool {
  name: string
  id: string
  /** Every pod it holds, whatever its state. */
  total_workspaces: number
  /** Pods free to claim now. */
  available_workspaces: number
  /** Pods claimed or marked used. */
  used_workspaces: number
  /** Pods kept ready: a claim is followed by a new one provisioning. */
  size: number
  /** The most pods it may hold; a claim beyond it is refused (ConflictError, `EMU_ERR_EXHAUSTED`). */
  capacity: number
  /** The public domain of its pods' URLs; null: the mockcloud's own address. */
  domain: string | null
  ports: number[]
  /** Whether calls for it need its key. */
  keyed: boolean
}

/** A pool's counts and its pods. */
export interface PoolStatus {
  pool: Pool
  workspaces: PodSummary[]
}

/** A pool's settings; each left out keeps its default (size 3, capacity 100, ports 15551, 15552, 3000). */
export interface PoolSettings {
  size?: number
  capacity?: number
  /** null: the mockcloud's own address. */
  domain?: string | null
  ports?: number[]
}

export interface CreatePoolRequest extends PoolSettings {
  name: string
  /** A key every later call for the pool must bring (the client's `apiKey`). */
  apiKey?: string
}
