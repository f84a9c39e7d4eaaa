import { Type, type Static } from 'typebox'
import { defineKind } from '../define-kind.js'
import { IMMEDIATE } from './common.js'

export const DomainDataSchema = Type.Object({
  description: Type.String(),
  enabled: Type.Boolean(),
})
export type DomainData = Static<typeof DomainDataSchema>

/**
 * A Keystone domain: the namespace of projects and users. It lives in the
 * shared scope; what it holds lives in its own scope, `domain:ID`.
 */
export const domainKind = defineKind<DomainData>({
  id: 'identity.domain',
  data: DomainDataSchema,
  names: ['domain'],
  states: ['active'],
  operations: IMMEDIATE,
  shared: true,
  uniqueNames: true,
  updatable: { data: ['description', 'enabled'] },
  hooks: {},
})
