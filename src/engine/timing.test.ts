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

  it("gives each phase its share of the operation's latency, or its own, and the failure rate to the failure phase", () => {
    const t = new Timing(registry, 'realistic', ['vm.create.block_device_mapping.latency=5s', 'vm.create.networking.failureRate=0.5'])
    expect(t.of('compute.server', 'create', 'scheduling')).toEqual({ latency: { min: 3_000, max: 6_000 }, failureRate: 0 })
    expect(t.of('compute.server', 'create', 'networking')).toEqual({ latency: { min: 6_000, max: 12_000 }, failureRate: 0.5 })
    expect(t.of('compute.server', 'create', 'block_device_mapping')).toEqual({ latency: { min: 5_000, max: 5_000 }, failureRate: 0 })
    expect(t.of('compute.server', 'create', 'spawning')).toEqual({ latency: { min: 18_000, max: 36_000 }, failureRate: 0.1 })
    expect(t.of('compute.server', 'create', null)).toEqual(t.of('compute.server', 'create'))
  })

  it('explains a bad phase override', () => {
    expect(() => new Timing(registry, 'fast', ['vm.create.booting.latency=1s'])).toThrow(/vm create has no phase 'booting' \(its phases are scheduling, networking/)
    expect(() => new Timing(registry, 'fast', ['volume.create.creating.latency=1s'])).toThrow(/it has no phases/)
    expect(() => new Timing(registry, 'fast', ['*.create.spawning.latency=1s'])).toThrow(/one kind and one operation/)
    expect(() => new Timing(registry, 'fast', ['vm.create.spawning.colour=1'])).toThrow(/not a timing property/)
    expect(() => new Timing(registry, 'fast', ['vm.create.a.b.latency=1s'])).toThrow(/not kind.operation.property/)
  })
})
