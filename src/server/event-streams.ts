import type {} from '@fastify/websocket'
import type { FastifyInstance, FastifyRequest } from 'fastify'
import type { TSchema } from 'typebox'
import { ValidationError } from '../engine/errors.js'
import type { EventFilter } from '../engine/event-history.js'
import type { EventRecord } from '../store/records.js'

// NOTE: a comment line now and then keeps proxies and idle timeouts from closing a quiet stream.
const HEARTBEAT_MS = 15_000

export interface EventStreamRoutes {
  /** The SSE route; the WebSocket one is the same path with `/ws`. */
  path: string
  tags: string[]
  /** What the stream carries, for the OpenAPI summaries. */
  what: string
  querystring: TSchema
  /** The path's parameters, when it has any. */
  params?: TSchema
  /** Which events the request asks for, from where: its checks (a key, a filter) throw before any stream opens. */
  watchOf(req: FastifyRequest): Promise<{ afterSeq: number | undefined; filter: EventFilter }>
  /** An event as this face writes it (JSON text); null leaves it out. */
  toWire(e: EventRecord, req: FastifyRequest): string | null
  /** Whether the stream ends after this event (what it watches is gone). */
  endsWith?(e: EventRecord, req: FastifyRequest): boolean
}

/** Events a watch keeps while its stream is not open yet; past it the request has plainly not become a stream. */
const MAX_HELD = 10_000

/**
 * Serves the engine's one event history as a face's live stream: server-sent
 * events at `path` and one JSON message per event on a WebSocket at
 * `path/ws`. `?after=N` or (SSE) `Last-Event-ID` replays what came after
 * event N first, so a client that reconnects misses nothing. The face must
 * have registered @fastify/websocket in its scope.
 */
export function registerEventStream(app: FastifyInstance, routes: EventStreamRoutes): void {
  const { engine } = app.mockcloud
  // NOTE: open streams are ended before the server stops listening (preClose): close() waits for every connection, so ending them onClose would wait forever.
  const streams = new Set<() => void>()
  app.addHook('preClose', async () => {
    for (const end of streams) end()
  })

  /**
   * Starts the watch before the stream is opened, so a bad filter or number is
   * a plain 400 or 410; the events that arrive meanwhile wait in `held`.
   */
  const startWatch = async (req: FastifyRequest) => {
    const held: EventRecord[] = []
    const stream: { send?: (e: EventRecord) => void; fail?: (err: unknown) => void } = {}
    const asked = await routes.watchOf(req)
    let overflow = false
    let started: { stop(): void } | undefined
    const watch = await engine.history.watch(
      { afterSeq: asked.afterSeq ?? lastEventId(req), filter: asked.filter },
      (e) => {
        if (stream.send) return stream.send(e)
        if (overflow) return
        held.push(e)
        if (held.length > MAX_HELD) {
          overflow = true
          held.length = 0
          started?.stop()
        }
      },
      (err) => stream.fail?.(err),
    )
    started = watch
    if (overflow) watch.stop()
    const open = (send: (e: EventRecord) => void, fail: (err: unknown) => void) => {
      stream.send = send
      stream.fail = fail
      if (overflow) return fail(new Error(`more than ${MAX_HELD} events arrived before the stream opened; reconnect with ?after= the last event seen`))
      for (const e of held.splice(0)) send(e)
    }
    return { watch, open, opened: () => stream.send !== undefined }
  }
  const watches = new WeakMap<FastifyRequest, Awaited<ReturnType<typeof startWatch>>>()
  const preHandler = async (req: FastifyRequest) => void watches.set(req, await startWatch(req))
  // NOTE: a plain request on the WebSocket route is answered by the plugin (404) without the handler: it gets no watch.
  const wsPreHandler = async (req: FastifyRequest) => (req.ws ? preHandler(req) : undefined)
  // NOTE: a request that never became a stream (a failed handshake, an answer other than the stream) stops its watch.
  const dropUnopened = async (req: FastifyRequest) => {
    const w = watches.get(req)
    if (w && !w.opened()) w.watch.stop()
  }
  app.addHook('onResponse', dropUnopened)
  app.addHook('onRequestAbort', dropUnopened)
  const { tags, querystring, params } = routes

  app.get(routes.path, { preHandler, schema: { tags, summary: `${routes.what} as server-sent events (text/event-stream)`, querystring, ...(params ? { params } : {}) } }, async (req, reply) => {
    const { watch, open } = watches.get(req)!
    reply.hijack()
    const res = reply.raw
    res.writeHead(200, { 'content-type': 'text/event-stream', 'cache-control': 'no-cache', connection: 'keep-alive', 'x-accel-buffering': 'no' })
    res.write(': mockcloud events\n\n')
    const beat = setInterval(() => res.write(': keep-alive\n\n'), HEARTBEAT_MS)
    beat.unref()
    // NOTE: runs once, whether the client went first or the server is closing (then the response's close calls it again).
    const end = () => {
      if (!streams.delete(end)) return
      clearInterval(beat)
      watch.stop()
      res.end()
    }
    streams.add(end)
    // NOTE: the response's close, not the request's: a request also closes once it is read, the response only when the client goes.
    res.once('close', end)
    // NOTE: a client gone while the watch started (before this handler) closed the response already: no close event comes.
    if (res.destroyed || res.socket?.destroyed !== false) end()
    open(
      (e) => {
        const data = routes.toWire(e, req)
        if (data !== null) res.write(`id: ${e.seq}\nevent: ${e.type}\ndata: ${data}\n\n`)
        if (routes.endsWith?.(e, req)) end()
      },
      (err) => {
        res.write(`event: error\ndata: ${JSON.stringify({ message: err instanceof Error ? err.message : String(err) })}\n\n`)
        end()
      },
    )
  })

  app.get(`${routes.path}/ws`, { websocket: true, preHandler: wsPreHandler, schema: { tags, summary: `${routes.what} on a WebSocket, one JSON message each`, querystring, ...(params ? { params } : {}) } }, (socket, req) => {
    const { watch, open } = watches.get(req)!
    socket.on('close', () => watch.stop())
    // NOTE: closed while the watch started: no close event comes.
    if (socket.readyState !== socket.OPEN) watch.stop()
    open(
      (e) => {
        const data = routes.toWire(e, req)
        if (data !== null) socket.send(data)
        if (routes.endsWith?.(e, req)) {
          watch.stop()
          socket.close(1000, 'the stream ends here')
        }
      },
      (err) => socket.close(1011, (err instanceof Error ? err.message : String(err)).slice(0, 120)),
    )
  })
}

/** The number in an SSE client's `Last-Event-ID` header (sent when it reconnects), checked. */
function lastEventId(req: FastifyRequest): number | undefined {
  const raw = req.headers['last-event-id']
  if (raw === undefined || raw === '') return undefined
  const n = Number(raw)
  if (typeof raw !== 'string' || !/^\d{1,16}$/.test(raw) || !Number.isSafeInteger(n)) throw new ValidationError('Last-Event-ID', `Last-Event-ID: '${String(raw).slice(0, 40)}' is not an event number`)
  return n
}
