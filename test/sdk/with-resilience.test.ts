import { afterEach, describe, expect, it } from 'vitest'
import { ConflictError, HttpInfraClient, InjectedFaultError, NetworkError, NotFoundError, withResilience, CircuitOpenError } from '../../src/sdk/index.js'
import { startMockCloud, type MockCloud } from '../../src/testing/index.js'

let mc: MockCloud | undefined
afterEach(async () => {
  await mc?.stop()
  mc = undefined
})

const quick = { initialDelayMs: 1, maxDelayMs: 2 }

/** A fetch that fails (no answer) the next `failures` times, counting every call by method and path. */
function flakyFetch(failures: number) {
  const seen: string[] = []
  let left = failures
  const fetcher: typeof fetch = async (input, init) => {
    seen.push(`${init?.method ?? 'GET'} ${new URL(String(input)).pathname}`)
    if (left-- > 0) throw new TypeError('fetch failed: socket hang up')
    return fetch(input, init)
  }
  return { fetcher, seen }
}

describe('withResilience', () => {
  it('retries a create the server refused with 503 until it goes through', async () => {
    mc = await startMockCloud()
    await mc.faults.add({ kind: 'environment', operation: 'create', effect: { error: { status: 503, message: 'busy' } }, count: 2 })
    const client = withResilience(mc.client, quick)
    const net = await client.createNetwork({ name: 'n' })
    expect(net.name).toBe('n')
    expect((await mc.calls.list({ operation: 'environments.create' })).map((c) => c.status)).toEqual([503, 503, 201])
  })

  it('gives up after maxRetries with the last error, and never retries what cannot change (404, 409, 400)', async () => {
    mc = await startMockCloud()
    await mc.faults.add({ kind: 'environment', operation: 'create', effect: { error: { status: 500, message: 'down' } } })
    const client = withResilience(mc.client, { ...quick, maxRetries: 2, breaker: false })
    await expect(client.createNetwork({ name: 'n' })).rejects.toBeInstanceOf(InjectedFaultError)
    expect(await mc.calls.list({ operation: 'environments.create' })).toHaveLength(3)
    await mc.faults.clear()

    await expect(client.getNetwork('nope')).rejects.toBeInstanceOf(NotFoundError)
    expect(await mc.calls.list({ operation: 'environments.get' })).toHaveLength(1)
    const net = await client.createNetwork({ name: 'n' })
    await client.createInstance({ name: 'vm', networkId: net.id })
    await expect(client.deleteNetwork(net.id)).rejects.toBeInstanceOf(ConflictError)
    expect(await mc.calls.list({ operation: 'environments.delete' })).toHaveLength(1)
  })

  it('sends a read again after a lost answer, but not a create the server may have applied', async () => {
    mc = await startMockCloud()
    const net = await mc.client.createNetwork({ name: 'n' })
    const reads = flakyFetch(2)
    const reader = withResilience(new HttpInfraClient({ baseUrl: mc.url, fetch: reads.fetcher }), quick)
    expect((await reader.getNetwork(net.id)).id).toBe(net.id)
    expect(reads.seen).toEqual(Array(3).fill(`GET /api/v1/environments/${net.id}`))

    const writes = flakyFetch(1)
    const writer = withResilience(new HttpInfraClient({ baseUrl: mc.url, fetch: writes.fetcher }), quick)
    await expect(writer.createNetwork({ name: 'again' })).rejects.toBeInstanceOf(NetworkError)
    expect(writes.seen).toEqual(['POST /api/v1/environments'])
  })

  it('opens the circuit after repeated failures: later calls fail at once without reaching the server', async () => {
    mc = await startMockCloud()
    const calls = flakyFetch(1_000)
    const client = withResilience(new HttpInfraClient({ baseUrl: mc.url, fetch: calls.fetcher }), { ...quick, maxRetries: 1, breaker: { threshold: 2, halfOpenAfterMs: 60_000 } })
    for (let i = 0; i < 2; i++) await expect(client.listNetworks()).rejects.toBeInstanceOf(NetworkError)
    expect(calls.seen).toHaveLength(4)
    const open = await client.listNetworks().catch((e: unknown) => e)
    expect(open).toBeInstanceOf(CircuitOpenError)
    expect(open).toMatchObject({ status: 0, code: 'SDK_ERR_CIRCUIT_OPEN' })
    expect(calls.seen).toHaveLength(4)
  })
})
