import { Type, type Static } from 'typebox'
import { defineKind } from '../define-kind.js'
import { IMMEDIATE } from './common.js'

export const CredentialDataSchema = Type.Object({
  userId: Type.String(),
  /** The project the key acts in; null: the user's default project. */
  projectId: Type.Union([Type.String(), Type.Null()]),
  /** Where the key is accepted: `native` (the native API), `pool:NAME`, `cluster:NAME`, or `*`. */
  audience: Type.String(),
  description: Type.String(),
})
export type CredentialData = Static<typeof CredentialDataSchema>

/**
 * A long-lived key (the native API's key, a pool's key, a cluster's bearer
 * token), like Keystone's application credentials. Its id is derived from a
 * hash of the key (see identity/identity.ts): the key itself is never stored.
 */
export const credentialKind = defineKind<CredentialData>({
  id: 'identity.credential',
  data: CredentialDataSchema,
  names: ['credential', 'api-key'],
  states: ['active'],
  operations: IMMEDIATE,
  scope: 'domain',
  updatable: { data: ['description'] },
  filters: ['userId', 'audience'],
  hooks: {},
})
