import { parseScope } from '../../engine/scope.js'
import type {} from '@fastify/websocket'
import type { FastifyInstance, FastifyRequest } from 'fastify'
import type { Static } from 'typebox'
import { ValidationError } from '../../engine/errors.js'
import type { EventFilter } from '../../engine/event-history.js'
import type { EventRecord } from '../../store/records.js'
import { eventToWire, kindOf } from './mappers.js'
import { EventHistory, EventHistoryQuery, EventsQuery } from './schemas.js'

// NOTE: a comment line now and then keeps proxies and idle timeouts from closing a quiet stream.
const HEARTBEAT_MS = 15_000

/**
 * `/_mockcloud/events`: every state change as it commits, as server-sent
 * events, and the same on a WebSocket at `/_mockcloud/events/ws`. Both take
 * `?project=` and `?kind=` (vm, volume...) filters, and `?after=N` (on SSE
 * also `Last-Event-ID`) to replay what came after event N first, so a client
 * that reconnects misses nothing. `/_mockcloud/events/history` pages through
 * the same history as JSON. All read the engine's one history.
 */
export function registerEventRoutes(app: FastifyInstance): void {
  const { engine } = app.mockcloud
  const tags = ['control: events']
  // NOTE: open streams are ended before the server stops listening (preClose): close() waits for every connection, so ending them onClose would wait forever.
  const streams = new Set<() => void>()
  app.addHook('preClose', async () => {
    for (const end of streams) end()
  })

  const filterOf = (q: { project?: string | undefined; scope?: string | undefined; kind?: string | undefined }): EventFilter => {
    const kind = q.kind === undefined ? undefined : kindOf(engine.registry, q.kind)
    if (q.scope !== undefined) parseScope(q.scope)
    return { projects: q.project === undefined ? undefined : [q.project], within: q.scope, kinds: kind === undefined || kind === '*' ? undefined : [kind] }
  }
  const toWire = (e: EventRecord) => JSON.stringify(eventToWire(engine.registry, e))

  /**
   * Starts the watch before the stream is opened, so a bad filter or number is
   * a plain 400 or 410; the events that arrive meanwhile wait in `held`.
   */
  const startWatch = async (req: FastifyRequest) => {
    const q = req.query as Static<typeof EventsQuery>
    const held: EventRecord[] = []
    const stream: { send?: (e: EventRecord) => void; fail?: (err: unknown) => void } = {}
    const watch = await engine.history.watch(
      { afterSeq: q.after ?? lastEventId(req), filter: filterOf(q) },
      (e) => (stream.send ? stream.send(e) : held.push(e)),
      (err) => stream.fail?.(err),
    )
    const open = (send: (e: EventRecord) => void, fail: (err: unknown) => void) => {
      stream.send = send
      stream.fail = fail
      for (const e of held.splice(0)) send(e)
    }
    return { watch, open }
  }
  const watches = new WeakMap<FastifyRequest, Awaited<ReturnType<typeof startWatch>>>()
  const preHandler = async (req: FastifyRequest) => void watches.set(req, await startWatch(req))

  app.get('/events', { preHandler, schema: { tags, summary: 'State changes as server-sent events (text/event-stream)', querystring: EventsQuery } }, async (req, reply) => {
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
      (e) => res.write(`id: ${e.seq}\nevent: ${e.type}\ndata: ${toWire(e)}\n\n`),
      (err) => {
        res.write(`event: error\ndata: ${JSON.stringify({ message: err instanceof Error ? err.message : String(err) })}\n\n`)
        end()
      },
    )
  })

  app.get('/events/ws', { websocket: true, preHandler, schema: { tags, summary: 'State changes on a WebSocket, one JSON message each', querystring: EventsQuery } }, (socket, req) => {
    const { watch, open } = watches.get(req)!
    socket.on('close', () => watch.stop())
    // NOTE: closed while the watch started: no close event comes.
    if (socket.readyState !== socket.OPEN) watch.stop()
    open(
      (e) => socket.send(toWire(e)),
      (err) => socket.close(1011, (err instanceof Error ? err.message : String(err)).slice(0, 120)),
    )
  })

  app.get(
    '/events/history',
    { schema: { tags, summary: 'The kept history of state changes, oldest first, a page at a time', querystring: EventHistoryQuery, response: { 200: EventHistory } } },
    async (req) => {
      const q = req.query as Static<typeof EventHistoryQuery>
      const limit = q.limit ?? 100
      const events = await engine.history.replay(q.after ?? (await engine.history.position()).floor, filterOf(q), limit + 1)
      const { lastSeq, floor } = await engine.history.position()
      const page = events.slice(0, limit)
      return { items: page.map((e) => eventToWire(engine.registry, e)), last_seq: lastSeq, floor, next_after: events.length > limit ? page[page.length - 1]!.seq : null }
    },
  )
}

/** The number in an SSE client's `Last-Event-ID` header (sent when it reconnects), checked. */
function lastEventId(req: FastifyRequest): number | undefined {
  const raw = req.headers['last-event-id']
  if (raw === undefined || raw === '') return undefined
  const n = Number(raw)
  if (typeof raw !== 'string' || !/^\d{1,16}$/.test(raw) || !Number.isSafeInteger(n)) throw new ValidationError('Last-Event-ID', `Last-Event-ID: '${String(raw).slice(0, 40)}' is not an event number`)
  return n
}
