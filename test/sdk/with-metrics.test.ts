import { Registry } from 'prom-client'
import { afterEach, describe, expect, it } from 'vitest'
import { EmbeddedInfraClient, NotFoundError, withMetrics, withResilience } from '../../src/sdk/index.js'

let inner: EmbeddedInfraClient | undefined
afterEach(async () => {
  await inner?.close()
  inner = undefined
})

describe('withMetrics', () => {
  it('counts calls by method and outcome and times them, per named client', async () => {
    inner = new EmbeddedInfraClient({ profile: 'instant', seed: 'm' })
    const registry = new Registry()
    const a = withMetrics(inner, { registry, name: 'a' })
    const b = withMetrics(inner, { registry, name: 'b' })
    const net = await a.createNetwork({ name: 'n' })
    await a.getNetwork(net.id)
    await expect(a.getNetwork('nope')).rejects.toBeInstanceOf(NotFoundError)
    await b.listNetworks()

    const text = await registry.metrics()
    expect(text).toMatch(/^infra_client_calls_total\{client="a",method="createNetwork",outcome="ok"\} 1$/m)
    expect(text).toMatch(/^infra_client_calls_total\{client="a",method="getNetwork",outcome="ok"\} 1$/m)
    expect(text).toMatch(/^infra_client_calls_total\{client="a",method="getNetwork",outcome="404"\} 1$/m)
    expect(text).toMatch(/^infra_client_calls_total\{client="b",method="listNetworks",outcome="ok"\} 1$/m)
    expect(text).toMatch(/^infra_client_call_duration_seconds_count\{client="a",method="getNetwork"\} 2$/m)
  })

  it('stacks with withResilience and leaves close alone', async () => {
    inner = new EmbeddedInfraClient({ profile: 'instant', seed: 'm' })
    const registry = new Registry()
    const client = withMetrics(withResilience(inner, { maxRetries: 1, initialDelayMs: 1 }), { registry })
    await client.createNetwork({ name: 'n' })
    expect(await registry.getSingleMetricAsString('infra_client_calls_total')).toContain('client="infra",method="createNetwork",outcome="ok"} 1')
    await client.close()
    await expect(inner.listNetworks()).rejects.toThrow(/closed/)
  })
})
