import { Type, type Static } from 'typebox'
import { defineKind } from '../define-kind.js'
import { PROVISION, REPO_SYNC, TEARDOWN } from '../timing-presets.js'
import { FaultSchema } from './common.js'
import { podHooks } from './pod.ops.js'

export const PodDataSchema = Type.Object({
  poolId: Type.String(),
  /** Generated per pod from the seeded generator. */
  password: Type.String(),
  /** The workspace that claimed it; null while it is free. */
  claimedBy: Type.Union([Type.String(), Type.Null()]),
  claimedAt: Type.Union([Type.Integer(), Type.Null()]),
  /** When it was last marked used (seed 004's mark-used). */
  usedAt: Type.Union([Type.Integer(), Type.Null()]),
  /** The repositories its last sync checked out (`owner/repo`). */
  repositories: Type.Array(Type.String()),
  fault: FaultSchema,
})
export type PodData = Static<typeof PodDataSchema>

/**
 * The states in which a pod's services answer: it is ready (free) or in use.
 * Provisioning it is not up yet, syncing it is checking out repositories (as
 * a real pod restarts its services then), deleting and error it is down.
 */
export const POD_UP_STATES: readonly string[] = ['free', 'used']

/**
 * A pod of a pool (seed 004's workspace). provisioning -> free; claim ->
 * used; release -> free; sync (repositories) -> syncing -> used; delete ->
 * deleting -> gone; error when provisioning fails or it crashes (a fault
 * rule's crashAfterMs); releasing a pod in error deletes it. A pod claimed while it is
 * still provisioning (on demand, or a spare) ends its provisioning used.
 */
export const podKind = defineKind<PodData>({
  id: 'pool.pod',
  data: PodDataSchema,
  names: ['pod', 'workspace'],
  states: ['provisioning', 'free', 'used', 'syncing', 'deleting', 'error'],
  operations: {
    create: { via: 'provisioning', to: 'free', failTo: 'error', timing: PROVISION },
    claim: { from: ['free'], to: 'used' },
    release: { from: ['used'], to: 'free' },
    markUsed: { from: ['free'], to: 'used' },
    // NOTE: a failed sync leaves the pod usable, with the failure in its fault, as a failed git pull would.
    sync: { from: ['used'], via: 'syncing', to: 'used', failTo: 'used', timing: REPO_SYNC },
    delete: { from: '*', via: 'deleting', to: null, timing: TEARDOWN },
    // NOTE: never asked for: a fault rule's crashAfterMs plants it (the pod dies under its user).
    crash: { from: ['provisioning', 'free', 'used', 'syncing'], to: 'error', failTo: 'error', background: true },
  },
  scope: 'pool',
  filters: ['claimedBy', 'poolId'],
  indexed: ['claimedBy'],
  quota: () => ({ pods: 1 }),
  hooks: podHooks,
})
