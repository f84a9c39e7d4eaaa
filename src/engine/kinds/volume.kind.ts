import { Type, type Static } from 'typebox'
import { defineKind } from '../define-kind.js'
import { FaultSchema } from './common.js'
import { PROVISION, QUICK_CHANGE, TEARDOWN } from '../timing-presets.js'
import { volumeHooks } from './volume.ops.js'

export const VolumeDataSchema = Type.Object({
  sizeGb: Type.Integer({ minimum: 1 }),
  description: Type.String(),
  volumeType: Type.String(),
  bootable: Type.Boolean(),
  vmId: Type.Union([Type.String(), Type.Null()]),
  device: Type.Union([Type.String(), Type.Null()]),
  attachedAt: Type.Union([Type.Integer(), Type.Null()]),
  fault: FaultSchema,
})
export type VolumeData = Static<typeof VolumeDataSchema>

export interface CreateVolumeInput {
  name: string
  sizeGb: number
  description?: string
  volumeType?: string
}

/**
 * A block storage volume (Cinder). creating -> available | error;
 * attach -> attaching -> in-use; detach -> detaching -> available; delete -> deleting -> gone.
 */
export const volumeKind = defineKind<VolumeData>({
  id: 'volume.volume',
  data: VolumeDataSchema,
  names: ['volume'],
  states: ['creating', 'available', 'attaching', 'in-use', 'detaching', 'deleting', 'error'],
  operations: {
    create: { via: 'creating', to: 'available', failTo: 'error', timing: PROVISION },
    attach: { from: ['available'], via: 'attaching', to: 'in-use', timing: QUICK_CHANGE },
    detach: { from: ['in-use'], via: 'detaching', to: 'available', timing: QUICK_CHANGE },
    delete: { from: ['available', 'error'], via: 'deleting', to: null, timing: TEARDOWN },
  },
  updatable: { data: ['description'] },
  filters: ['vmId', 'bootable', 'volumeType'],
  indexed: ['vmId'],
  // NOTE: Cinder lists sort by size (?sort=size:desc).
  sortable: ['sizeGb'],
  quota: (v) => ({ volumes: 1, gigabytes: v.data.sizeGb }),
  hooks: volumeHooks,
})
