import type { AddressInfo } from 'node:net'
import type { FastifyInstance } from 'fastify'
import { afterAll, describe, expect, it } from 'vitest'
import { ManualClock } from '../../src/clock/manual-clock.js'
import { buildApp } from '../../src/server/app.js'
import { FetchTransport, HttpInfraClient, NetworkError, type InfraClient } from '../../src/sdk/index.js'
import { T0 } from '../helpers/app.js'
import { infraClientContract } from './infra-client.contract.js'

const _implements: (c: HttpInfraClient) => InfraClient = (c) => c
void _implements

/** One listening server per timing setting for the whole file; each contract test acts in tenants of its own (see embedded.test.ts). */
const servers = new Map<string, Promise<{ app: FastifyInstance; clock: ManualClock; baseUrl: string }>>()
let tenants = 0
afterAll(async () => {
  for (const s of servers.values()) await (await s).app.close()
})

async function server(timing: string[]) {
  const key = timing.join(',')
  let s = servers.get(key)
  if (!s) {
    s = (async () => {
      const clock = new ManualClock(T0)
      const app = await buildApp({ clock, db: ':memory:', seed: 'sdk-contract', profile: 'fast', timing })
      await app.listen({ port: 0, host: '127.0.0.1' })
      return { app, clock, baseUrl: `http://127.0.0.1:${(app.server.address() as AddressInfo).port}` }
    })()
    servers.set(key, s)
  }
  return s
}

infraClientContract('HttpInfraClient', async ({ timing }) => {
  const { app, clock, baseUrl } = await server(timing ?? [])
  const run = `run${++tenants}`
  const clients: InfraClient[] = []
  const make = (tenantId: string) => {
    const c = new HttpInfraClient({ baseUrl, tenantId, apiKey: 'contract-key' })
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

describe('HttpInfraClient', () => {
  it('accepts a base URL ending in /api/v1', async () => {
    const app = await buildApp({ clock: new ManualClock(T0), db: ':memory:', profile: 'instant', seed: 'x' })
    try {
      await app.listen({ port: 0, host: '127.0.0.1' })
      const port = (app.server.address() as AddressInfo).port
      const client = new HttpInfraClient({ baseUrl: `http://127.0.0.1:${port}/api/v1/` })
      expect((await client.createNetwork({ name: 'n' })).name).toBe('n')
    } finally {
      await app.close()
    }
  })

  it('a server that is not there is a NetworkError with status 0 and the cause', async () => {
    const app = await buildApp({ db: ':memory:', profile: 'instant', seed: 'x' })
    await app.listen({ port: 0, host: '127.0.0.1' })
    const port = (app.server.address() as AddressInfo).port
    await app.close() // NOTE: a port that was just free, so nothing answers there
    const client = new HttpInfraClient({ baseUrl: `http://127.0.0.1:${port}` })
    const err = await client.getInstance('x').catch((e: unknown) => e)
    expect(err).toBeInstanceOf(NetworkError)
    expect(err).toMatchObject({ status: 0, code: 'SDK_ERR_NETWORK' })
    expect((err as Error).cause).toBeInstanceOf(Error)
  })
})

interface Seen {
  url: string
  init: RequestInit
}

function recordingFetch(answer: () => Response, seen: Seen[]): typeof globalThis.fetch {
  return async (input, init) => {
    seen.push({ url: String(input), init: init ?? {} })
    return answer()
  }
}

describe('FetchTransport', () => {
  it('sends the tenant, the API key, and JSON only when there is a body', async () => {
    const seen: Seen[] = []
    const t = new FetchTransport({ baseUrl: 'http://mc:4600/', tenantId: 'team-a', apiKey: 'k1', fetch: recordingFetch(() => Response.json({ ok: true }), seen) })
    expect(await t.request('POST', '/api/v1/vms/x/stop')).toEqual({ status: 200, body: { ok: true } })
    await t.request('POST', '/api/v1/volumes', { name: 'v', size_gb: 1 })
    expect(seen[0]!.url).toBe('http://mc:4600/api/v1/vms/x/stop')
    expect(seen[0]!.init.headers).toEqual({ accept: 'application/json', 'x-project-id': 'team-a', authorization: 'Bearer k1' })
    expect(seen[0]!.init.body).toBeUndefined()
    expect(seen[1]!.init.headers).toMatchObject({ 'content-type': 'application/json' })
    expect(JSON.parse(String(seen[1]!.init.body))).toEqual({ name: 'v', size_gb: 1 })
  })

  it('sends neither header when neither is set, and drops a trailing /api/v1 from the base URL', async () => {
    const seen: Seen[] = []
    const t = new FetchTransport({ baseUrl: 'http://mc:4600/prefix/api/v1', fetch: recordingFetch(() => new Response(null, { status: 204 }), seen) })
    expect(await t.request('DELETE', '/api/v1/dns-records/d')).toEqual({ status: 204, body: undefined })
    expect(seen[0]!.url).toBe('http://mc:4600/prefix/api/v1/dns-records/d')
    expect(seen[0]!.init.headers).toEqual({ accept: 'application/json' })
  })

  it('keeps a body that is not JSON as text', async () => {
    const t = new FetchTransport({ baseUrl: 'http://mc', fetch: recordingFetch(() => new Response('Bad Gateway', { status: 502 }), []) })
    expect(await t.request('GET', '/api/v1/vms')).toEqual({ status: 502, body: 'Bad Gateway' })
  })

  it('turns a failed fetch into a NetworkError with the original as cause', async () => {
    const boom = new TypeError('fetch failed')
    const t = new FetchTransport({
      baseUrl: 'http://mc',
      fetch: async () => {
        throw boom
      },
    })
    const err = await t.request('GET', '/api/v1/vms').catch((e: unknown) => e)
    expect(err).toBeInstanceOf(NetworkError)
    expect(err).toMatchObject({ status: 0, code: 'SDK_ERR_NETWORK', cause: boom })
    expect((err as Error).message).toMatch(/GET http:\/\/mc\/api\/v1\/vms failed: fetch failed/)
  })
})
