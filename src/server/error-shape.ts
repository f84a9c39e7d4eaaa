import type { FastifyError, FastifyReply, FastifyRequest } from 'fastify'
import { EngineError, StaleVersionError } from '../engine/errors.js'
import { QuotaExceededError, quotaWireName } from '../engine/quotas.js'
import { describeValidationError } from './validation.js'

/**
 * mockcloud's own error shape, `{ error: { status, code, message, field } }`:
 * the native API's (seed 002), which the control face and every path outside
 * a face answer in too. Faces with a shape of their own (OpenStack,
 * Kubernetes) have their own handlers.
 */
export interface ErrorShape {
  status: number
  code: string
  message: string
  field: string | null
}

/** Engine messages start with the engine's field name; show the wire's instead. */
function renameLeadingField(message: string, engineField: string, wire: string): string {
  return message.startsWith(`${engineField}:`) ? `${wire}${message.slice(engineField.length)}` : message
}

/**
 * Maps anything a route throws to a status and an error body, engine field
 * names shown by `wireField` and the engine's words by `words` (the native
 * API says VM and environment where the engine says server and network);
 * never leaks a stack.
 */
export function toErrorShape(err: unknown, request: FastifyRequest, wireField: (engineField: string) => string = snakeField, words: (message: string) => string = (m) => m): ErrorShape {
  // NOTE: a version that came in If-Match: HTTP's own answer for a precondition that no longer holds.
  if (err instanceof StaleVersionError) return { status: 412, code: 'EMU_ERR_PRECONDITION_FAILED', message: err.message, field: 'If-Match' }
  // NOTE: what to do about it, in this API's terms: the engine's message says only what happened.
  if (err instanceof QuotaExceededError) {
    return { status: 409, code: err.code, message: `${words(err.message).replace(`for ${err.quota} `, `for ${quotaWireName(err.quota)} `)} (raise it with PUT /_mockcloud/quotas/${err.scope}, or serve --quota ${quotaWireName(err.quota)}=N)`, field: null }
  }
  if (err instanceof EngineError) {
    if (err.field) {
      const fieldNames = (request.routeOptions.config as { fieldNames?: (body: unknown) => Record<string, string> } | undefined)?.fieldNames
      const renames = fieldNames?.(request.body ?? {}) ?? {}
      const head = err.field.split(/[.[]/)[0] ?? err.field
      const wire = renames[head] ? renames[head] + err.field.slice(head.length) : wireField(err.field)
      return { status: err.status, code: err.code, message: renameLeadingField(words(err.message), err.field, wire), field: wire }
    }
    return { status: err.status, code: err.code, message: words(err.message), field: null }
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

export function sendError(reply: FastifyReply, e: ErrorShape): FastifyReply {
  return reply.code(e.status).send({ error: e })
}

/**
 * An error handler answering in this shape, on a connection kept open when it
 * can be; `wireField` spells the engine's field names as the face does, and
 * `words` its kinds.
 */
export function errorHandler(wireField: (engineField: string) => string = snakeField, words?: (message: string) => string) {
  return (err: unknown, request: FastifyRequest, reply: FastifyReply): FastifyReply => {
    keepConnectionAfterBodyError(request, reply)
    return sendError(reply, toErrorShape(err, request, wireField, words))
  }
}

/**
 * `rules[2].portRangeMin` -> `rules[2].port_range_min`: engine field names
 * (camelCase) in snake_case, the first segment's head taken from `renamed`
 * when there (`networkId` -> `environment_id`). Header names stay as sent.
 */
export function snakeField(engineField: string, renamed: Readonly<Record<string, string>> = {}): string {
  return engineField
    .split('.')
    .map((part) => {
      if (/^[A-Z]/.test(part)) return part // a header name, shown as sent
      const m = /^([A-Za-z]+)(.*)$/.exec(part)
      if (!m) return part
      const [, head = '', tail = ''] = m
      return (renamed[head] ?? head.replace(/[A-Z]/g, (c) => `_${c.toLowerCase()}`)) + tail
    })
    .join('.')
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
