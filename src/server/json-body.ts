import type { FastifyInstance } from 'fastify'
import { inputError, pathWhere } from './validation.js'

/**
 * The one body parser of the server: JSON. Bodies of any other type get a 415
 * that says to send JSON (Fastify's text/plain parser is dropped: no route
 * takes text). Parsing is Fastify's own (which refuses `__proto__` keys, and
 * `constructor` keys holding `prototype`, against prototype poisoning); only
 * when it refuses is the body looked at again, to say why and where.
 */
export function parseJsonBodies(app: FastifyInstance): void {
  const secure = app.getDefaultJsonParser('error', 'error')
  app.removeAllContentTypeParsers()
  app.addContentTypeParser('application/json', { parseAs: 'string' }, (req, body, done) => {
    const text = String(body)
    secure(req, text, (err, value) => done(err ? explain(err, text) : null, value))
  })
}

/** Fastify's parse error, or a sharper one: JSON.parse's own message, or the field holding a refused key. */
function explain(err: Error, body: string): Error {
  if (body.length === 0) return err
  let parsed: unknown
  try {
    parsed = JSON.parse(body)
  } catch (syntax) {
    return Object.assign(syntax as SyntaxError, { statusCode: 400 })
  }
  const at = pathWhere(parsed, poisons)
  if (at === undefined) return err
  const message = `is not allowed: a '__proto__' key, or a 'constructor' key holding 'prototype', could change the prototype of objects; rename or remove it`
  return Object.assign(new Error(message), { statusCode: 400, validation: [inputError(at, message)], validationContext: 'body' })
}

const poisons = (key: string | undefined, value: unknown) =>
  key === '__proto__' || (key === 'constructor' && typeof value === 'object' && value !== null && Object.hasOwn(value, 'prototype'))
