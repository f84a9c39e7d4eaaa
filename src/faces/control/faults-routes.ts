import type { FastifyInstance } from 'fastify'
import type { Static } from 'typebox'
import { Type } from 'typebox'
import { NotFoundError } from '../../engine/errors.js'
import { addFault, toFault } from '../../engine/faults.js'
import { faultErrorToWire, faultRuleFromWire, faultToWire } from './mappers.js'
import { Fault, FaultIdParams, FaultRuleBody, List } from './schemas.js'

/** `/_mockcloud/faults`: fault rules, added and removed at run time; fired counts with each. */
export function registerFaultRoutes(app: FastifyInstance): void {
  const { engine } = app.mockcloud
  const tags = ['control: faults']

  app.get('/faults', { schema: { tags, summary: 'List fault rules and how often each fired', response: { 200: List(Fault) } } }, async () => ({
    items: (await engine.store.read.listFaults()).map((r) => faultToWire(engine.registry, toFault(r))),
  }))

  app.post('/faults', { schema: { tags, summary: 'Add a fault rule', body: FaultRuleBody, response: { 201: Fault } } }, async (req, reply) => {
    const rule = faultRuleFromWire(engine.registry, req.body as Static<typeof FaultRuleBody>)
    const fault = await engine.store.transaction((q) => addFault(q, engine.registry, rule, engine.clock.now())).catch((err: unknown) => {
      throw faultErrorToWire(err)
    })
    return reply.code(201).send(faultToWire(engine.registry, fault))
  })

  app.delete('/faults/:id', { schema: { tags, summary: 'Remove a fault rule', params: FaultIdParams, response: { 204: Type.Null() } } }, async (req, reply) => {
    const { id } = req.params as Static<typeof FaultIdParams>
    if (!(await engine.store.transaction((q) => q.deleteFault(id)))) throw new NotFoundError('fault rule', String(id))
    return reply.code(204).send()
  })

  app.delete('/faults', { schema: { tags, summary: 'Remove every fault rule', response: { 204: Type.Null() } } }, async (_req, reply) => {
    await engine.store.transaction((q) => q.clearFaults())
    return reply.code(204).send()
  })
}
