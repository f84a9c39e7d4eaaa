import { afterEach, describe, expect, it } from 'vitest'
import { createPoolManagerClient, EmbeddedPoolManagerClient, HttpPoolManagerClient, InfraClientConfigError, type PoolManagerClient } from '../../src/sdk/index.js'

const clients: PoolManagerClient[] = []
afterEach(async () => {
  for (const c of clients.splice(0)) await c.close()
})
function create(...args: Parameters<typeof createPoolManagerClient>): PoolManagerClient {
  const c = createPoolManagerClient(...args)
  clients.push(c)
  return c
}

describe('createPoolManagerClient', () => {
  it("follows seed 004's USE_MOCKS: the embedded pool manager when true or when no URL is set, HTTP otherwise", () => {
    expect(create({ env: {} })).toBeInstanceOf(EmbeddedPoolManagerClient)
    expect(create({ env: { USE_MOCKS: 'true', POOL_MANAGER_URL: 'http://pm:4600/pool-manager' } })).toBeInstanceOf(EmbeddedPoolManagerClient)
    expect(create({ env: { POOL_MANAGER_URL: 'http://pm:4600/pool-manager' } })).toBeInstanceOf(HttpPoolManagerClient)
    expect(create({ env: { USE_MOCKS: 'true' }, useMock: false, baseUrl: 'https://pools.example.com' })).toBeInstanceOf(HttpPoolManagerClient)
  })

  it('sends the key and calls the URL it was given', async () => {
    const seen: Array<{ url: string; auth: string | undefined }> = []
    const fetch: typeof globalThis.fetch = async (input, init) => {
      seen.push({ url: String(input), auth: (init?.headers as Record<string, string>)['authorization'] })
      return Response.json({ success: true, pool: { name: 'p' } })
    }
    const c = create({ env: { USE_MOCKS: 'no', POOL_MANAGER_URL: 'https://pools.example.com/api/', POOL_MANAGER_API_KEY: 'k1' }, fetch })
    await c.getPool('p')
    expect(seen).toEqual([{ url: 'https://pools.example.com/api/pools/p', auth: 'Bearer k1' }])
  })

  it('names the setting that does not add up', () => {
    const refused = (opts: Parameters<typeof createPoolManagerClient>[0]) => {
      try {
        create(opts)
      } catch (e) {
        return e
      }
      return undefined
    }
    expect(refused({ env: { USE_MOCKS: 'false' } })).toMatchObject({ setting: 'POOL_MANAGER_URL' })
    expect(refused({ env: { USE_MOCKS: 'maybe' } })).toMatchObject({ setting: 'USE_MOCKS', message: expect.stringMatching(/not a boolean/) })
    expect(refused({ env: { POOL_MANAGER_URL: 'not a url' } })).toBeInstanceOf(InfraClientConfigError)
  })
})
