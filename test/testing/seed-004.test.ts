import { afterAll, beforeAll, beforeEach, describe, expect, test } from 'vitest'
import { startMockCloud, type MockCloud } from '../../src/testing/index.js'

/**
 * Seed 004's own integration test ("should claim and release pod"),
 * translated from its in-memory `poolManagerState` to the test kit: the
 * same steps and expectations, through HTTP, the engine and the store.
 * README's `seed-pools-test` block is this test for node:test.
 */
describe('Pool Manager Mock (seed 004)', () => {
  let mc: MockCloud
  beforeAll(async () => {
    mc = await startMockCloud({ clock: 'manual' })
  })
  afterAll(() => mc.stop())
  // NOTE: poolManagerState.reset()
  beforeEach(() => mc.reset())

  test('should claim and release pod', async () => {
    const pool = await mc.pools.getOrCreatePool('test-pool', 'test-key')
    await mc.clock.advance(3_000) // its 3 pods provision in 1-3 s of emulated time
    const pod = await mc.pools.claimPod('test-pool', 'workspace-123')

    expect(pod.usage_status).toBe('used')
    expect(pod.claimedBy).toBe('workspace-123')
    expect(pod.poolName).toBe(pool.name)

    const released = await mc.pools.releasePod(pod.id)
    expect(released.usage_status).toBe('free')
  })

  test('after a reset the pool and its key are gone, and the same steps run again', async () => {
    await expect(mc.pools.getPool('test-pool')).rejects.toMatchObject({ status: 404 })
    await mc.pools.getOrCreatePool('test-pool', 'test-key')
    await mc.clock.advance(3_000)
    expect((await mc.pools.claimPod('test-pool', 'workspace-123')).usage_status).toBe('used')
    await expect(mc.poolsWith().getPoolStatus('test-pool')).rejects.toMatchObject({ status: 401 })
  })
})
