import type { FastifyError, FastifyReply, FastifyRequest } from 'fastify'
import { EngineError, StaleVersionError } from '../../engine/errors.js'
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
  // NOTE: a version that came in If-Match: HTTP's own answer for a precondition that no longer holds.
  if (err instanceof StaleVersionError) return { status: 412, code: 'EMU_ERR_PRECONDITION_FAILED', message: err.message, field: 'If-Match' }
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
  if (fe.code === 'FST_ERR_CTP_INVALID_MEDIA_TYPE') {
    const type = request.headers['content-type']
    const sent = type === undefined ? 'missing for a body' : `'${type}' is not accepted`
    return { status: 415, code: 'EMU_ERR_UNSUPPORTED_MEDIA_TYPE', message: `Content-Type: ${sent}; send a JSON body with Content-Type: application/json`, field: 'Content-Type' }
  }
  if (fe.code === 'FST_ERR_CTP_BODY_TOO_LARGE') {
    const limit = request.routeOptions.bodyLimit
    return { status: 413, code: 'EMU_ERR_BODY_TOO_LARGE', message: `body: larger than the ${limit} bytes (${mib(limit)}) ${request.method} ${pathOf(request)} accepts; send a smaller one`, field: 'body' }
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

/** Every face's error handler (and the server's): the error in the native shape, on a connection kept open when it can be. */
export function nativeErrorHandler(err: unknown, request: FastifyRequest, reply: FastifyReply): FastifyReply {
  keepConnectionAfterBodyError(request, reply)
  return sendNativeError(reply, toNativeError(err, request))
}

// NOTE: how far past a route's body limit a refused body is still read off the wire to keep the connection.
const DRAIN_PAST_LIMIT = 16 * 1024 * 1024

/**
 * Fastify closes the connection after any body error, "as the client may send
 * more data"; a client still sending then often sees the connection reset
 * instead of the answer. A body read to its end (malformed JSON) leaves
 * nothing to skip, and one declared a little too large is read and dropped
 * by Node once the answer is sent: both keep the connection. Bodies of
 * unknown length (chunked) past the limit, or far past it, are still cut off.
 */
function keepConnectionAfterBodyError(request: FastifyRequest, reply: FastifyReply): void {
  if (reply.getHeader('connection') !== 'close') return
  const declared = Number(request.headers['content-length'])
  if (request.raw.complete || declared <= request.routeOptions.bodyLimit + DRAIN_PAST_LIMIT) reply.removeHeader('connection')
}

const mib = (bytes: number) => `${Math.round((bytes / 1_048_576) * 100) / 100} MiB`
const pathOf = (request: FastifyRequest) => request.url.split('?')[0]
