import type { FastifyInstance } from 'fastify'
import { afterAll, afterEach, describe, expect, it, vi } from 'vitest'
import { ManualClock } from '../../src/clock/manual-clock.js'
import { buildApp } from '../../src/server/app.js'
import { EmbeddedInfraClient, type InfraClient } from '../../src/sdk/index.js'
import { T0 } from '../helpers/app.js'
import { infraClientContract } from './infra-client.contract.js'

// NOTE: type-level guard: the class keeps implementing the interface.
const _implements: (c: EmbeddedInfraClient) => InfraClient = (c) => c
void _implements

/**
 * One server per timing setting for the whole file, built by an
 * EmbeddedInfraClient (its lazy build included); each contract test gets
 * clients of a tenant of its own, which see nothing of the others'.
 * NOTE: building a server per test would cost ~40 ms each for nothing the tenants do not already isolate.
 */
const servers = new Map<string, Promise<{ owner: EmbeddedInfraClient; app: FastifyInstance; clock: ManualClock }>>()
let tenants = 0
afterAll(async () => {
  for (const s of servers.values()) await (await s).owner.close()
})

async function server(timing: string[]) {
  const key = timing.join(',')
  let s = servers.get(key)
  if (!s) {
    const clock = new ManualClock(T0)
    const owner = new EmbeddedInfraClient({ clock, seed: 'sdk-contract', profile: 'fast', timing })
    s = owner.app().then((app) => ({ owner, app, clock }))
    servers.set(key, s)
  }
  return s
}

infraClientContract('EmbeddedInfraClient', async ({ timing }) => {
  const { app, clock } = await server(timing ?? [])
  const run = `run${++tenants}`
  const clients: InfraClient[] = []
  const make = (tenantId: string) => {
    const c = EmbeddedInfraClient.fromApp(app, { tenantId })
    clients.push(c)
    return c
  }
  return {
    client: make(run),
    clientFor: (tenantId) => make(`${run}-${tenantId}`),
    async advance(ms) {
      await clock.advance(ms)
      await app.mockcloud.scheduler.idle()
    },
    async close() {
      for (const c of clients) await c.close()
    },
  }
})

describe('EmbeddedInfraClient', () => {
  const toClose: Array<{ close(): Promise<void> }> = []
  afterEach(async () => {
    for (const c of toClose.splice(0).reverse()) await c.close()
  })

  it('builds its server on the first call, once, and closes it on close()', async () => {
    const client = new EmbeddedInfraClient({ clock: new ManualClock(T0), profile: 'instant' })
    const [a, b] = await Promise.all([client.createNetwork({ name: 'a' }), client.createNetwork({ name: 'b' })])
    expect((await client.listNetworks()).items.map((n) => n.id).sort()).toEqual([a.id, b.id].sort())
    const app = await client.app()
    const close = vi.spyOn(app, 'close')
    await client.close()
    expect(close).toHaveBeenCalledOnce()
    await client.close() // twice is fine
  })

  it('close() before any call builds nothing', async () => {
    const client = new EmbeddedInfraClient()
    await client.close()
    await expect(client.listNetworks()).rejects.toMatchObject({ code: 'SDK_ERR_CLOSED' })
  })

  it('rejects the first call with the server’s error when an option is bad', async () => {
    const client = new EmbeddedInfraClient({ timing: ['vm.create.latency=soon'] })
    toClose.push(client)
    await expect(client.listNetworks()).rejects.toThrow(/latency|soon/)
  })

  it('fromApp serves an app the caller owns: close() leaves it running', async () => {
    const app = await buildApp({ clock: new ManualClock(T0), db: ':memory:', profile: 'instant', seed: 'x' })
    toClose.push(app)
    const teamA = EmbeddedInfraClient.fromApp(app, { tenantId: 'team-a' })
    const net = await teamA.createNetwork({ name: 'n' })
    await teamA.close()
    const again = EmbeddedInfraClient.fromApp(app, { tenantId: 'team-a' })
    expect((await again.getNetwork(net.id)).name).toBe('n')
    const res = await app.inject({ method: 'GET', url: '/api/v1/environments', headers: { 'x-project-id': 'team-a' } })
    expect(res.json().items).toHaveLength(1)
  })

  it('the instant profile answers create with the instance already active', async () => {
    const client = new EmbeddedInfraClient({ profile: 'instant' })
    toClose.push(client)
    const net = await client.createNetwork({ name: 'n' })
    expect((await client.createInstance({ name: 'a', networkId: net.id })).status).toBe('active')
  })
})
