import { Type, type Static } from 'typebox'
import { defineKind } from '../define-kind.js'
import { IMMEDIATE } from './common.js'

export const ImageDataSchema = Type.Object({
  diskFormat: Type.String(),
  containerFormat: Type.String(),
  minDiskGb: Type.Integer({ minimum: 0 }),
  minRamMb: Type.Integer({ minimum: 0 }),
  sizeBytes: Type.Integer({ minimum: 0 }),
  visibility: Type.Union([Type.Literal('public'), Type.Literal('private'), Type.Literal('shared'), Type.Literal('community')]),
  osDistro: Type.Union([Type.String(), Type.Null()]),
  osVersion: Type.Union([Type.String(), Type.Null()]),
  checksum: Type.String(),
})
export type ImageData = Static<typeof ImageDataSchema>

/** Glance images. A few public ones are seeded into the shared scope. */
export const imageKind = defineKind<ImageData>({
  id: 'image.image',
  data: ImageDataSchema,
  names: ['image'],
  states: ['active'],
  operations: IMMEDIATE,
  shared: true,
  hooks: {},
})

export const SEEDED_IMAGES: ReadonlyArray<{ name: string; osDistro: string; osVersion: string; sizeBytes: number }> = [
  { name: 'ubuntu-22.04', osDistro: 'ubuntu', osVersion: '22.04', sizeBytes: 691_011_584 },
  { name: 'ubuntu-24.04', osDistro: 'ubuntu', osVersion: '24.04', sizeBytes: 599_785_472 },
  { name: 'debian-12', osDistro: 'debian', osVersion: '12', sizeBytes: 371_064_320 },
  { name: 'cirros-0.6.2-x86_64-disk', osDistro: 'cirros', osVersion: '0.6.2', sizeBytes: 21_430_272 },
]
