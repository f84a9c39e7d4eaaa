import { maxHeaderSize, STATUS_CODES } from 'node:http'
import type { Socket } from 'node:net'
import type { FastifyError, FastifyInstance, FastifyReply, FastifyRequest } from 'fastify'
import { sendError, type ErrorShape } from './error-shape.js'

/**
 * What Fastify and Node refuse before any face sees the request, answered in
 * the native error shape like everything else: requests Node's HTTP parser
 * cannot read (`clientError`), and URLs the router cannot (`frameworkErrors`).
 */

/** How a face answers an error in its own shape. */
export type ErrorSender = (reply: FastifyReply, e: ErrorShape) => FastifyReply

// NOTE: keyed by the HTTP server, which a face's plugin instance and the root share.
const faceSenders = new WeakMap<object, Array<{ prefix: string; send: ErrorSender }>>()

/** Makes what the router refuses under `prefix` answer in a face's own error shape (a face with one calls it). */
export function answerRefusalsUnder(app: FastifyInstance, prefix: string, send: ErrorSender): void {
  const list = faceSenders.get(app.server) ?? []
  list.push({ prefix, send })
  faceSenders.set(app.server, list)
}

function senderFor(request: FastifyRequest, path: string): ErrorSender {
  return faceSenders.get(request.server.server)?.find((f) => path.startsWith(f.prefix))?.send ?? sendError
}

/** Path parameters (ids) are at most this long, as the id pattern says; longer ones never reach a route. */
export const MAX_PARAM_LENGTH = 128

/** Fastify's `frameworkErrors`: a bad %-escape in the path, or a path segment longer than any id. */
export function answerFrameworkError(err: FastifyError, request: FastifyRequest, reply: FastifyReply): FastifyReply {
  const path = request.url.split('?')[0] ?? ''
  const sendError = senderFor(request, path)
  if (err.code === 'FST_ERR_BAD_URL') {
    const message = `path: '${path}' has a bad %-escape: a '%' must be followed by two hex digits (write '%' itself as %25)`
    return sendError(reply, { status: 400, code: 'EMU_ERR_BAD_URL', message, field: 'path' })
  }
  if (err.code === 'FST_ERR_MAX_PARAM_LENGTH') {
    const shown = path.length > 200 ? `${path.slice(0, 200)}…` : path
    const message = `a segment of the path '${shown}' is longer than ${MAX_PARAM_LENGTH} characters, the longest an id can be`
    return sendError(reply, { status: 414, code: 'EMU_ERR_URI_TOO_LONG', message, field: null })
  }
  request.log.error({ err }, 'unexpected framework error')
  return sendError(reply, { status: 500, code: 'EMU_ERR_INTERNAL', message: 'internal error; see the server log', field: null })
}

interface ParserError extends Error {
  code?: string
  bytesParsed?: number
  /** A Buffer of the bytes being parsed (Fastify's type says otherwise). */
  rawPacket?: unknown
}

/**
 * Fastify's `clientErrorHandler`: Node's HTTP parser refused the request (a
 * control byte in a header, headers too large...). There is no request to
 * reply to, so the answer is written on the socket, which is then closed: the
 * parser cannot go on after an error.
 */
export function answerClientError(err: ParserError, socket: Socket): void {
  if (err.code === 'ECONNRESET' || socket.destroyed) return
  if (!socket.writable) {
    socket.destroy()
    return
  }
  const e = describeClientError(err)
  const body = JSON.stringify({ error: e })
  socket.end(
    `HTTP/1.1 ${e.status} ${STATUS_CODES[e.status]}\r\nContent-Type: application/json; charset=utf-8\r\nContent-Length: ${Buffer.byteLength(body)}\r\nConnection: close\r\n\r\n${body}`,
    () => socket.destroy(),
  )
}

function describeClientError(err: ParserError): ErrorShape {
  if (err.code === 'HPE_HEADER_OVERFLOW') {
    const message = `the request line and headers are larger than the ${maxHeaderSize} bytes the server reads; send fewer or shorter headers (or a shorter URL)`
    return { status: 431, code: 'EMU_ERR_HEADERS_TOO_LARGE', message, field: null }
  }
  if (err.code === 'ERR_HTTP_REQUEST_TIMEOUT') {
    return { status: 408, code: 'EMU_ERR_REQUEST_TIMEOUT', message: 'the request did not arrive in time; send it again', field: null }
  }
  if (err.code === 'HPE_INVALID_HEADER_TOKEN') {
    const header = headerAt(err)
    if (header) {
      const message = `${header}: holds a character a header cannot (a control byte such as NUL, or a non-token character in its name); send printable ASCII only`
      return { status: 400, code: 'EMU_ERR_BAD_HEADER', message, field: header }
    }
  }
  return { status: 400, code: 'EMU_ERR_BAD_REQUEST', message: `the request is not valid HTTP/1.1 (${err.code ?? 'unknown'}: ${err.message}); check the request line and headers`, field: null }
}

/** The name of the header line the parser stopped in, from the bytes it was reading. */
function headerAt(err: ParserError): string | undefined {
  if (!Buffer.isBuffer(err.rawPacket) || err.bytesParsed === undefined) return undefined
  const raw = err.rawPacket.toString('latin1')
  const start = raw.lastIndexOf('\n', err.bytesParsed - 1) + 1
  const line = raw.slice(start, err.bytesParsed)
  const colon = line.indexOf(':')
  return start > 0 ? (colon < 0 ? line : line.slice(0, colon)) || undefined : undefined
}
