import type { FastifyRequest } from 'fastify'
import { ValidationError } from '../../engine/errors.js'
import { PROJECT_ID_PATTERN } from '../../engine/scope.js'

export const PROJECT_HEADER = 'x-project-id'
export const DEFAULT_PROJECT = 'default'
const PROJECT_RE = new RegExp(PROJECT_ID_PATTERN)

/**
 * The project (tenant) a native request acts in: the X-Project-Id header,
 * default `default`. A caller whose credentials are scoped to a project (a
 * Keystone token) acts in that one, and names another only with the admin
 * role (403 otherwise).
 */
export function projectOf(req: FastifyRequest): string {
  const raw = req.headers[PROJECT_HEADER]
  if (raw === undefined) return req.server.mockcloud.engine.identity.actsIn(req.principal, undefined, DEFAULT_PROJECT, 'X-Project-Id')
  const value = Array.isArray(raw) ? raw[0] : raw
  if (value === undefined || !PROJECT_RE.test(value)) {
    throw new ValidationError('X-Project-Id', `X-Project-Id: '${value}' is not a project id (letters, digits, '.', '_' and '-', up to 64, starting with a letter or digit)`)
  }
  return req.server.mockcloud.engine.identity.actsIn(req.principal, value, DEFAULT_PROJECT, 'X-Project-Id')
}
