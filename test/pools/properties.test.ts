import { afterAll, describe, it } from 'vitest'
import { testApp } from '../helpers/app.js'
import { checkBadInput, checkBadStreamInput, operationsOf, PROPERTY_RUNS, PROPERTY_SEED } from '../helpers/route-properties.js'

/**
 * Property-based bad input over every pool-manager route, derived from the
 * route schemas in the OpenAPI document, with the face's own error body
 * (`{ success: false, error, code, field }`) read into the common checks.
 */
const t = await testApp()
await t.app.ready()
const base = await t.app.listen({ port: 0, host: '127.0.0.1' })
const claimed = (await t.call('GET', '/pool-manager/pools/default-pool/workspace?workspaceId=w1')).body.workspace
const ids = ['default-pool', claimed.id]
// NOTE: a pool of its own, which the pool manager's checks (they delete default-pool) leave alone, its pod provisioned: a pod down is a designed 503.
const standIn = (await t.call('GET', '/pool-manager/pools/stand-ins/workspace?workspaceId=w1')).body.workspace
await t.advance(3_000)
afterAll(() => t.close())

/** The face's error body as the checks read it (its status is the reply's). */
function errorOf(body: unknown, status: number) {
  const b = body as { success?: unknown; error?: unknown; code?: unknown; field?: unknown }
  return b.success === false ? { status, code: b.code, message: b.error, field: b.field } : undefined
}

describe('bad input to the pool manager', () => {
  // NOTE: a stream that opens never ends: the SSE route is checked over a socket below; its WebSocket twin, in pool-events.test.ts.
  for (const op of operationsOf(t.app, '/pool-manager/', (op) => op.path.endsWith('/events') || op.path.endsWith('/events/ws'))) {
    it(`${op.method} ${op.path}: never a 5xx, every 4xx in its error shape naming the field, nothing half-written`, async () => {
      await checkBadInput(t.app, op, ids, { numRuns: PROPERTY_RUNS, seed: PROPERTY_SEED, errorOf })
    })
  }
})

describe("bad input to a pool's event stream", () => {
  for (const op of operationsOf(t.app, '/pool-manager/', (op) => !op.path.endsWith('/events'))) {
    it(`${op.method} ${op.path}: never a 5xx, every 4xx in its error shape naming the field, nothing half-written`, async () => {
      await checkBadStreamInput(t.app, base, op, ids, { numRuns: PROPERTY_RUNS, seed: PROPERTY_SEED, errorOf })
    })
  }
})

describe('bad input to the pod stand-ins', () => {
  // NOTE: the stand-ins answer in the native error shape (the checks' default).
  for (const op of operationsOf(t.app, '/pods/')) {
    it(`${op.method} ${op.path}: never a 5xx, every 4xx in the error shape naming the field, nothing half-written`, async () => {
      await checkBadInput(t.app, op, [standIn.id], { numRuns: PROPERTY_RUNS, seed: PROPERTY_SEED })
    })
  }
})

