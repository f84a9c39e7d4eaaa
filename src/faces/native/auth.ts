import type { FastifyRequest } from 'fastify'
import type { Engine } from '../../engine/engine.js'
import { UnauthorizedError } from '../../engine/errors.js'
import { NATIVE_KEY_AUDIENCE, type Principal } from '../../engine/identity/identity.js'

declare module 'fastify' {
  interface FastifyRequest {
    /** Who sent a native request, when the API asks (see nativeAuth). */
    principal?: Principal | undefined
  }
}

/**
 * An onRequest hook asking the engine's identity who sent the request: a
 * native key (`serve --api-key`, `Authorization: Bearer <key>` or
 * `X-Api-Key`), or a Keystone token (`X-Auth-Token`, or as a bearer). 401 in
 * the native shape without one it accepts.
 */
export function nativeAuth(engine: Engine) {
  return async (req: FastifyRequest): Promise<void> => {
    const secret = presented(req)
    if (!secret) throw new UnauthorizedError('the native API needs its key: send Authorization: Bearer <key> or X-Api-Key (or a token in X-Auth-Token)')
    req.principal = await engine.identity.whoIs(secret, NATIVE_KEY_AUDIENCE).catch((err: unknown) => {
      throw err instanceof UnauthorizedError ? new UnauthorizedError(`the native API needs its key: ${err.message}`) : err
    })
  }
}

function presented(req: FastifyRequest): string | undefined {
  const h = req.headers
  const one = (v: string | string[] | undefined) => (Array.isArray(v) ? v[0] : v) || undefined
  const auth = one(h.authorization)
  return one(h['x-api-key']) ?? one(h['x-auth-token']) ?? (auth?.startsWith('Bearer ') ? auth.slice(7) : undefined)
}
