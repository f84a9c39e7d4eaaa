import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify'
import type { Static } from 'typebox'
import type { Engine } from '../../engine/engine.js'
import { ForbiddenError, NotFoundError, UnauthorizedError } from '../../engine/errors.js'
import { podWithPool } from '../../engine/pod-with-pool.js'
import { findPool, poolOnDemand } from '../../engine/pool-on-demand.js'
import { scopes } from '../../engine/scope.js'
import { toErrorShape, type ErrorShape } from '../../server/error-shape.js'
import { registerEventStream } from '../../server/event-streams.js'
import type { EventRecord } from '../../store/records.js'
import { answerRefusalsUnder } from '../../server/framework-errors.js'
import { unroutedError } from '../../server/unrouted.js'
import { podEventToWire, poolGoneToWire, poolToWire, workspaceRowToWire, workspaceToWire, type PodRecord, type PoolRecord } from './mappers.js'
import {
  ClaimQuery,
  CreatePoolBody,
  DeletedReply,
  ErrorBody,
  PodParams,
  PoolEventsQuery,
  PoolParams,
  PoolReply,
  PoolSettingsBody,
  StatusReply,
  UpdateBody,
  WorkspaceReply,
  WorkspacesReply,
} from './schemas.js'

const POOL = 'pool.pool'
const POD = 'pool.pod'

/** The pool manager's error body: seed 004's `success` flag, the message, and mockcloud's code and field. */
function sendPoolError(reply: FastifyReply, e: ErrorShape): FastifyReply {
  return reply.code(e.status).send({ success: false, error: e.message, code: e.code, field: e.field })
}

function poolErrorHandler(err: unknown, request: FastifyRequest, reply: FastifyReply): FastifyReply {
  return sendPoolError(reply, toErrorShape(err, request, (field) => field))
}

async function poolUnrouted(request: FastifyRequest, reply: FastifyReply): Promise<FastifyReply> {
  const { error, allow } = unroutedError(request)
  if (allow) reply.header('allow', allow)
  return sendPoolError(reply, error)
}

async function requirePool(engine: Engine, name: string): Promise<PoolRecord> {
  const pool = await findPool(engine, name)
  if (!pool) throw new NotFoundError('pool', name)
  return pool as PoolRecord
}

/** A pool the request may use: it exists, and the request brings its key when it has one. */
async function poolFor(engine: Engine, req: FastifyRequest): Promise<PoolRecord> {
  const pool = await requirePool(engine, (req.params as Static<typeof PoolParams>).pool)
  await guard(engine, req, pool)
  return pool
}

/** The key a request brings: `Authorization: Bearer KEY` or `x-api-key: KEY`. */
function keyOf(req: FastifyRequest): string | undefined {
  const auth = req.headers.authorization
  if (typeof auth === 'string' && /^bearer\s+\S/i.test(auth)) return auth.replace(/^bearer\s+/i, '').trim()
  const key = req.headers['x-api-key']
  return typeof key === 'string' && key.length > 0 ? key : undefined
}

/**
 * A pool made with an `apiKey` answers only calls that bring it (or a token
 * or key of the engine's identity good for it): 401 without one, 403 with
 * one that does not open it.
 */
async function guard(engine: Engine, req: FastifyRequest, pool: PoolRecord): Promise<void> {
  if (!pool.data.keyed) return
  const key = keyOf(req)
  if (key === undefined) throw new UnauthorizedError(`pool ${pool.name} needs its key: send Authorization: Bearer <apiKey> (or x-api-key)`)
  try {
    await engine.identity.whoIs(key, pool.project)
  } catch (err) {
    if (err instanceof UnauthorizedError) throw new ForbiddenError(`this key does not open pool ${pool.name}`)
    throw err
  }
}

async function podsOf(engine: Engine, pool: PoolRecord): Promise<PodRecord[]> {
  const out: PodRecord[] = []
  let cursor: string | undefined
  do {
    const page = await engine.list(pool.project, POD, { limit: 1000, cursor })
    out.push(...(page.items as PodRecord[]))
    cursor = page.nextCursor ?? undefined
  } while (cursor)
  return out
}

/** The pod the request names, with its pool, when the request brings the pool's key (if it has one). */
async function requestedPod(engine: Engine, req: FastifyRequest): Promise<{ pod: PodRecord; pool: PoolRecord }> {
  const podId = (req.params as Static<typeof PodParams>).podId
  const { pod, pool } = await podWithPool(engine, podId)
  if (!pool) throw new NotFoundError('workspace', podId)
  await guard(engine, req, pool)
  return { pod, pool }
}

/**
 * The pool manager (`/pool-manager/`): seed 004's endpoints (claim a
 * workspace, pool status, a pool's workspaces, a workspace, update its
 * repositories, mark it used, create a pool) and what a real one needs
 * beside them (release, a pool's settings, delete a pool). Pools and pods
 * are the engine's (ADR 0012); this face only translates.
 */
export async function poolManagerFace(app: FastifyInstance): Promise<void> {
  const engine = app.mockcloud.engine
  app.setErrorHandler(poolErrorHandler)
  app.setNotFoundHandler(poolUnrouted)
  answerRefusalsUnder(app, app.prefix, sendPoolError)
  const tags = ['pool manager']
  const errors = { 400: ErrorBody, 401: ErrorBody, 403: ErrorBody, 404: ErrorBody, 409: ErrorBody }
  const config = (operation: string) => ({ face: 'pool-manager', operation })

  app.post(
    '/pools',
    { config: config('pools.create'), schema: { tags, summary: 'Create a pool and start provisioning its pods', body: CreatePoolBody, response: { 201: PoolReply, ...errors } } },
    async (req, reply) => {
      const body = req.body as Static<typeof CreatePoolBody>
      const pool = (await engine.create(scopes.pool(body.name), POOL, body)) as PoolRecord
      return reply.code(201).send({ success: true, pool: poolToWire(pool, await podsOf(engine, pool)) })
    },
  )

  app.get('/pools/:pool', { config: config('pools.get'), schema: { tags, summary: "A pool's counts and settings", params: PoolParams, response: { 200: PoolReply, ...errors } } }, async (req) => {
    const pool = await poolFor(engine, req)
    return { success: true, pool: poolToWire(pool, await podsOf(engine, pool)) }
  })

  app.patch(
    '/pools/:pool',
    { config: config('pools.configure'), schema: { tags, summary: "Change a pool's size, capacity, domain or ports", params: PoolParams, body: PoolSettingsBody, response: { 200: PoolReply, ...errors } } },
    async (req) => {
      const pool = await poolFor(engine, req)
      const next = (await engine.act(pool.project, POOL, pool.id, 'configure', req.body as Record<string, unknown>)) as PoolRecord
      return { success: true, pool: poolToWire(next, await podsOf(engine, next)) }
    },
  )

  app.delete('/pools/:pool', { config: config('pools.delete'), schema: { tags, summary: 'Delete a pool and its pods', params: PoolParams, response: { 200: DeletedReply, ...errors } } }, async (req) => {
    const pool = await poolFor(engine, req)
    await engine.delete(pool.project, POOL, pool.id)
    return { success: true }
  })

  app.get(
    '/pools/:pool/workspace',
    {
      config: config('workspace.claim'),
      schema: { tags, summary: 'Claim a workspace (pod) for a workspace id: the same id gets the same pod', params: PoolParams, querystring: ClaimQuery, response: { 200: WorkspaceReply, ...errors } },
    },
    async (req) => {
      const pool = (await poolOnDemand(engine, (req.params as Static<typeof PoolParams>).pool)) as PoolRecord
      await guard(engine, req, pool)
      const pod = (await engine.act(pool.project, POOL, pool.id, 'claim', { workspaceId: (req.query as Static<typeof ClaimQuery>).workspaceId })) as PodRecord
      return { success: true, workspace: workspaceToWire(req, pool, pod) }
    },
  )

  app.get('/pools/:pool/status', { config: config('pools.status'), schema: { tags, summary: "A pool's counts and its workspaces", params: PoolParams, response: { 200: StatusReply, ...errors } } }, async (req) => {
    const pool = await poolFor(engine, req)
    const pods = await podsOf(engine, pool)
    return { success: true, pool: poolToWire(pool, pods), workspaces: pods.map((p) => workspaceRowToWire(req, pool, p)) }
  })

  app.get('/pools/:pool/workspaces', { config: config('pools.workspaces'), schema: { tags, summary: "A pool's workspaces", params: PoolParams, response: { 200: WorkspacesReply, ...errors } } }, async (req) => {
    const pool = await poolFor(engine, req)
    return { success: true, workspaces: (await podsOf(engine, pool)).map((p) => workspaceToWire(req, pool, p)) }
  })

  app.get('/workspaces/:podId', { config: config('workspace.get'), schema: { tags, summary: 'A workspace (pod)', params: PodParams, response: { 200: WorkspaceReply, ...errors } } }, async (req) => {
    const { pod, pool } = await requestedPod(engine, req)
    return { success: true, workspace: workspaceToWire(req, pool, pod) }
  })

  const podAction = (path: string, action: string, summary: string, body?: typeof UpdateBody) =>
    app.post(path, { config: config(`workspace.${action}`), schema: { tags, summary, params: PodParams, ...(body ? { body } : {}), response: { 200: WorkspaceReply, ...errors } } }, async (req) => {
      const { pod, pool } = await requestedPod(engine, req)
      const next = (await engine.act(pod.project, POD, pod.id, action, (req.body ?? {}) as Record<string, unknown>)) as PodRecord
      return { success: true, workspace: workspaceToWire(req, pool, next) }
    })
  podAction('/workspaces/:podId/update', 'sync', "Sync a workspace's repositories (it is syncing meanwhile)", UpdateBody)
  podAction('/workspaces/:podId/mark-used', 'markUsed', 'Mark a workspace used (idempotent)')
  podAction('/workspaces/:podId/release', 'release', 'Give a workspace back to its pool')

  // NOTE: the pool the stream was opened for, per request: its key was checked once, at the start; its settings follow its own events.
  const streamPools = new WeakMap<FastifyRequest, PoolRecord>()
  const isThePool = (e: EventRecord, req: FastifyRequest) => e.kind === POOL && e.resourceId === streamPools.get(req)?.id
  registerEventStream(app, {
    path: '/pools/:pool/events',
    tags,
    what: "A pool's pod changes (each with the workspace after it), until the pool is deleted",
    params: PoolParams,
    querystring: PoolEventsQuery,
    async watchOf(req) {
      const pool = await poolFor(engine, req)
      streamPools.set(req, pool)
      return { afterSeq: (req.query as Static<typeof PoolEventsQuery>).after, filter: { within: pool.project, kinds: [POD, POOL] } }
    },
    toWire(e, req) {
      const pool = streamPools.get(req)
      if (!pool || !e.resource) return null
      if (e.kind === POOL) {
        if (!isThePool(e, req)) return null
        if (e.type !== 'deleted') {
          streamPools.set(req, e.resource as PoolRecord)
          return null
        }
        return JSON.stringify(poolGoneToWire(e))
      }
      // NOTE: a pool of the same name made before this one (replayed with ?after=) is another pool.
      if ((e.resource as PodRecord).data.poolId !== pool.id) return null
      return JSON.stringify(podEventToWire(req, pool, e as typeof e & { resource: PodRecord }))
    },
    endsWith: (e, req) => e.type === 'deleted' && isThePool(e, req),
  })
}
