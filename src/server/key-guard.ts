import { timingSafeEqual } from 'node:crypto'
import type { FastifyReply, FastifyRequest } from 'fastify'

export interface KeyGuardOptions {
  /** What the key unlocks, for the 401's message ("the control face"). */
  what: string
  /** A header that carries the key besides `Authorization: Bearer`. */
  header: string
}

/**
 * An onRequest hook that, when `key` is set, answers 401 (native error
 * shape) to requests without it, as `Authorization: Bearer <key>` or in
 * `header`. Unset or empty: everything passes. Compared in constant time.
 */
export function keyGuard(key: string | undefined, opts: KeyGuardOptions) {
  const expected = key ? Buffer.from(key) : undefined
  const header = opts.header.toLowerCase()
  return async (req: FastifyRequest, reply: FastifyReply) => {
    if (!expected) return
    const auth = req.headers.authorization
    const given = req.headers[header] ?? (auth?.startsWith('Bearer ') ? auth.slice(7) : undefined)
    const value = Buffer.from(Array.isArray(given) ? (given[0] ?? '') : (given ?? ''))
    if (value.length === expected.length && timingSafeEqual(value, expected)) return
    await reply.code(401).send({
      error: { status: 401, code: 'EMU_ERR_UNAUTHORIZED', message: `${opts.what} needs its key: send Authorization: Bearer <key> or ${opts.header}`, field: null },
    })
  }
}
