import { Type, type Static } from 'typebox'
import { defineKind } from '../define-kind.js'
import { IMMEDIATE } from './common.js'

export const RoleDataSchema = Type.Object({
  description: Type.String(),
})
export type RoleData = Static<typeof RoleDataSchema>

/** A Keystone role (global, in the shared scope): `admin`, `member`, `reader` are seeded. */
export const roleKind = defineKind<RoleData>({
  id: 'identity.role',
  data: RoleDataSchema,
  names: ['role'],
  states: ['active'],
  operations: IMMEDIATE,
  shared: true,
  uniqueNames: true,
  updatable: { data: ['description'] },
  hooks: {},
})
