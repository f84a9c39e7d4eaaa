import { Type, type Static } from 'typebox'
import { defineKind } from '../define-kind.js'
import { IMMEDIATE } from './common.js'

export const ProjectDataSchema = Type.Object({
  description: Type.String(),
  enabled: Type.Boolean(),
  domainId: Type.String(),
})
export type ProjectData = Static<typeof ProjectDataSchema>

/**
 * A Keystone project, in its domain's scope (names unique there, as in
 * Keystone). Its id is the key of the project scope its resources live in:
 * a server created in project `demo` lives in scope `demo`, on every face.
 */
export const identityProjectKind = defineKind<ProjectData>({
  id: 'identity.project',
  data: ProjectDataSchema,
  names: ['project', 'tenant'],
  states: ['active'],
  operations: IMMEDIATE,
  scope: 'domain',
  uniqueNames: true,
  updatable: { data: ['description', 'enabled'] },
  hooks: {},
})
