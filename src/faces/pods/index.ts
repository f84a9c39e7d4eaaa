import { Readable } from 'node:stream'
import type { FastifyContextConfig, FastifyInstance, FastifyReply, FastifyRequest, HTTPMethods } from 'fastify'
import type { Static } from 'typebox'
import { EMU_ERR_UNAUTHORIZED, EngineError, ValidationError } from '../../engine/errors.js'
import { GOOSE_PORT } from '../../engine/kinds/pool.kind.js'
import { errorHandler, sendError } from '../../server/error-shape.js'
import { answerUnrouted } from '../../server/unrouted.js'
import { lastUserText, replyEvents, sseLine } from './goose.js'
import { EchoBody, ErrorBody, GooseEventStream, GooseReplyBody, GooseSecretHeader, GooseStatusText, HealthBody, PodParams, PodRestParams, PortParams, PortRestParams } from './schemas.js'
import { downError, findTarget, type Target } from './target.js'

interface StandInConfig extends FastifyContextConfig {
  face: 'pods'
  operation: string
  /** The port a route with no `:port` answers for (goosed's routes on GOOSE_PORT). */
  port?: number
  /** goosed asks no secret here (its `/status`; the stand-in's own health check). */
  open?: boolean
}

const ANY_METHOD: HTTPMethods[] = ['GET', 'HEAD', 'POST', 'PUT', 'PATCH', 'DELETE', 'OPTIONS']

/**
 * The stand-ins behind the URLs the pool manager hands out when a pool has
 * no public domain (issue 12, point 4): `/pods/{id}/` for the pod, and
 * `/pods/{id}/ports/{port}/` for each of its pool's ports. A pod answers
 * while it is up (free or used) and 503 on every path while it is not; an
 * unknown pod or a port its pool does not map is a 404. Below the prefix:
 * `health` (or `healthz`) says the pod is up, goosed's `/status` and
 * `/reply` answer on the Goose port, and anything else echoes what was
 * asked of which pod and port. Pods and pools are the engine's; this face
 * keeps nothing.
 *
 * NOTE: no pool key is asked for, even of a keyed pool's pods: a real pod's
 * URLs are guarded by the pod's own password, not by the pool manager's key,
 * and whoever has the URL was handed the password with it.
 */
export async function podStandInsFace(app: FastifyInstance): Promise<void> {
  const { engine, clock } = app.mockcloud
  app.setErrorHandler(errorHandler())
  app.setNotFoundHandler(answerUnrouted)
  // NOTE: a pod's own services take forms and text too; the echo shows any body, as text when it is not JSON.
  app.addContentTypeParser('*', { parseAs: 'string' }, (_req, body, done) => done(null, body))

  const targets = new WeakMap<FastifyRequest, Target>()
  const standIn = async (req: FastifyRequest, reply: FastifyReply) => {
    const params = req.params as { podId: string; port?: number }
    const config = req.routeOptions.config as unknown as StandInConfig
    const target = await findTarget(engine, params.podId, params.port ?? config.port ?? null)
    const down = downError(target)
    if (down) return sendError(reply, down)
    // NOTE: goosed refuses every path but /status without its X-Secret-Key. The stand-in cannot know the secret goosed was started with, so any value passes.
    if (target.port === GOOSE_PORT && !config.open && !req.headers['x-secret-key']) {
      throw new EngineError(EMU_ERR_UNAUTHORIZED, 401, `X-Secret-Key: goosed on port ${GOOSE_PORT} answers only requests with its secret key header (the stand-in takes any value)`, 'X-Secret-Key')
    }
    targets.set(req, target)
    return undefined
  }
  const tags = ['pod stand-ins']
  const errors = { 401: ErrorBody, 404: ErrorBody, 503: ErrorBody }
  const config = (operation: string, more: Partial<StandInConfig> = {}): StandInConfig => ({ face: 'pods', operation, ...more })

  const health = async (req: FastifyRequest) => {
    const { pod, port } = targets.get(req)!
    return { status: 'ok' as const, pod: pod.id, port }
  }
  for (const [url, params] of [
    ['/:podId/health', PodParams],
    ['/:podId/healthz', PodParams],
    ['/:podId/ports/:port/health', PortParams],
    ['/:podId/ports/:port/healthz', PortParams],
  ] as const) {
    app.get(url, { preHandler: standIn, config: config('pods.health', { open: true }), schema: { tags, summary: "A pod's health: 200 while it is free or used, 503 while it is not", params, response: { 200: HealthBody, ...errors } } }, health)
  }

  app.get(
    `/:podId/ports/${GOOSE_PORT}/status`,
    {
      preHandler: standIn,
      config: config('goose.status', { port: GOOSE_PORT, open: true }),
      schema: { tags, summary: "goosed's status on the Goose port: the text ok", params: PodParams, response: { 200: GooseStatusText, ...errors } },
    },
    async (_req, reply) => reply.type('text/plain; charset=utf-8').send('ok'),
  )

  app.post(
    `/:podId/ports/${GOOSE_PORT}/reply`,
    {
      preHandler: standIn,
      config: config('goose.reply', { port: GOOSE_PORT }),
      schema: {
        tags,
        summary: "goosed's reply on the Goose port: server-sent events, Message pieces of an assistant message derived from the user's, then Finish",
        params: PodParams,
        headers: GooseSecretHeader,
        body: GooseReplyBody,
        response: { 200: GooseEventStream, 400: ErrorBody, ...errors },
      },
    },
    async (req, reply) => {
      const { pod } = targets.get(req)!
      const body = req.body as Static<typeof GooseReplyBody>
      const said = lastUserText(body)
      if (said === undefined) throw new ValidationError('user_message', 'user_message: required: the message to reply to (or, as older goosed took it, messages ending with a user message)')
      const events = replyEvents(said, { podName: pod.name, sessionId: body.session_id, nowMs: clock.now() })
      // NOTE: a stream, one chunk per event, as goosed flushes them; all are ready at once, so it ends at once.
      return reply.headers({ 'content-type': 'text/event-stream', 'cache-control': 'no-cache' }).send(Readable.from(events.map(sseLine)))
    },
  )

  const echo = async (req: FastifyRequest) => {
    const { pod, pool, port } = targets.get(req)!
    const rest = (req.params as { '*'?: string })['*'] ?? ''
    return { method: req.method, path: `/${rest}`, query: req.query ?? {}, pod: pod.id, podName: pod.name, podStatus: pod.status, pool: pool.name, port, body: req.body ?? null }
  }
  for (const [url, params] of [
    ['/:podId', PodParams],
    ['/:podId/*', PodRestParams],
    ['/:podId/ports/:port', PortParams],
    ['/:podId/ports/:port/*', PortRestParams],
  ] as const) {
    app.route({
      method: ANY_METHOD,
      url,
      preHandler: standIn,
      config: config('pods.echo'),
      schema: { tags, summary: 'Anything else asked of a pod (or one of its ports): which pod and port answered, and what was asked', params, response: { 200: EchoBody, ...errors } },
      handler: echo,
    })
  }
}
