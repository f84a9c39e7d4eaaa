import type { FastifyInstance } from 'fastify'
import type { Static } from 'typebox'
import type { EventFilter } from '../../engine/event-history.js'
import { parseScope } from '../../engine/scope.js'
import { registerEventStream } from '../../server/event-streams.js'
import { eventToWire, kindOf } from './mappers.js'
import { EventHistory, EventHistoryQuery, EventsQuery } from './schemas.js'

/**
 * `/_mockcloud/events`: every state change as it commits, as server-sent
 * events, and the same on a WebSocket at `/_mockcloud/events/ws`. Both take
 * `?project=`, `?scope=` and `?kind=` (vm, volume...) filters, and `?after=N` (on SSE
 * also `Last-Event-ID`) to replay what came after event N first, so a client
 * that reconnects misses nothing. `/_mockcloud/events/history` pages through
 * the same history as JSON. All read the engine's one history.
 */
export function registerEventRoutes(app: FastifyInstance): void {
  const { engine } = app.mockcloud
  const tags = ['control: events']

  const filterOf = (q: { project?: string | undefined; scope?: string | undefined; kind?: string | undefined }): EventFilter => {
    const kind = q.kind === undefined ? undefined : kindOf(engine.registry, q.kind)
    if (q.scope !== undefined) parseScope(q.scope)
    return { projects: q.project === undefined ? undefined : [q.project], within: q.scope, kinds: kind === undefined || kind === '*' ? undefined : [kind] }
  }

  registerEventStream(app, {
    path: '/events',
    tags,
    what: 'State changes',
    querystring: EventsQuery,
    async watchOf(req) {
      const q = req.query as Static<typeof EventsQuery>
      return { afterSeq: q.after, filter: filterOf(q) }
    },
    toWire: (e) => JSON.stringify(eventToWire(engine.registry, e)),
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
