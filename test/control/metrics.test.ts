import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { SEEDED_FLAVORS } from '../../src/engine/kinds/flavor.kind.js'
import { SEEDED_IMAGES } from '../../src/engine/kinds/image.kind.js'
import { environment, testApp, type TestApp } from '../helpers/app.js'

let t: TestApp
beforeEach(async () => {
  t = await testApp({ timing: ['vm.create.latency=2s'] })
})
afterEach(() => t.close())

interface Sample {
  name: string
  labels: Record<string, string>
  value: number
}

/** Scrapes /metrics and parses the Prometheus text format into samples. */
async function scrape(): Promise<Sample[]> {
  const res = await t.app.inject({ method: 'GET', url: '/metrics' })
  expect(res.statusCode).toBe(200)
  expect(res.headers['content-type']).toMatch(/^text\/plain; version=0\.0\.4/)
  const samples: Sample[] = []
  for (const line of res.body.split('\n')) {
    if (!line || line.startsWith('#')) continue
    const m = /^([a-zA-Z_:][\w:]*)(?:\{(.*)\})? (\S+)$/.exec(line)
    if (!m) throw new Error(`not a sample line: ${line}`)
    const labels: Record<string, string> = {}
    for (const l of (m[2] ?? '').matchAll(/(\w+)="((?:[^"\\]|\\.)*)"/g)) labels[l[1]!] = l[2]!
    samples.push({ name: m[1]!, labels, value: Number(m[3]) })
  }
  return samples
}

/** The value of the one sample with exactly these labels, or undefined when there is none. */
function value(samples: Sample[], name: string, labels: Record<string, string> = {}): number | undefined {
  const found = samples.filter((s) => s.name === name && JSON.stringify(Object.entries(s.labels).sort()) === JSON.stringify(Object.entries(labels).sort()))
  expect(found.length, `${name} ${JSON.stringify(labels)}`).toBeLessThanOrEqual(1)
  return found[0]?.value
}

describe('GET /metrics', () => {
  it('counts requests by face, operation and status, with latency histograms; control calls are not counted', async () => {
    const env = await environment(t)
    await t.call('POST', '/api/v1/vms', { name: 'a' })
    const { body: vm } = await t.call('POST', '/api/v1/vms', { name: 'a', environment_id: env })
    await t.call('GET', `/api/v1/vms/${vm.id}`)
    await t.call('GET', '/api/v1/vms/missing')
    await t.call('GET', '/_mockcloud/faults')
    await t.call('GET', '/health')
    const m = await scrape()

    const requests = m.filter((s) => s.name === 'mockcloud_requests_total')
    expect(requests.map((s) => [s.labels['face'], s.labels['operation'], s.labels['status'], s.value]).sort()).toEqual(
      [
        ['native', 'environments.create', '201', 1],
        ['native', 'vms.create', '202', 1],
        ['native', 'vms.create', '400', 1],
        ['native', 'vms.get', '200', 1],
        ['native', 'vms.get', '404', 1],
      ].sort(),
    )

    const h = { face: 'native', operation: 'vms.create' }
    expect(value(m, 'mockcloud_request_duration_seconds_count', h)).toBe(2)
    expect(value(m, 'mockcloud_request_duration_seconds_bucket', { ...h, le: '+Inf' })).toBe(2)
    const buckets = m.filter((s) => s.name === 'mockcloud_request_duration_seconds_bucket' && s.labels['operation'] === 'vms.create')
    expect(buckets.map((b) => b.labels['le'])).toEqual(['0.0005', '0.001', '0.0025', '0.005', '0.01', '0.025', '0.05', '0.1', '0.25', '1', '+Inf'])
    expect(buckets.map((b) => b.value)).toEqual([...buckets.map((b) => b.value)].sort((a, b) => a - b))
    expect(value(m, 'mockcloud_request_duration_seconds_sum', h)).toBeGreaterThan(0)
  })

  it('reports resources by kind and status, pending transitions and state changes, as they move', async () => {
    const env = await environment(t)
    await t.call('POST', '/api/v1/vms', { name: 'a', environment_id: env })
    await t.call('POST', '/api/v1/vms', { name: 'b', environment_id: env })
    let m = await scrape()
    expect(value(m, 'mockcloud_resources', { kind: 'vm', status: 'building' })).toBe(2)
    expect(value(m, 'mockcloud_resources', { kind: 'vm', status: 'active' })).toBeUndefined()
    expect(value(m, 'mockcloud_resources', { kind: 'flavor', status: 'active' })).toBe(SEEDED_FLAVORS.length)
    expect(value(m, 'mockcloud_resources', { kind: 'image', status: 'active' })).toBe(SEEDED_IMAGES.length)
    // The seeded public network and this one.
    expect(value(m, 'mockcloud_resources', { kind: 'environment', status: 'active' })).toBe(2)
    expect(value(m, 'mockcloud_transitions_pending')).toBe(2)
    expect(value(m, 'mockcloud_state_changes_total', { kind: 'vm', type: 'created', status: 'building' })).toBe(2)

    await t.advance(2_000)
    m = await scrape()
    expect(value(m, 'mockcloud_resources', { kind: 'vm', status: 'active' })).toBe(2)
    expect(value(m, 'mockcloud_resources', { kind: 'vm', status: 'building' })).toBeUndefined()
    expect(value(m, 'mockcloud_transitions_pending')).toBe(0)
    expect(value(m, 'mockcloud_state_changes_total', { kind: 'vm', type: 'changed', status: 'active' })).toBe(2)
  })

  it('reports how often each fault rule fired, and drops removed rules', async () => {
    await t.call('POST', '/_mockcloud/faults', { kind: 'environment', operation: 'create', effect: { error: { status: 503, message: 'no' } }, count: 2 })
    await t.call('POST', '/_mockcloud/faults', { kind: '*', operation: 'delete', effect: { latency_ms: 0 } })
    for (let i = 0; i < 3; i++) await t.call('POST', '/api/v1/environments', { name: `e${i}` })
    let m = await scrape()
    expect(value(m, 'mockcloud_faults_fired', { fault: '1', kind: 'environment', operation: 'create' })).toBe(2)
    expect(value(m, 'mockcloud_faults_fired', { fault: '2', kind: '*', operation: 'delete' })).toBe(0)
    expect(value(m, 'mockcloud_requests_total', { face: 'native', operation: 'environments.create', status: '503' })).toBe(2)
    await t.call('DELETE', '/_mockcloud/faults/1')
    m = await scrape()
    expect(value(m, 'mockcloud_faults_fired', { fault: '1', kind: 'environment', operation: 'create' })).toBeUndefined()
  })

  it('reports each pool: its pods by status, size, capacity, claims granted, and claims refused as 409 requests', async () => {
    await t.call('POST', '/pool-manager/pools', { name: 'm1', size: 2, capacity: 3 })
    await t.call('POST', '/pool-manager/pools', { name: 'm2', size: 1 })
    let m = await scrape()
    expect(value(m, 'mockcloud_pool_pods', { pool: 'm1', status: 'provisioning' })).toBe(2)
    expect(value(m, 'mockcloud_pool_size', { pool: 'm1' })).toBe(2)
    expect(value(m, 'mockcloud_pool_capacity', { pool: 'm1' })).toBe(3)
    expect(value(m, 'mockcloud_pool_size', { pool: 'm2' })).toBe(1)
    await t.advance(3_000)
    for (const w of ['a', 'b', 'c', 'd']) await t.call('GET', `/pool-manager/pools/m1/workspace?workspaceId=${w}`)
    await t.advance(3_000)
    m = await scrape()
    expect(value(m, 'mockcloud_pool_pods', { pool: 'm1', status: 'used' })).toBe(3)
    expect(value(m, 'mockcloud_pool_pods', { pool: 'm1', status: 'free' })).toBeUndefined()
    expect(value(m, 'mockcloud_pool_pods', { pool: 'm2', status: 'free' })).toBe(1)
    expect(value(m, 'mockcloud_pool_claims_total', { pool: 'm1' })).toBe(3)
    // NOTE: claims served by pods made on demand count too.
    await t.call('POST', '/pool-manager/pools', { name: 'm3', size: 0 })
    for (const w of ['a', 'b']) await t.call('GET', `/pool-manager/pools/m3/workspace?workspaceId=${w}`)
    expect(value(await scrape(), 'mockcloud_pool_claims_total', { pool: 'm3' })).toBe(2)
    expect(value(m, 'mockcloud_requests_total', { face: 'pool-manager', operation: 'workspace.claim', status: '409' })).toBe(1)
  })

  it('each server counts its own requests', async () => {
    const other = await testApp()
    try {
      await environment(other)
      await environment(other, 'two')
      await environment(t)
      const m = await scrape()
      expect(value(m, 'mockcloud_requests_total', { face: 'native', operation: 'environments.create', status: '201' })).toBe(1)
    } finally {
      await other.close()
    }
  })
})
