import { Registry } from 'prom-client'
import { describe, expect, it } from 'vitest'
import { registerRequestMetrics } from './request-stats.js'

describe('request metrics', () => {
  it('count by status and bucket latencies as prom-client would, in text and JSON', async () => {
    const registry = new Registry()
    const route = registerRequestMetrics(registry)
    const get = route('native', 'vms.get')
    expect(route('native', 'vms.get')).toBe(get)
    get.observe(200, 0.0005)
    get.observe(200, 0.003)
    get.observe(404, 5)

    const text = await registry.metrics()
    expect(text).toContain('mockcloud_requests_total{face="native",operation="vms.get",status="200"} 2')
    expect(text).toContain('mockcloud_requests_total{face="native",operation="vms.get",status="404"} 1')
    expect(text).toContain('mockcloud_request_duration_seconds_bucket{le="0.0005",face="native",operation="vms.get"} 1')
    expect(text).toContain('mockcloud_request_duration_seconds_bucket{le="0.001",face="native",operation="vms.get"} 1')
    expect(text).toContain('mockcloud_request_duration_seconds_bucket{le="0.005",face="native",operation="vms.get"} 2')
    expect(text).toContain('mockcloud_request_duration_seconds_bucket{le="1",face="native",operation="vms.get"} 2')
    expect(text).toContain('mockcloud_request_duration_seconds_bucket{le="+Inf",face="native",operation="vms.get"} 3')
    expect(text).toContain('mockcloud_request_duration_seconds_sum{face="native",operation="vms.get"} 5.0035')
    expect(text).toContain('mockcloud_request_duration_seconds_count{face="native",operation="vms.get"} 3')

    const json = await registry.getMetricsAsJSON()
    const latency = json.find((m) => m.name === 'mockcloud_request_duration_seconds')!
    expect(latency.type).toBe('histogram')
    expect(latency.values[0]).toEqual({ labels: { le: 0.0005, face: 'native', operation: 'vms.get' }, value: 1, metricName: 'mockcloud_request_duration_seconds_bucket' })

    registry.resetMetrics()
    expect(await registry.metrics()).not.toContain('vms.get')
  })
})
