import { Type, type Static } from 'typebox'
import { defineKind } from '../define-kind.js'
import { IMMEDIATE } from './common.js'

export const FlavorDataSchema = Type.Object({
  vcpus: Type.Integer({ minimum: 1 }),
  ramMb: Type.Integer({ minimum: 1 }),
  diskGb: Type.Integer({ minimum: 0 }),
  ephemeralGb: Type.Integer({ minimum: 0 }),
  swapMb: Type.Integer({ minimum: 0 }),
  isPublic: Type.Boolean(),
  description: Type.Union([Type.String(), Type.Null()]),
})
export type FlavorData = Static<typeof FlavorDataSchema>

/** Nova flavors. Seeded into the shared scope with devstack's ids and names. */
export const flavorKind = defineKind<FlavorData>({
  id: 'compute.flavor',
  data: FlavorDataSchema,
  names: ['flavor'],
  states: ['active'],
  operations: IMMEDIATE,
  shared: true,
  hooks: {},
})

/** devstack's default flavors, so `--flavor m1.small` works as it does there. */
export const SEEDED_FLAVORS: ReadonlyArray<{ id: string; name: string } & Pick<FlavorData, 'vcpus' | 'ramMb' | 'diskGb'>> = [
  { id: '1', name: 'm1.tiny', vcpus: 1, ramMb: 512, diskGb: 1 },
  { id: '2', name: 'm1.small', vcpus: 1, ramMb: 2048, diskGb: 20 },
  { id: '3', name: 'm1.medium', vcpus: 2, ramMb: 4096, diskGb: 40 },
  { id: '4', name: 'm1.large', vcpus: 4, ramMb: 8192, diskGb: 80 },
  { id: '5', name: 'm1.xlarge', vcpus: 8, ramMb: 16384, diskGb: 160 },
]
