import { Type, type Static } from 'typebox'
import { defineKind } from '../define-kind.js'

export const TokenDataSchema = Type.Object({
  userId: Type.String(),
  /** The project it is scoped to; null for an unscoped token. */
  projectId: Type.Union([Type.String(), Type.Null()]),
  /** The roles the user had on the project when it was issued. */
  roleIds: Type.Array(Type.String()),
  methods: Type.Array(Type.String()),
  /** Emulated ms since the epoch: it stops being valid then, on the engine's clock. */
  expiresAt: Type.Number(),
  /** Keystone's audit id: names the token in logs without revealing it. */
  auditId: Type.String(),
})
export type TokenData = Static<typeof TokenDataSchema>

/**
 * An issued token, in the user's domain scope; its id is the token. Valid
 * until it expires on the engine's clock or is revoked.
 */
export const tokenKind = defineKind<TokenData>({
  id: 'identity.token',
  data: TokenDataSchema,
  names: ['token'],
  states: ['valid', 'revoked'],
  operations: {
    create: { to: 'valid' },
    revoke: { from: ['valid'], to: 'revoked' },
    delete: { from: '*', to: null },
  },
  scope: 'domain',
  filters: ['userId', 'projectId'],
  indexed: ['userId'],
  hooks: {},
})
