import { Type, type Static } from 'typebox'
import { defineKind } from '../define-kind.js'
import { FaultSchema } from './common.js'
import { PROVISION, QUICK_CHANGE, TEARDOWN } from '../timing-presets.js'
import { containerHooks } from './container.ops.js'

export const ContainerDataSchema = Type.Object({
  image: Type.String(),
  command: Type.Array(Type.String()),
  env: Type.Record(Type.String(), Type.String()),
  ports: Type.Array(Type.Integer()),
  startedAt: Type.Union([Type.Integer(), Type.Null()]),
  stoppedAt: Type.Union([Type.Integer(), Type.Null()]),
  exitCode: Type.Union([Type.Integer(), Type.Null()]),
  fault: FaultSchema,
})
export type ContainerData = Static<typeof ContainerDataSchema>

export interface CreateContainerInput {
  name: string
  image: string
  command?: string[]
  env?: Record<string, string>
  ports?: number[]
}

/**
 * A container (seed 000). creating -> running | error; stop -> stopping ->
 * stopped; start -> starting -> running; delete -> deleting -> gone.
 */
export const containerKind = defineKind<ContainerData>({
  id: 'container.container',
  data: ContainerDataSchema,
  names: ['container'],
  states: ['creating', 'running', 'stopping', 'stopped', 'starting', 'deleting', 'error'],
  operations: {
    create: { via: 'creating', to: 'running', failTo: 'error', timing: PROVISION },
    stop: { from: ['running'], via: 'stopping', to: 'stopped', timing: QUICK_CHANGE },
    start: { from: ['stopped'], via: 'starting', to: 'running', timing: QUICK_CHANGE },
    delete: { from: '*', via: 'deleting', to: null, timing: TEARDOWN },
  },
  hooks: containerHooks,
})
