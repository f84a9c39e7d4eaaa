import type { FastifyDynamicSwaggerOptions } from '@fastify/swagger'
import { Type } from 'typebox'
import { CONTROL_KEY_HEADER } from '../faces/control/auth.js'
import { PROJECT_ID_PATTERN } from '../engine/scope.js'
import { VERSION } from '../version.js'

export interface OpenApiKeys {
  /** The native API's key, when one is required. */
  apiKey?: string | undefined
  /** The control face's key, when one is required. */
  controlKey?: string | undefined
}

const ProjectHeader = Type.Object({
  'X-Project-Id': Type.Optional(
    Type.String({ pattern: PROJECT_ID_PATTERN, default: 'default', description: 'The project (tenant) the request acts in; another project\'s resources are invisible' }),
  ),
})

type Security = Array<Record<string, string[]>>

const SCHEMES = {
  ApiKey: { type: 'apiKey', in: 'header', name: 'X-Api-Key', description: 'The native API key (MOCKCLOUD_API_KEY), required when the server has one' },
  ControlKey: { type: 'apiKey', in: 'header', name: CONTROL_KEY_HEADER, description: 'The control key (MOCKCLOUD_CONTROL_KEY), required when the server has one' },
  BearerKey: { type: 'http', scheme: 'bearer', description: 'Either key as `Authorization: Bearer <key>`: the API key on /api/v1, the control key on /_mockcloud and /metrics' },
} as const

/**
 * @fastify/swagger's options: the document's header, the keys as security
 * schemes, and what every route of a face shares (the X-Project-Id header,
 * its key) added to each route of the document only, not to its validation.
 * The document is built on its first request, so none of this costs start-up.
 */
export function openApiOptions(keys: OpenApiKeys): FastifyDynamicSwaggerOptions {
  // NOTE: `{}` in a security list means "or no key at all": the document says what this server requires.
  const native: Security = [{ ApiKey: [] }, { BearerKey: [] }, ...(keys.apiKey ? [] : [{}])]
  const control: Security = [{ ControlKey: [] }, { BearerKey: [] }, ...(keys.controlKey ? [] : [{}])]
  return {
    openapi: {
      openapi: '3.0.3',
      info: { title: 'mockcloud', version: VERSION, description: 'A local cloud for people who write provisioning software.' },
      components: { securitySchemes: SCHEMES },
    },
    transform: ({ schema, url }) => {
      if (url.startsWith('/api/v1/')) return { schema: { ...schema, headers: ProjectHeader, security: native }, url }
      if (url.startsWith('/_mockcloud/') || url === '/metrics') return { schema: { ...schema, security: control }, url }
      return { schema, url }
    },
  }
}
