import type { ManualClock } from '../../src/clock/manual-clock.js'
import type { TestApp } from '../helpers/app.js'

/** Shared helpers of the control face tests (not a test file itself). */

/** Rows of the state a failed request must leave untouched: resources, addresses, events. */
export async function stateRows(t: TestApp): Promise<{ resources: number; addresses: number; events: number }> {
  const db = t.app.mockcloud.engine.store.db
  const count = async (table: 'resources' | 'ip_allocations' | 'events') => Number((await db.selectFrom(table).select((eb) => eb.fn.countAll().as('n')).executeTakeFirstOrThrow()).n)
  return { resources: await count('resources'), addresses: await count('ip_allocations'), events: await count('events') }
}

/**
 * Resolves once something arms a wake-up of the manual clock at exactly `at`
 * (a request waiting out a fault's latency): only then may a test advance
 * the clock past it, or the waiter would arm too late and wait forever.
 */
export function armedAt(clock: ManualClock, at: number): Promise<void> {
  const original = clock.wakeAt.bind(clock)
  return new Promise((resolve) => {
    clock.wakeAt = (when, fn) => {
      const cancel = original(when, fn)
      if (when === at) {
        clock.wakeAt = original
        resolve()
      }
      return cancel
    }
  })
}

/** Whether a promise has settled, without waiting for it. */
export async function settled(p: Promise<unknown>): Promise<boolean> {
  const marker = Symbol('pending')
  // NOTE: a few turns of the event loop let a request that could finish do so.
  for (let i = 0; i < 5; i++) await new Promise((r) => setImmediate(r))
  return (await Promise.race([p.then(() => true, () => true), Promise.resolve(marker)])) === true
}

export { listen, openSse, openWs, upgradeRefusal, type SseEvent } from '../helpers/streams.js'
