import { afterEach, beforeEach } from 'vitest'
import { ManualClock } from '../../src/clock/manual-clock.js'
import type { Engine } from '../../src/engine/engine.js'
import { startRuntime, type Runtime } from '../../src/server/runtime.js'
import { freshDb, type TestDb } from './store.js'

/** What `useRuntime` gives each test: the engine with its runtime, on a manual clock. */
export interface TestRuntime {
  rt: Runtime
  engine: Engine
  clock: ManualClock
}

/**
 * A runtime (store, engine, in-process scheduler) on a fresh database of the
 * store under test and a manual clock starting at `start`, made before each
 * test of the suite that calls it and closed after; no HTTP.
 *
 * @example
 * const t = useRuntime('pools')
 * it('...', async () => { await t.engine.create(...); await t.clock.advance(3_000) })
 */
export function useRuntime(seed: string, start = 0): TestRuntime {
  const t = {} as TestRuntime
  let db: TestDb
  beforeEach(async () => {
    db = freshDb()
    t.clock = new ManualClock(start)
    t.rt = await startRuntime({ db: db.location, clock: t.clock, seed })
    t.engine = t.rt.engine
  })
  afterEach(async () => {
    await t.rt.close()
    await db.drop()
  })
  return t
}
