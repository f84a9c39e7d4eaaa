import type { FastifyInstance } from 'fastify'
import type { Static } from 'typebox'
import { checkQuotaLimits, quotaNameOf, quotaWireName, readQuotas, type QuotaName } from '../../engine/quotas.js'
import { QuotaLimitsBody, QuotaParams, Quotas } from './schemas.js'

/** `/_mockcloud/quotas/{project}`: a project's quotas with their usage; set or drop its own limits. */
export function registerQuotaRoutes(app: FastifyInstance): void {
  const { engine } = app.mockcloud
  const tags = ['control: quotas']
  const report = async (project: string): Promise<Static<typeof Quotas>> => {
    const quotas = await readQuotas(engine.registry, engine.store.read, engine.quotaDefaults, project)
    return { project, quotas: Object.fromEntries(Object.entries(quotas).map(([n, q]) => [quotaWireName(n as QuotaName), q])) }
  }

  app.get('/quotas/:project', { schema: { tags, summary: "A project's quotas: the limit in force and what it uses", params: QuotaParams, response: { 200: Quotas } } }, async (req) =>
    report((req.params as Static<typeof QuotaParams>).project),
  )

  app.put(
    '/quotas/:project',
    { schema: { tags, summary: "Set some of a project's limits (-1: none); the others keep theirs", params: QuotaParams, body: QuotaLimitsBody, response: { 200: Quotas } } },
    async (req) => {
      const { project } = req.params as Static<typeof QuotaParams>
      const given = Object.fromEntries(Object.entries(req.body as Record<string, number>).map(([w, v]) => [quotaNameOf(w), v]))
      const limits = checkQuotaLimits(given, 'quotas')
      await engine.store.transaction((q) => q.setQuotaLimits(project, (own) => ({ ...own, ...limits })))
      return report(project)
    },
  )

  app.delete('/quotas/:project', { schema: { tags, summary: "Drop a project's own limits: the defaults apply again", params: QuotaParams, response: { 200: Quotas } } }, async (req) => {
    const { project } = req.params as Static<typeof QuotaParams>
    await engine.store.transaction((q) => q.setQuotaLimits(project, () => ({})))
    return report(project)
  })
}
