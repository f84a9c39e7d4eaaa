import type { FastifyError, FastifyReply, FastifyRequest } from 'fastify'
import { EngineError } from '../../engine/errors.js'
import { describeValidationError } from '../../server/validation.js'
import { wireField } from './mappers.js'

/** The native API's error body: `{ error: { status, code, message, field } }`. */
export interface NativeError {
  status: number
  code: string
  message: string
  field: string | null
}

/** Engine messages start with the engine's field name; show the wire's instead. */
function renameLeadingField(message: string, engineField: string, wire: string): string {
  return message.startsWith(`${engineField}:`) ? `${wire}${message.slice(engineField.length)}` : message
}

/** Maps anything a native route throws to a status and an error body; never leaks a stack. */
export function toNativeError(err: unknown, request: FastifyRequest): NativeError {
  if (err instanceof EngineError) {
    if (err.field) {
      const fieldNames = (request.routeOptions.config as { fieldNames?: (body: unknown) => Record<string, string> } | undefined)?.fieldNames
      const renames = fieldNames?.(request.body ?? {}) ?? {}
      const head = err.field.split(/[.[]/)[0] ?? err.field
      const wire = renames[head] ? renames[head] + err.field.slice(head.length) : wireField(err.field)
      return { status: err.status, code: err.code, message: renameLeadingField(err.message, err.field, wire), field: wire }
    }
    return { status: err.status, code: err.code, message: err.message, field: null }
  }
  const fe = err as FastifyError
  if (fe.validation) {
    const { field, message } = describeValidationError(fe.validation as never, fe.validationContext ?? 'body')
    return { status: 400, code: 'EMU_ERR_VALIDATION', message, field }
  }
  if (fe.code === 'FST_ERR_CTP_INVALID_JSON_BODY' || fe.code === 'FST_ERR_CTP_EMPTY_JSON_BODY' || (fe instanceof SyntaxError && fe.statusCode === 400)) {
    return { status: 400, code: 'EMU_ERR_VALIDATION', message: `body: malformed JSON (${fe.message})`, field: 'body' }
  }
  if (typeof fe.statusCode === 'number' && fe.statusCode >= 400 && fe.statusCode < 500) {
    return { status: fe.statusCode, code: fe.code ?? 'EMU_ERR_BAD_REQUEST', message: fe.message, field: null }
  }
  request.log.error({ err }, 'unexpected error in the native API')
  return { status: 500, code: 'EMU_ERR_INTERNAL', message: 'internal error; see the server log', field: null }
}

export function sendNativeError(reply: FastifyReply, e: NativeError): FastifyReply {
  return reply.code(e.status).send({ error: e })
}
