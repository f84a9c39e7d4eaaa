import { Type, type Static } from 'typebox'
import { defineKind } from '../define-kind.js'
import { IMMEDIATE } from './common.js'

export const UserDataSchema = Type.Object({
  /** scrypt, salted (see identity/password.ts): never the password itself. */
  passwordHash: Type.String(),
  enabled: Type.Boolean(),
  email: Type.Union([Type.String(), Type.Null()]),
  description: Type.String(),
  defaultProjectId: Type.Union([Type.String(), Type.Null()]),
  domainId: Type.String(),
})
export type UserData = Static<typeof UserDataSchema>

/** A Keystone user, in its domain's scope (names unique there). */
export const userKind = defineKind<UserData>({
  id: 'identity.user',
  data: UserDataSchema,
  names: ['user'],
  states: ['active'],
  operations: IMMEDIATE,
  scope: 'domain',
  uniqueNames: true,
  updatable: { data: ['description', 'enabled', 'email', 'defaultProjectId'] },
  hooks: {},
})
