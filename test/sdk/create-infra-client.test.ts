import { afterEach, describe, expect, it } from 'vitest'
import { ManualClock } from '../../src/clock/manual-clock.js'
import { createInfraClient, EmbeddedInfraClient, HttpInfraClient, InfraClientConfigError, type InfraClient } from '../../src/sdk/index.js'

const clients: InfraClient[] = []
afterEach(async () => {
  for (const c of clients.splice(0)) await c.close()
})

function create(...args: Parameters<typeof createInfraClient>): InfraClient {
  const c = createInfraClient(...args)
  clients.push(c)
  return c
}

/** A fetch that records the headers it was given and answers an empty list. */
function headersSeen(): { fetch: typeof globalThis.fetch; headers: Array<Record<string, string>>; urls: string[] } {
  const headers: Array<Record<string, string>> = []
  const urls: string[] = []
  return {
    headers,
    urls,
    fetch: async (input, init) => {
      urls.push(String(input))
      headers.push({ ...(init?.headers as Record<string, string>) })
      return Response.json({ items: [], next_cursor: null })
    },
  }
}

describe('createInfraClient', () => {
  it('with nothing set, gives the embedded mock', () => {
    expect(create({ env: {} })).toBeInstanceOf(EmbeddedInfraClient)
  })

  it('USE_MOCK_INFRA true/1/yes (any case, any spaces) gives the mock, even with a URL', () => {
    for (const v of ['true', '1', 'yes', 'TRUE', ' Yes ']) {
      expect(create({ env: { USE_MOCK_INFRA: v, INFRA_SERVICE_URL: 'http://mc:4600' } }), v).toBeInstanceOf(EmbeddedInfraClient)
    }
  })

  it('USE_MOCK_INFRA false/0/no gives HTTP to INFRA_SERVICE_URL with the key and tenant', async () => {
    for (const v of ['false', '0', 'no', 'False']) {
      const seen = headersSeen()
      const c = create({ env: { USE_MOCK_INFRA: v, INFRA_SERVICE_URL: 'http://mc:4600', INFRA_SERVICE_API_KEY: 'secret', INFRA_TENANT_ID: 'team-a' }, fetch: seen.fetch })
      expect(c, v).toBeInstanceOf(HttpInfraClient)
      await c.listNetworks()
      expect(seen.urls).toEqual(['http://mc:4600/api/v1/environments'])
      expect(seen.headers[0]).toMatchObject({ authorization: 'Bearer secret', 'x-project-id': 'team-a' })
    }
  })

  it('USE_MOCK_INFRA unset but INFRA_SERVICE_URL set gives HTTP', () => {
    expect(create({ env: { INFRA_SERVICE_URL: 'https://infra.example.com' } })).toBeInstanceOf(HttpInfraClient)
    expect(create({ env: { USE_MOCK_INFRA: '', INFRA_SERVICE_URL: 'https://infra.example.com' } })).toBeInstanceOf(HttpInfraClient)
  })

  it('options override the environment', async () => {
    const env = { USE_MOCK_INFRA: 'false', INFRA_SERVICE_URL: 'http://env:1', INFRA_SERVICE_API_KEY: 'env-key', INFRA_TENANT_ID: 'env-tenant' }
    expect(create({ env, useMock: true })).toBeInstanceOf(EmbeddedInfraClient)
    expect(create({ env: { USE_MOCK_INFRA: 'true' }, useMock: false, baseUrl: 'http://opt:2' })).toBeInstanceOf(HttpInfraClient)
    expect(create({ env: {}, baseUrl: 'http://opt:2' })).toBeInstanceOf(HttpInfraClient)

    const seen = headersSeen()
    await create({ env, baseUrl: 'http://opt:2', apiKey: 'opt-key', tenantId: 'opt-tenant', fetch: seen.fetch }).listVolumes()
    expect(seen.urls[0]).toMatch(/^http:\/\/opt:2\//)
    expect(seen.headers[0]).toMatchObject({ authorization: 'Bearer opt-key', 'x-project-id': 'opt-tenant' })
  })

  it('the mock acts in INFRA_TENANT_ID and takes embedded options', async () => {
    const clock = new ManualClock()
    const c = create({ env: { INFRA_TENANT_ID: 'team-z' }, embedded: { clock, profile: 'instant' } }) as EmbeddedInfraClient
    const net = await c.createNetwork({ name: 'n' })
    const app = await c.app()
    expect(app.mockcloud.clock).toBe(clock)
    const res = await app.inject({ method: 'GET', url: `/api/v1/environments/${net.id}`, headers: { 'x-project-id': 'team-z' } })
    expect(res.statusCode).toBe(200)
    expect((await app.inject({ method: 'GET', url: `/api/v1/environments/${net.id}` })).statusCode).toBe(404)
  })

  it('throws an InfraClientConfigError naming the setting when they do not add up', () => {
    const cases: Array<[Parameters<typeof createInfraClient>[0], string, RegExp]> = [
      [{ env: {}, useMock: false }, 'INFRA_SERVICE_URL', /useMock is false.*INFRA_SERVICE_URL/],
      [{ env: { USE_MOCK_INFRA: 'no' } }, 'INFRA_SERVICE_URL', /USE_MOCK_INFRA is 'no'.*INFRA_SERVICE_URL/],
      [{ env: { USE_MOCK_INFRA: 'maybe' } }, 'USE_MOCK_INFRA', /USE_MOCK_INFRA='maybe' is not a boolean/],
      [{ env: { INFRA_SERVICE_URL: 'not a url' } }, 'INFRA_SERVICE_URL', /INFRA_SERVICE_URL='not a url' is not a URL/],
      [{ env: { INFRA_SERVICE_URL: 'ftp://mc' } }, 'INFRA_SERVICE_URL', /must be an http/],
      [{ env: {}, useMock: false, baseUrl: 'mc:4600:x' }, 'baseUrl', /baseUrl='mc:4600:x'/],
    ]
    for (const [opts, setting, message] of cases) {
      let err: unknown
      try {
        create(opts)
      } catch (e) {
        err = e
      }
      expect(err, JSON.stringify(opts)).toBeInstanceOf(InfraClientConfigError)
      expect(err).toMatchObject({ setting })
      expect((err as Error).message).toMatch(message)
    }
  })

  it('reads process.env when no env is given', () => {
    const saved = { ...process.env }
    try {
      process.env['USE_MOCK_INFRA'] = 'false'
      process.env['INFRA_SERVICE_URL'] = 'http://from-process-env:4600'
      expect(create()).toBeInstanceOf(HttpInfraClient)
    } finally {
      for (const k of ['USE_MOCK_INFRA', 'INFRA_SERVICE_URL']) {
        if (saved[k] === undefined) delete process.env[k]
        else process.env[k] = saved[k]
      }
    }
  })
})
