import { describe, expect, it } from 'vitest'
import { defaultRegistry } from './kinds/index.js'
import { Timing } from './timing.js'

const registry = defaultRegistry()

describe('Timing', () => {
  it('takes the profile from each kind declaration', () => {
    expect(new Timing(registry, 'fast').of('compute.server', 'create')).toEqual({ latency: { min: 1500, max: 2500 }, failureRate: 0 })
    expect(new Timing(registry, 'realistic').of('volume.volume', 'create')).toEqual({ latency: { min: 30_000, max: 60_000 }, failureRate: 0.1 })
    expect(new Timing(registry, 'instant').of('container.container', 'create').latency).toEqual({ min: 0, max: 0 })
  })

  it('applies overrides by kind name, with wildcards, most specific first', () => {
    const t = new Timing(registry, 'fast', ['*.*.latency=1s', '*.delete.latency=0', 'server.create.latency=30s..60s', 'vm.create.failureRate=0.25'])
    expect(t.of('compute.server', 'create')).toEqual({ latency: { min: 30_000, max: 60_000 }, failureRate: 0.25 })
    expect(t.of('volume.volume', 'delete').latency).toEqual({ min: 0, max: 0 })
    expect(t.of('volume.volume', 'attach').latency).toEqual({ min: 1_000, max: 1_000 })
  })

  it('explains a bad override', () => {
    expect(() => new Timing(registry, 'fast', ['vm.create.latency'])).toThrow(/not a timing setting/)
    expect(() => new Timing(registry, 'fast', ['boat.create.latency=1s'])).toThrow(/not a resource kind/)
    expect(() => new Timing(registry, 'fast', ['vm.fly.latency=1s'])).toThrow(/no operation 'fly'/)
    expect(() => new Timing(registry, 'fast', ['vm.create.failureRate=2'])).toThrow(/between 0 and 1/)
    expect(() => new Timing(registry, 'fast', ['vm.create.latency=60s..30s'])).toThrow(/ends before it starts/)
    expect(() => new Timing(registry, 'slow' as 'fast')).toThrow(/unknown profile/)
  })
})
