import type {} from '@fastify/websocket'
import type { FastifyInstance, FastifyRequest } from 'fastify'
import type { Static } from 'typebox'
import type { EventRecord } from '../../store/records.js'
import { eventToWire, kindOf } from './mappers.js'
import { EventsQuery } from './schemas.js'

// NOTE: a comment line now and then keeps proxies and idle timeouts from closing a quiet stream.
const HEARTBEAT_MS = 15_000

/**
 * `/_mockcloud/events`: every state change as it commits, as server-sent
 * events, and the same on a WebSocket at `/_mockcloud/events/ws`. Both take
 * `?project=` and `?kind=` (vm, volume...) filters.
 */
export function registerEventRoutes(app: FastifyInstance): void {
  const { engine } = app.mockcloud
  const tags = ['control: events']
  // NOTE: open streams are ended before the server stops listening (preClose): close() waits for every connection, so ending them onClose would wait forever.
  const streams = new Set<() => void>()
  app.addHook('preClose', async () => {
    for (const end of streams) end()
  })

  const filterOf = (q: Static<typeof EventsQuery>) => {
    const kind = q.kind === undefined ? undefined : kindOf(engine.registry, q.kind)
    return (e: EventRecord) => (q.project === undefined || e.project === q.project) && (kind === undefined || kind === '*' || e.kind === kind)
  }
  // NOTE: checked before the handler: a WebSocket handler runs after the upgrade, too late to answer 400.
  const checkFilters = async (req: FastifyRequest) => void filterOf(req.query as Static<typeof EventsQuery>)

  app.get('/events', { preHandler: checkFilters, schema: { tags, summary: 'State changes as server-sent events (text/event-stream)', querystring: EventsQuery } }, async (req, reply) => {
    const wanted = filterOf(req.query as Static<typeof EventsQuery>)
    reply.hijack()
    const res = reply.raw
    res.writeHead(200, { 'content-type': 'text/event-stream', 'cache-control': 'no-cache', connection: 'keep-alive', 'x-accel-buffering': 'no' })
    res.write(': mockcloud events\n\n')
    const off = engine.bus.subscribe((e) => {
      if (wanted(e)) res.write(`id: ${e.seq}\nevent: ${e.type}\ndata: ${JSON.stringify(eventToWire(engine.registry, e))}\n\n`)
    })
    const beat = setInterval(() => res.write(': keep-alive\n\n'), HEARTBEAT_MS)
    beat.unref()
    // NOTE: runs once, whether the client went first or the server is closing (then the response's close calls it again).
    const end = () => {
      if (!streams.delete(end)) return
      clearInterval(beat)
      off()
      res.end()
    }
    streams.add(end)
    // NOTE: the response's close, not the request's: a request also closes once it is read, the response only when the client goes.
    res.once('close', end)
  })

  app.get('/events/ws', { websocket: true, preHandler: checkFilters, schema: { tags, summary: 'State changes on a WebSocket, one JSON message each', querystring: EventsQuery } }, (socket, req) => {
    const wanted = filterOf(req.query as Static<typeof EventsQuery>)
    const off = engine.bus.subscribe((e) => {
      if (wanted(e)) socket.send(JSON.stringify(eventToWire(engine.registry, e)))
    })
    socket.on('close', off)
  })
}
