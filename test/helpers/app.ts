import type { FastifyInstance, InjectOptions } from 'fastify'
import { ManualClock } from '../../src/clock/manual-clock.js'
import { QUOTA_NAMES, type QuotaLimits } from '../../src/engine/quotas.js'
import type { ProfileName } from '../../src/engine/timing.js'
import { buildApp } from '../../src/server/app.js'
import { freshDb } from './store.js'

export const T0 = Date.parse('2026-01-01T00:00:00.000Z')

export interface TestApp {
  app: FastifyInstance
  clock: ManualClock
  /** Sends a request and returns status and parsed JSON body (undefined when empty). */
  call<T = any>(method: string, url: string, body?: unknown, headers?: Record<string, string>): Promise<{ status: number; body: T }>
  /** Advances the manual clock and waits for every transition due by then. */
  advance(ms: number): Promise<void>
  close(): Promise<void>
}

/**
 * A whole mockcloud (HTTP -> engine -> SQLite) on a manual clock, driven with
 * `app.inject`: no socket, no sleeping. Each test gets its own.
 *
 * @example
 * const t = await testApp({ seed: '1' })
 * const env = await t.call('POST', '/api/v1/environments', { name: 'e' })
 */
/**
 * Tests of other rules make hundreds of resources in one project: without a
 * limit unless a test asks for one (quota tests pass `quotaDefaults: {}`,
 * OpenStack's defaults).
 */
export const NO_QUOTAS: QuotaLimits = Object.fromEntries(QUOTA_NAMES.map((n) => [n, -1]))

export async function testApp(
  opts: { seed?: string; profile?: ProfileName; db?: string; timing?: string[]; start?: number; publicCidr?: string; onTransitionError?: (err: unknown) => void; eventRetention?: number; quotaDefaults?: QuotaLimits } = {},
): Promise<TestApp> {
  const clock = new ManualClock(opts.start ?? T0)
  // NOTE: without a given db each app gets a fresh one of the run's store (SQLite or PostgreSQL).
  const own = opts.db === undefined ? freshDb() : undefined
  const app = await buildApp({ clock, seed: opts.seed ?? 'test', profile: opts.profile ?? 'fast', db: opts.db ?? own!.location, timing: opts.timing ?? [], publicCidr: opts.publicCidr, onTransitionError: opts.onTransitionError, eventRetention: opts.eventRetention, quotaDefaults: opts.quotaDefaults ?? NO_QUOTAS })
  if (own) app.addHook('onClose', () => own.drop())
  return {
    app,
    clock,
    async call(method, url, body, headers) {
      const req: InjectOptions = { method: method as InjectOptions['method'], url, headers: { ...headers } }
      if (body !== undefined) req.payload = body as InjectOptions['payload']
      const res = await app.inject(req)
      return { status: res.statusCode, body: res.body ? res.json() : (undefined as never) }
    },
    async advance(ms) {
      await clock.advance(ms)
      await app.mockcloud.scheduler.idle()
    },
    close: () => app.close(),
  }
}

/** Creates an environment and returns its id. */
export async function environment(t: TestApp, name = 'env', headers?: Record<string, string>): Promise<string> {
  const res = await t.call('POST', '/api/v1/environments', { name }, headers)
  if (res.status !== 201) throw new Error(`environment create failed: ${JSON.stringify(res.body)}`)
  return res.body.id
}
