import type { FastifyInstance, FastifyPluginAsync, FastifyReply, FastifyRequest } from 'fastify'
import { createRequire } from 'node:module'
import { answerUnrouted } from './unrouted.js'

const PREFIX = '/docs'
/** Hop-by-hop and length headers: the outer reply sets its own. */
const NOT_FORWARDED = new Set(['connection', 'keep-alive', 'transfer-encoding', 'content-length', 'date'])

/**
 * Swagger UI at /docs, loaded on its first request. @fastify/swagger-ui
 * (with @fastify/static and glob) was a third of `mockcloud serve`'s
 * start-up, for a page most runs never open. Routes cannot be added once a
 * server is listening, so the UI lives in a small inner Fastify, built on the
 * first hit over this server's OpenAPI document, and requests are forwarded
 * to it in process. A file it does not have is this server's own 404.
 */
export function registerSwaggerUi(app: FastifyInstance): void {
  let inner: Promise<FastifyInstance> | undefined
  const forward = async (req: FastifyRequest, reply: FastifyReply) => {
    inner ??= buildInner(app).catch((err: unknown) => {
      inner = undefined
      throw err
    })
    const etag = req.headers['if-none-match']
    const res = await (await inner).inject({ method: 'GET', url: req.url, headers: etag ? { 'if-none-match': etag } : {} })
    if (res.statusCode === 404) return answerUnrouted(req, reply)
    for (const [name, value] of Object.entries(res.headers)) if (value !== undefined && !NOT_FORWARDED.has(name)) reply.header(name, value)
    return reply.code(res.statusCode).send(res.rawPayload.length > 0 ? res.rawPayload : undefined)
  }
  const hide = { schema: { hide: true } }
  app.get(PREFIX, hide, forward)
  app.get(`${PREFIX}/*`, hide, forward)
  app.addHook('onClose', async () => {
    if (inner) await (await inner.catch(() => undefined))?.close()
  })
}

async function buildInner(app: FastifyInstance): Promise<FastifyInstance> {
  const [{ default: Fastify }, { default: swagger }] = await Promise.all([import('fastify'), import('@fastify/swagger')])
  // NOTE: required, not imported: it is CommonJS, and the built CLI runs as a script, where import() would need an experimental loader (ADR 0013).
  const swaggerUi = createRequire(import.meta.url)('@fastify/swagger-ui') as FastifyPluginAsync<{ routePrefix: string }>
  const inner = Fastify({ logger: false })
  // NOTE: static mode over the outer document: one source of truth, read once the outer server has all its routes.
  await inner.register(swagger, { mode: 'static', specification: { document: app.swagger() as never } })
  await inner.register(swaggerUi, { routePrefix: PREFIX })
  await inner.ready()
  return inner
}
