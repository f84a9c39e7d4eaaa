import type { Clock } from '../clock/clock.js'
import { SystemClock } from '../clock/system-clock.js'
import { Engine } from '../engine/engine.js'
import { InProcessEventBus } from '../engine/event-bus.js'
import { defaultRegistry } from '../engine/kinds/index.js'
import { seedSharedResources } from '../engine/seed.js'
import { Timing, type ProfileName } from '../engine/timing.js'
import { SeededRandom } from '../random/seeded-random.js'
import { InProcessScheduler } from '../scheduler/in-process-scheduler.js'
import { openStore } from '../store/open-store.js'

export interface RuntimeOptions {
  /** SQLite file path, `:memory:`, or a `postgres://` URL. Default `:memory:` (the CLI defaults to a file). */
  db?: string
  /** Default: the system clock, scaled by `timeScale`. */
  clock?: Clock
  timeScale?: number
  profile?: ProfileName
  /** Seed of every random draw; default a random one (logged, so a run can be replayed). */
  seed?: string
  /** Timing overrides, `kind.operation.property=value`. */
  timing?: readonly string[]
  /** The public network's range, where floating IPs come from. Default 41.100.0.0/16. */
  publicCidr?: string
  /** Called when a scheduled transition throws; default rethrows. */
  onTransitionError?: (err: unknown) => void
}

/** The engine with its store, clock and scheduler, ready to serve; no HTTP. */
export interface Runtime {
  engine: Engine
  scheduler: InProcessScheduler
  clock: Clock
  close(): Promise<void>
}

/**
 * Opens the store, seeds it on first use, catches the clock up with what the
 * store already recorded and starts the scheduler, which first runs every
 * transition that fell due while no process was running.
 *
 * @example
 * const rt = await startRuntime({ db: ':memory:', clock: new ManualClock(), profile: 'realistic', seed: '1' })
 */
export async function startRuntime(opts: RuntimeOptions = {}): Promise<Runtime> {
  const registry = defaultRegistry()
  const timing = new Timing(registry, opts.profile ?? 'fast', opts.timing ?? [])
  const clock = opts.clock ?? new SystemClock({ scale: opts.timeScale ?? 1 })
  const store = await openStore(opts.db ?? ':memory:')
  try {
    const last = await store.read.latestEventTime()
    if (last !== undefined) clock.catchUp(last)
    const engine = new Engine({ store, clock, random: new SeededRandom(opts.seed), timing, registry, bus: new InProcessEventBus() })
    await engine.transaction((tx) => seedSharedResources(tx, { publicCidr: opts.publicCidr }))
    const scheduler = new InProcessScheduler(engine, clock, opts.onTransitionError)
    await scheduler.start()
    return {
      engine,
      scheduler,
      clock,
      async close() {
        scheduler.stop()
        await scheduler.idle()
        await store.close()
      },
    }
  } catch (err) {
    await store.close()
    throw err
  }
}
