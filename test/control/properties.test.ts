import { afterAll, describe, it } from 'vitest'
import { checkBadInput, operationsOf, PROPERTY_RUNS, PROPERTY_SEED } from '../helpers/route-properties.js'
import { environment, testApp } from '../helpers/app.js'

/**
 * Property-based bad input over every control route, derived from the route
 * schemas in the OpenAPI document. The event streams are left out: they
 * answer a stream that never ends, not a body.
 */
const t = await testApp()
await t.app.ready()
const env = await environment(t)
const fault = (await t.call('POST', '/_mockcloud/faults', { kind: 'vm', operation: 'create', effect: { error: { status: 503 } }, count: 1 })).body.id
const ids = [env, String(fault)]
afterAll(() => t.close())

describe('bad input to the control face', () => {
  for (const op of operationsOf(t.app, '/_mockcloud/', (op) => op.path.startsWith('/_mockcloud/events'))) {
    it(`${op.method} ${op.path}: never a 5xx, every 4xx in the error shape naming the field, nothing half-written`, async () => {
      await checkBadInput(t.app, op, ids, { numRuns: PROPERTY_RUNS, seed: PROPERTY_SEED })
    })
  }
})
