import { afterEach, describe, expect, it } from 'vitest'
import { environment, testApp, type TestApp } from '../helpers/app.js'

let t: TestApp
afterEach(() => t?.close())

describe('neutral words in the engine, the native API’s own on the wire', () => {
  it('the engine says server and network; the native API says vm and environment, and leaves other uses of the words alone', async () => {
    t = await testApp({ seed: 'words' })
    const engine = t.app.mockcloud.engine
    const env = await environment(t)
    const vm = (await t.call('POST', '/api/v1/vms', { name: 'web', environment_id: env })).body as { id: string }

    // the engine, in its own words
    await expect(engine.act('default', 'compute.server', vm.id, 'stop')).rejects.toMatchObject({ message: `cannot stop server ${vm.id} while it is building (it must be active)` })
    await expect(engine.delete('default', 'network.network', env)).rejects.toMatchObject({ message: `network ${env} still has 1 server(s) (${vm.id}); delete them first` })
    await expect(engine.get('default', 'compute.server', 'nope')).rejects.toMatchObject({ message: 'server nope not found' })

    // the native API, in seed 002's
    expect((await t.call('POST', `/api/v1/vms/${vm.id}/stop`)).body.error.message).toBe(`cannot stop vm ${vm.id} while it is building (it must be active)`)
    expect((await t.call('DELETE', `/api/v1/environments/${env}`)).body.error.message).toBe(`environment ${env} still has 1 VM(s) (${vm.id}); delete them first`)
    expect((await t.call('GET', '/api/v1/vms/nope')).body.error.message).toBe('vm nope not found')
    expect((await t.call('POST', '/api/v1/vms', { name: 'x', environment_id: 'nope' })).body.error.message).toBe("environment_id: no environment with id 'nope'")
    // "network" as a word, not the kind, stays
    expect((await t.call('POST', '/api/v1/environments', { name: 'bad', cidr: '10.0.0.1/16' })).body.error.message).toMatch(/^cidr: '10.0.0.1\/16' is not an IPv4 network from/)
  })
})
