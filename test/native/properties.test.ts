import { afterAll, describe, it } from 'vitest'
import { checkBadInput, operationsOf, PROPERTY_RUNS, PROPERTY_SEED } from '../helpers/route-properties.js'
import { environment, testApp } from '../helpers/app.js'

/**
 * Property-based bad input over every native route, derived from the route
 * schemas in the OpenAPI document: a route added later is covered too.
 */
const t = await testApp()
await t.app.ready()
const env = await environment(t)
const vm = (await t.call('POST', '/api/v1/vms', { name: 'vm', environment_id: env })).body.id as string
const volume = (await t.call('POST', '/api/v1/volumes', { name: 'v', size_gb: 1 })).body.id as string
const fip = (await t.call('POST', '/api/v1/floating-ips')).body.id as string
await t.advance(5_000)
const ids = [env, vm, volume, fip]
afterAll(() => t.close())

describe('bad input to the native API', () => {
  for (const op of operationsOf(t.app, '/api/v1/')) {
    it(`${op.method} ${op.path}: never a 5xx, every 4xx in the error shape naming the field, nothing half-written`, async () => {
      await checkBadInput(t.app, op, ids, { numRuns: PROPERTY_RUNS, seed: PROPERTY_SEED })
    })
  }
})
