import { afterEach, describe, expect, it } from 'vitest'
import { ConflictError, MockcloudError } from '../../src/sdk/errors.js'
import type { Instance } from '../../src/sdk/types.js'
import { InfraClientDouble } from '../../src/testing/index.js'

const doubles: InfraClientDouble[] = []
function double(...args: ConstructorParameters<typeof InfraClientDouble>): InfraClientDouble {
  const d = new InfraClientDouble(...args)
  doubles.push(d)
  return d
}
afterEach(async () => {
  await Promise.all(doubles.splice(0).map((d) => d.close()))
})

const conflict = () => new ConflictError('quota exceeded: instances', { status: 409, code: 'EMU_ERR_CONFLICT' })

describe('InfraClientDouble', () => {
  it('answers from a working instant cloud by default and records every call per method', async () => {
    const infra = double()
    const net = await infra.createNetwork({ name: 'n' })
    const vm = await infra.createInstance({ name: 'web-1', networkId: net.id })
    // NOTE: the instant profile: no wait, the instance is already active.
    expect((await infra.waitForInstanceStatus(vm.id, 'active', { timeoutMs: 1_000 })).id).toBe(vm.id)
    expect(infra.calls.createInstance).toEqual([[{ name: 'web-1', networkId: net.id }]])
    expect(infra.calls.waitForInstanceStatus[0]?.slice(0, 2)).toEqual([vm.id, 'active'])
    expect(infra.callCount('createNetwork')).toBe(1)
    expect(infra.callCount('deleteInstance')).toBe(0)
    expect(infra.callCount()).toBe(3)
  })

  it('fails a method on every call, or on the next N calls only, still recording them', async () => {
    const infra = double()
    infra.fail('createNetwork', conflict(), { times: 2 })
    await expect(infra.createNetwork({ name: 'a' })).rejects.toBeInstanceOf(ConflictError)
    await expect(infra.createNetwork({ name: 'b' })).rejects.toThrow('quota exceeded')
    expect((await infra.createNetwork({ name: 'c' })).name).toBe('c')
    expect(infra.calls.createNetwork.map(([req]) => req.name)).toEqual(['a', 'b', 'c'])

    infra.fail('listNetworks', new Error('connection refused'))
    for (let i = 0; i < 3; i++) await expect(infra.listNetworks()).rejects.toThrow('connection refused')
    infra.reset('listNetworks')
    expect((await infra.listNetworks()).items.map((n) => n.name)).toEqual(['c'])
    expect(() => infra.fail('getNetwork', conflict(), { times: 0 })).toThrow(RangeError)
  })

  it('runs a custom behaviour per method with the call arguments', async () => {
    const infra = double({ fallback: false })
    const fake = (id: string, status: Instance['status']): Instance => ({
      id, name: 'web', status, flavorId: '2', imageId: 'img', networkId: 'net', ipAddress: '10.0.0.5', securityGroupIds: [], keyName: null, metadata: {}, error: null, createdAt: '', updatedAt: '',
    })
    let polls = 0
    infra.behave('getInstance', async (id) => fake(id, ++polls < 3 ? 'building' : 'active'))
    expect((await infra.getInstance('vm-1')).status).toBe('building')
    expect((await infra.getInstance('vm-1')).status).toBe('building')
    expect((await infra.getInstance('vm-1')).status).toBe('active')
    expect(infra.calls.getInstance).toEqual([['vm-1'], ['vm-1'], ['vm-1']])

    // NOTE: an error set on a method wins over its behaviour; without a fallback an unset method says what to do.
    infra.fail('getInstance', conflict(), { times: 1 })
    await expect(infra.getInstance('vm-1')).rejects.toBeInstanceOf(ConflictError)
    await expect(infra.deleteInstance('vm-1')).rejects.toThrow("deleteInstance has no behaviour (set one with behave('deleteInstance', fn)")
    infra.reset()
    expect(infra.callCount()).toBe(0)
    await expect(infra.getInstance('vm-1')).rejects.toThrow('getInstance has no behaviour')
  })

  it('delegates to a fallback the test gives, and rejects after close', async () => {
    const inner = double()
    const infra = double({ fallback: inner })
    await infra.createNetwork({ name: 'through' })
    expect(inner.calls.createNetwork).toHaveLength(1)
    await infra.close()
    await expect(infra.listNetworks()).rejects.toBeInstanceOf(MockcloudError)
    // NOTE: a fallback the test gave stays open.
    expect((await inner.listNetworks()).items).toHaveLength(1)
  })
})
