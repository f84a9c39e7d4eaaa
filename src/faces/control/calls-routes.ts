import type { FastifyInstance } from 'fastify'
import { Type, type Static } from 'typebox'
import { Call, CallsQuery, List } from './schemas.js'

/** `/_mockcloud/calls`: what the faces answered, filterable, for assertions. */
export function registerCallRoutes(app: FastifyInstance): void {
  const { calls } = app.mockcloud
  const tags = ['control: calls']

  app.get('/calls', { schema: { tags, summary: 'The call log (oldest first)', querystring: CallsQuery, response: { 200: List(Call) } } }, async (req) => ({
    items: calls.list(req.query as Static<typeof CallsQuery>),
  }))

  app.delete('/calls', { schema: { tags, summary: 'Empty the call log', response: { 204: Type.Null() } } }, async (_req, reply) => {
    calls.clear()
    return reply.code(204).send()
  })
}
