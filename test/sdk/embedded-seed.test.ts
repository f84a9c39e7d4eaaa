import { afterEach, describe, expect, it } from 'vitest'
import { ManualClock } from '../../src/clock/manual-clock.js'
import { createInfraClient, EmbeddedInfraClient, type InfraClient } from '../../src/sdk/index.js'

const open: EmbeddedInfraClient[] = []
afterEach(async () => {
  await Promise.all(open.splice(0).map((c) => c.close()))
})

function embedded(seed: unknown): EmbeddedInfraClient {
  const client = createInfraClient({ useMock: true, embedded: { seed: seed as string, clock: new ManualClock(), profile: 'instant' } }) as EmbeddedInfraClient
  open.push(client)
  return client
}

/** What the seed decides: the ids, and the addresses a VM and a floating IP get. */
async function seededRun(client: InfraClient) {
  const net = await client.createNetwork({ name: 'n' })
  const vm = await client.createInstance({ name: 'web', networkId: net.id })
  const fip = await client.allocateFloatingIP()
  return { net: net.id, vm: vm.id, ip: vm.ipAddress, fip: fip.address }
}

describe('the embedded client seed', () => {
  it('takes a number as its decimal string: seed 1 is the run of seed "1"', async () => {
    const run = await seededRun(embedded(1))
    expect(run).toEqual(await seededRun(embedded('1')))
    expect(run).not.toEqual(await seededRun(embedded('2')))
  })

  it('refuses a seed that is neither, at construction, naming it', () => {
    expect(() => embedded({})).toThrow(TypeError)
    expect(() => embedded(Number.NaN)).toThrow(/seed must be a string or a finite number/)
  })
})
