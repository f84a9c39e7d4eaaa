import { timingSafeEqual } from 'node:crypto'
import type { FastifyReply, FastifyRequest } from 'fastify'

export const CONTROL_KEY_HEADER = 'x-mockcloud-control-key'

/**
 * When a control key is set (MOCKCLOUD_CONTROL_KEY, `serve --control-key`),
 * the control face and /metrics answer only requests that carry it, as
 * `Authorization: Bearer <key>` or `X-Mockcloud-Control-Key: <key>`.
 */
export function controlKeyGuard(key: string | undefined) {
  const expected = key ? Buffer.from(key) : undefined
  return async (req: FastifyRequest, reply: FastifyReply) => {
    if (!expected) return
    const auth = req.headers.authorization
    const given = req.headers[CONTROL_KEY_HEADER] ?? (auth?.startsWith('Bearer ') ? auth.slice(7) : undefined)
    const value = Buffer.from(Array.isArray(given) ? (given[0] ?? '') : (given ?? ''))
    if (value.length === expected.length && timingSafeEqual(value, expected)) return
    await reply.code(401).send({
      error: { status: 401, code: 'EMU_ERR_UNAUTHORIZED', message: `the control face needs its key: send Authorization: Bearer <key> or ${CONTROL_KEY_HEADER}`, field: null },
    })
  }
}
