import { Type } from 'typebox'
import type { OperationDef } from '../define-kind.js'

/** Why the last asynchronous operation of a resource failed, when it did. */
export const FaultSchema = Type.Optional(Type.Union([Type.Object({ operation: Type.String(), message: Type.String() }), Type.Null()]))

/** The lifecycle of kinds that are usable at once and gone at once (networks, rules, records...). */
export const IMMEDIATE: Record<'create' | 'delete', OperationDef> = { create: { to: 'active' }, delete: { from: '*', to: null } }
