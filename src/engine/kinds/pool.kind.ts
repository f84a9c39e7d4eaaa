import { Type, type Static } from 'typebox'
import { defineKind } from '../define-kind.js'
import { TEARDOWN } from '../timing-presets.js'
import { poolHooks } from './pool.ops.js'

export const PoolDataSchema = Type.Object({
  /** Pods kept ready (free or being provisioned, unclaimed): the reconcile target. */
  size: Type.Integer({ minimum: 0 }),
  /** The most pods the pool may hold at once, claimed or not (its `pods` quota). */
  capacity: Type.Integer({ minimum: 1 }),
  /** The public domain of its pods' URLs; null: mockcloud's own address. */
  domain: Type.Union([Type.String(), Type.Null()]),
  /** The ports mapped for each pod (frontend, IDE, agent...). */
  ports: Type.Array(Type.Integer({ minimum: 1, maximum: 65_535 })),
  /** Whether a key guards it: every call for the pool must bring it (a credential of the engine's identity, audience `pool:NAME`). */
  keyed: Type.Boolean(),
  /** Its key's credential id: a hash of the key, never the key. A snapshot of the pool's scope brings the key back with it. */
  keyId: Type.Optional(Type.String({ pattern: '^key-[0-9a-f]{40}$' })),
})
export type PoolData = Static<typeof PoolDataSchema>

export interface CreatePoolInput {
  name: string
  size?: number
  capacity?: number
  domain?: string | null
  ports?: number[]
  /** A key every call for the pool must then bring (seed 004's `apiKey`). */
  apiKey?: string
}

/** Seed 004's pool that exists from the start, with 5 pods. */
export const DEFAULT_POOL = 'default-pool'

/** The pool sizes of seed 004: `default-pool` has 5 ready pods, any other pool made without a size 3. */
export const defaultPoolSize = (name: string): number => (name === DEFAULT_POOL ? 5 : 3)
/** Pods a pool may hold unless told otherwise. */
export const DEFAULT_POOL_CAPACITY = 100
/**
 * The port a pod's Goose agent (`goosed`) answers on. Seed 004 hands out a
 * Goose URL per pod without naming its port; the app it comes from
 * (stakwork/hive, `src/lib/pods/constants.ts`) has Goose "always" on 15551,
 * 15552 as the pod's control port and 3000 as the frontend's fallback.
 */
export const GOOSE_PORT = 15551
/** Seed 004's port mappings: the Goose agent, the pod's control port and the frontend. */
export const DEFAULT_POOL_PORTS: readonly number[] = [GOOSE_PORT, 15552, 3000]

/**
 * A pool of pre-provisioned pods (seed 004, Coder's prebuilt workspaces,
 * vmpooler's pools). It lives in a scope of its own (`pool:NAME`) with its
 * pods; its capacity is that scope's `pods` quota, and a reconcile in every
 * transaction that changes its pods keeps `size` of them ready.
 */
export const poolKind = defineKind<PoolData>({
  id: 'pool.pool',
  data: PoolDataSchema,
  names: ['pool'],
  states: ['active', 'deleting'],
  operations: {
    create: { to: 'active' },
    delete: { from: ['active'], via: 'deleting', to: null, timing: TEARDOWN },
  },
  scope: 'pool',
  uniqueNames: true,
  updatable: { name: false },
  hooks: poolHooks,
})
