import { Type, type Static } from 'typebox'
import { defineKind } from '../define-kind.js'
import { IMMEDIATE } from './common.js'

export const RoleAssignmentDataSchema = Type.Object({
  userId: Type.String(),
  projectId: Type.String(),
  roleId: Type.String(),
})
export type RoleAssignmentData = Static<typeof RoleAssignmentDataSchema>

/** The name that makes an assignment unique in its domain: one user, one project, one role. */
export function assignmentName(a: RoleAssignmentData): string {
  return `${a.userId}/${a.projectId}/${a.roleId}`
}

/** A role a user has on a project (Keystone's role assignment), in the domain's scope. */
export const roleAssignmentKind = defineKind<RoleAssignmentData>({
  id: 'identity.role-assignment',
  data: RoleAssignmentDataSchema,
  names: ['role-assignment', 'role_assignment'],
  label: 'role assignment',
  states: ['active'],
  operations: IMMEDIATE,
  scope: 'domain',
  uniqueNames: true,
  updatable: { name: false },
  filters: ['userId', 'projectId', 'roleId'],
  // NOTE: read on every scoped sign-in.
  indexed: ['userId'],
  hooks: {},
})
