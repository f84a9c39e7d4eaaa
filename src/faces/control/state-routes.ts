import type { FastifyInstance } from 'fastify'
import type { Static } from 'typebox'
import { exportSnapshot, importSnapshot, resetState, type Snapshot as EngineSnapshot } from '../../engine/state-control.js'
import { ValidationError } from '../../engine/errors.js'
import { ResetBody, ResetResult, Snapshot, SnapshotLoaded, SnapshotQuery } from './schemas.js'

/** `/_mockcloud/reset` and `/_mockcloud/snapshot`: forget state, or save and load all of it. */
export function registerStateRoutes(app: FastifyInstance): void {
  const { engine } = app.mockcloud
  const tags = ['control: state']

  app.post('/reset', { schema: { tags, summary: 'Forget every resource, fault rule and logged call (or the resources of one project or other scope); seeded flavors, images and the public network stay', body: ResetBody, response: { 200: ResetResult } } }, async (req) => {
    const body = req.body as Static<typeof ResetBody> | undefined
    if (body?.scope !== undefined && body.project !== undefined) throw new ValidationError('scope', 'scope: give project or scope, not both')
    const scope = body?.scope ?? body?.project
    const removed = await resetState(engine, { scope })
    // NOTE: a full reset is how a test starts over; it should not see the previous test's calls.
    if (scope === undefined) app.mockcloud.calls.clear()
    return { removed }
  })

  app.get(
    '/snapshot',
    { schema: { tags, summary: 'The whole state as JSON, pending transitions included, or (?scope=) that of one scope and those it holds', querystring: SnapshotQuery, response: { 200: Snapshot } } },
    async (req) => exportSnapshot(engine, { scope: (req.query as Static<typeof SnapshotQuery>).scope }),
  )

  app.post('/snapshot', { bodyLimit: 256 * 1024 * 1024, schema: { tags, summary: "Replace the whole state with a snapshot (a scope's snapshot: that scope's state only)", body: Snapshot, response: { 200: SnapshotLoaded } } }, async (req) =>
    importSnapshot(engine, req.body as EngineSnapshot),
  )
}
