import type { AddressInfo } from 'node:net'
import type { FastifyInstance } from 'fastify'
import { Registry } from 'prom-client'
import { afterAll, describe, expect, it } from 'vitest'
import { ManualClock } from '../../src/clock/manual-clock.js'
import { buildApp } from '../../src/server/app.js'
import { ConflictError, EmbeddedPoolManagerClient, HttpPoolManagerClient, withMetrics, withResilience, type PoolManagerClient } from '../../src/sdk/index.js'
import { PoolManagerClientDouble } from '../../src/testing/index.js'
import { T0 } from '../helpers/app.js'
import { poolManagerContract, type PoolManagerHarness } from './pool-manager.contract.js'

const _http: (c: HttpPoolManagerClient) => PoolManagerClient = (c) => c
const _embedded: (c: EmbeddedPoolManagerClient) => PoolManagerClient = (c) => c
const _double: (c: PoolManagerClientDouble) => PoolManagerClient = (c) => c
void [_http, _embedded, _double]

/** One listening server per timing setting for the whole file (profile fast, manual clock); each contract test uses pools of its own. */
const servers = new Map<string, Promise<{ app: FastifyInstance; clock: ManualClock; baseUrl: string }>>()
afterAll(async () => {
  for (const s of servers.values()) await (await s).app.close()
})

function server(timing: string[] = [], profile: 'fast' | 'instant' = 'fast') {
  const key = `${profile}:${timing.join(',')}`
  let s = servers.get(key)
  if (!s) {
    s = (async () => {
      const clock = new ManualClock(T0)
      const app = await buildApp({ clock, db: ':memory:', seed: 'pool-contract', profile, timing })
      await app.listen({ port: 0, host: '127.0.0.1' })
      return { app, clock, baseUrl: `http://127.0.0.1:${(app.server.address() as AddressInfo).port}/pool-manager` }
    })()
    servers.set(key, s)
  }
  return s
}

/** A harness over one of the shared servers, its clients made by `make`. */
async function harness(timing: string[] | undefined, make: (s: Awaited<ReturnType<typeof server>>, apiKey?: string) => PoolManagerClient, wrap = (c: PoolManagerClient) => c): Promise<PoolManagerHarness> {
  const s = await server(timing)
  const clients: PoolManagerClient[] = []
  const made = (apiKey?: string) => {
    const c = make(s, apiKey)
    clients.push(c)
    return c
  }
  return {
    client: wrap(made()),
    clientWith: made,
    clock: true,
    async advance(ms) {
      await s.clock.advance(ms)
      await s.app.mockcloud.scheduler.idle()
    },
    async close() {
      for (const c of clients) await c.close()
    },
  }
}

const http = (s: { baseUrl: string }, apiKey?: string) => new HttpPoolManagerClient({ baseUrl: s.baseUrl, apiKey, pollIntervalMs: 5 })
const embedded = (s: { app: FastifyInstance }, apiKey?: string) => EmbeddedPoolManagerClient.fromApp(s.app, { apiKey, pollIntervalMs: 5 })

poolManagerContract('HttpPoolManagerClient', ({ timing }) => harness(timing, http))
poolManagerContract('EmbeddedPoolManagerClient', ({ timing }) => harness(timing, embedded))
poolManagerContract('PoolManagerClientDouble over a server', ({ timing }) => harness(timing, (s, apiKey) => new PoolManagerClientDouble({ fallback: embedded(s, apiKey) })))
poolManagerContract('withMetrics(withResilience(HttpPoolManagerClient))', ({ timing }) =>
  harness(timing, http, (c) => withMetrics(withResilience(c, { initialDelayMs: 1 }), { registry: new Registry(), name: 'pools', prefix: 'pool_client_' })),
)
// NOTE: the double's own default: an instant pool manager it cannot move the time of, so the tests that watch a pod between two states skip.
poolManagerContract(
  'PoolManagerClientDouble with an instant fallback',
  async () => {
    const own = new EmbeddedPoolManagerClient({ profile: 'instant', seed: 'double', pollIntervalMs: 5 })
    const app = await own.app()
    const extra: PoolManagerClient[] = []
    return {
      client: new PoolManagerClientDouble({ fallback: own }),
      clientWith(apiKey) {
        const c = EmbeddedPoolManagerClient.fromApp(app, { apiKey })
        extra.push(c)
        return c
      },
      clock: false,
      advance: async () => undefined,
      async close() {
        for (const c of extra) await c.close()
        await own.close()
      },
    }
  },
  { timing: false },
)

describe('PoolManagerClientDouble', () => {
  it('records calls, fails the next N, answers with a behaviour, and otherwise asks its fallback', async () => {
    const pools = new PoolManagerClientDouble()
    try {
      pools.fail('claimPod', new ConflictError('pool full', { status: 409, code: 'EMU_ERR_EXHAUSTED' }), { times: 1 })
      await expect(pools.claimPod('default-pool', 'w1')).rejects.toBeInstanceOf(ConflictError)
      const pod = await pools.claimPod('default-pool', 'w1')
      expect(pod).toMatchObject({ usage_status: 'used', claimedBy: 'w1', poolName: 'default-pool' })
      pools.behave('getPod', async (id) => ({ ...pod, id, usage_status: 'error' as const, error: 'crashed' }))
      expect(await pools.getPod('x')).toMatchObject({ id: 'x', usage_status: 'error' })
      expect(pools.calls.claimPod).toEqual([
        ['default-pool', 'w1'],
        ['default-pool', 'w1'],
      ])
      expect(pools.callCount()).toBe(3)
      pools.reset('claimPod')
      expect(pools.callCount('claimPod')).toBe(0)
    } finally {
      await pools.close()
    }
  })

  it('with fallback false, a call with no behaviour rejects naming the method', async () => {
    const pools = new PoolManagerClientDouble({ fallback: false })
    await expect(pools.getPool('p')).rejects.toThrow(/getPool has no behaviour/)
  })
})

describe('withMetrics on a PoolManagerClient', () => {
  it('counts each call by method and outcome', async () => {
    const s = await server()
    const registry = new Registry()
    const pools = withMetrics(http(s), { registry, name: 'pools', prefix: 'pool_client_' })
    await pools.getOrCreatePool('metered')
    await pools.getPod('nope').catch(() => undefined)
    const text = await registry.metrics()
    expect(text).toMatch(/pool_client_calls_total\{client="pools",method="getOrCreatePool",outcome="ok"\} 1/)
    expect(text).toMatch(/pool_client_calls_total\{client="pools",method="getPod",outcome="404"\} 1/)
  })
})
