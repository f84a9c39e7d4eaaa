import { randomUUID } from 'node:crypto'
import type { Clock } from '../clock/clock.js'
import { isTimeScale, TIME_SCALE_RANGE } from '../clock/bounds.js'
import { SystemClock } from '../clock/system-clock.js'
import type { RedisEventBus } from '../bus/redis-event-bus.js'
import { Engine, type TransitionRunner } from '../engine/engine.js'
import { DEFAULT_EVENT_RETENTION } from '../engine/event-history.js'
import { checkQuotaLimits, type QuotaLimits } from '../engine/quotas.js'
import { ConflictError, ValidationError } from '../engine/errors.js'
import { InProcessEventBus, type EventBus } from '../engine/event-bus.js'
import { defaultRegistry } from '../engine/kinds/index.js'
import { seedSharedResources } from '../engine/seed.js'
import { seedIdentity } from '../engine/identity/seed-identity.js'
import { loadSettings, saveSettings, type SharedSettings } from '../engine/settings.js'
import { Timing, type ProfileName } from '../engine/timing.js'
import { CallLog, type CallLogOptions, type CallRecord } from '../observe/call-log.js'
import { SeededRandom } from '../random/seeded-random.js'
import { InProcessScheduler } from '../scheduler/in-process-scheduler.js'
import { WorkerHeartbeat } from '../scheduler/worker-heartbeat.js'
import { openStore } from '../store/open-store.js'
import type { Store } from '../store/store.js'
import { DEFAULT_WAIT_FOR_SERVE_MS, waitForSettings } from './wait-for-settings.js'
import { readWorkerLiveness, type Liveness } from './worker-liveness.js'
import { WorkerOutageWatch, type OutageLog } from './worker-outage-watch.js'

export interface RuntimeOptions {
  /** SQLite file path, `:memory:`, or a `postgres://` URL. Default `:memory:` (the CLI defaults to a file). */
  db?: string
  /**
   * A `redis://` URL: scheduled transitions go to BullMQ and events to Redis
   * pub/sub, so several processes can share one PostgreSQL store.
   */
  queue?: string
  /** Whether this process applies transitions (default true). A `serve --no-worker` leaves them to `mockcloud worker`s. */
  worker?: boolean
  /** `worker`: adopt the settings the deployment's `serve` stored, rather than writing this process's own. */
  role?: 'serve' | 'worker'
  /** `worker`: real ms to wait for a serve to store its settings (default 5 minutes; 0 fails at once). */
  waitForServeMs?: number
  /** `worker`: called once, with the database (password hidden), when no serve has stored its settings yet. */
  onWaitingForServe?: (db: string) => void
  /** A serve leaving transitions to workers says here when none is alive while transitions are due, and when one is back. */
  workerOutageLog?: OutageLog
  /** Default: the system clock, scaled by `timeScale`. A manual clock cannot be shared with a queue. */
  clock?: Clock
  timeScale?: number
  profile?: ProfileName
  /** Seed of every random draw; default a random one (logged, so a run can be replayed). */
  seed?: string
  /** Timing overrides, `kind.operation.property=value`. */
  timing?: readonly string[]
  /** The public network's range, where floating IPs come from. Default 41.100.0.0/16. */
  publicCidr?: string
  /** Called when a scheduled transition throws; default rethrows (in-process) or ignores (queue, which retries). */
  onTransitionError?: (err: unknown) => void
  /** Bounds of the call log (calls, bytes, body length); defaults 10 000 calls, 16 MiB, 4 KiB bodies. */
  callLog?: CallLogOptions
  /** How many of the newest events the history keeps for replay (default 10,000); every node follows the serve's. */
  eventRetention?: number
  /** Quota limits for every scope over OpenStack's defaults (`{ instances: -1 }`: no limit); every node follows the serve's. */
  quotaDefaults?: QuotaLimits
}

/** The bounds of the event retention: at least one event, at most what a disk holds comfortably. */
export const EVENT_RETENTION_RANGE = { min: 1, max: 10_000_000 } as const

/** The engine with its store, clock, bus and transition runner, ready to serve; no HTTP. */
export interface Runtime {
  engine: Engine
  /** The in-process scheduler, when transitions are not on a queue. */
  scheduler: InProcessScheduler
  clock: Clock
  /** What runs transitions: `in-process`, or `bullmq` (with or without a worker here). */
  mode: { runner: 'in-process' | 'bullmq'; worker: boolean; bus: 'in-process' | 'redis' }
  /** What the faces answered, for tests to assert on (every node's calls in a shared deployment). */
  calls: CallLog
  /** Whether this server's transitions are being applied (what `/health` reports): in a shared deployment, from the workers' heartbeats. */
  liveness(): Promise<Liveness>
  /**
   * Changes how fast emulated time runs, carrying on from the current time, on
   * every node. 409 on a manual clock (advance it instead).
   */
  setTimeScale(scale: number): Promise<void>
  /**
   * Replaces the timing profile and its overrides for operations started from
   * now on (transitions already scheduled keep their time), on every node.
   * A bad profile or override is a ValidationError naming it; nothing changes.
   */
  setTiming(change: { profile?: ProfileName | undefined; timing?: readonly string[] | undefined }): Promise<void>
  close(): Promise<void>
}

/**
 * Opens the store, seeds it on first use, settles the shared settings, and
 * starts what runs transitions: the in-process scheduler (which first runs
 * every transition that fell due while no process was running), or BullMQ
 * with a worker. Works the same on SQLite and PostgreSQL.
 *
 * @example
 * const rt = await startRuntime({ db: ':memory:', clock: new ManualClock(), profile: 'realistic', seed: '1' })
 * const node = await startRuntime({ db: 'postgres://127.0.0.1/test', queue: 'redis://127.0.0.1:6379' })
 */
export async function startRuntime(opts: RuntimeOptions = {}): Promise<Runtime> {
  const registry = defaultRegistry()
  const store = await openStore(opts.db ?? ':memory:')
  const closers: Array<() => Promise<unknown>> = [() => store.close()]
  const closeAll = async () => {
    for (const c of closers.reverse()) await c().catch(() => undefined)
  }
  try {
    if (opts.queue && store.dialect !== 'postgres') throw new Error('--queue needs a PostgreSQL --db: processes cannot share a SQLite file')
    if (opts.queue && opts.clock && !(opts.clock instanceof SystemClock)) throw new Error('a manual clock cannot drive a shared queue')

    await store.read.ensureFilterIndexes(registry.filterIndexes())
    const settings = await settle(store, opts)
    const clock = opts.clock ?? new SystemClock({ scale: settings.timeScale, anchor: settings.clockAnchor })
    const last = await store.read.latestEventTime()
    if (last !== undefined) clock.catchUp(last)

    // NOTE: Redis and BullMQ are loaded only by a deployment that uses them: a third of a second at start-up.
    const redisBus: RedisEventBus | undefined = opts.queue ? await (await import('../bus/redis-event-bus.js')).RedisEventBus.connect(opts.queue, namespaceOf(store)) : undefined
    const bus: EventBus = redisBus ?? new InProcessEventBus()
    if (redisBus) closers.push(() => redisBus.close())
    const engine = new Engine({
      store,
      clock,
      random: new SeededRandom(opts.seed),
      timing: new Timing(registry, settings.profile, settings.timing),
      registry,
      bus,
      eventRetention: settings.eventRetention,
      quotaDefaults: settings.quotaDefaults,
    })
    await engine.transaction(async (tx) => {
      // NOTE: nodes starting together on a fresh database take turns: the first seeds, the others find it done.
      await tx.q.lock('seed')
      await seedSharedResources(tx, { publicCidr: opts.publicCidr })
      await seedIdentity(tx)
    })

    const scheduler = new InProcessScheduler(engine, clock, opts.onTransitionError)
    const calls = new CallLog(opts.callLog)
    const node = randomUUID()
    const startedAt = Date.now()
    let runner: TransitionRunner = scheduler
    const runsTransitions = opts.worker ?? true
    if (opts.queue) {
      const systemClock = clock as SystemClock
      const queue = { url: opts.queue, prefix: namespaceOf(store) }
      const [{ BullmqScheduler }, { TransitionWorker }] = await Promise.all([import('../scheduler/bullmq-scheduler.js'), import('../scheduler/transition-worker.js')])
      const producer = new BullmqScheduler(engine, systemClock, queue)
      closers.push(() => producer.close())
      runner = producer
      engine.setRunner(producer)
      if (runsTransitions) {
        const worker = new TransitionWorker(engine, systemClock, { ...queue, onError: opts.onTransitionError })
        // NOTE: a node that applies transitions keeps the ones about to fall due (FOLLOW_REAL_MS) rather than queueing them.
        engine.setRunner(worker.runnerOver(producer))
        closers.push(() => worker.close())
        const heartbeat = await WorkerHeartbeat.start(store, node)
        closers.push(() => heartbeat.stop())
      } else if (opts.workerOutageLog) {
        const watch = new WorkerOutageWatch(store, systemClock, opts.workerOutageLog, { startedAt })
        const off = bus.subscribe(() => watch.wake())
        watch.wake() // transitions left pending by an earlier run
        closers.push(async () => {
          off()
          watch.stop()
        })
      }
      if (redisBus) {
        calls.shareWith({
          record: (call) => void redisBus.notify({ type: 'call', node, call }),
          clear: () => void redisBus.notify({ type: 'calls-cleared', node }),
        })
        // NOTE: another node changed the shared settings, answered a call or cleared the call log: every node follows.
        let reloading: Promise<void> = Promise.resolve()
        const off = redisBus.onNotice(async (n) => {
          if (n['node'] === node) return
          if (n['type'] === 'call') calls.add(n['call'] as Omit<CallRecord, 'seq'>)
          if (n['type'] === 'calls-cleared') calls.clearHere()
          if (n['type'] !== 'settings') return
          reloading = loadSettings(store.read).then((next) => {
            if (!next) return
            engine.timing = new Timing(registry, next.profile, next.timing)
            engine.eventRetention = next.eventRetention ?? DEFAULT_EVENT_RETENTION
            engine.quotaDefaults = next.quotaDefaults ?? {}
            systemClock.rebase(next.timeScale, next.clockAnchor)
          })
          await reloading
        })
        // NOTE: a reload in flight reads the store: it ends before the store closes.
        closers.push(async () => {
          off()
          await reloading
        })
        if (opts.role !== 'worker') await redisBus.notify({ type: 'settings' })
      }
    } else if (runsTransitions) {
      await scheduler.start()
      closers.push(async () => {
        scheduler.stop()
        await scheduler.idle()
      })
    }

    const liveness = async (): Promise<Liveness> => {
      if (opts.queue) return readWorkerLiveness(store, { startedAt })
      if (runsTransitions) return { status: 'ok' }
      return { status: 'degraded', message: 'this server applies no transitions (worker: false) and has no queue for workers to take them from' }
    }

    const setTimeScale = async (scale: number) => {
      if (!(clock instanceof SystemClock)) throw new ConflictError('the clock is manual: advance it instead (POST /_mockcloud/clock/advance)')
      if (!isTimeScale(scale)) throw new ValidationError('timeScale', `timeScale: ${TIME_SCALE_RANGE}`)
      const anchor = clock.anchorNow()
      clock.rebase(scale, anchor)
      await store.transaction(async (q) => {
        const current = await loadSettings(q)
        if (current) await saveSettings(q, { ...current, timeScale: scale, clockAnchor: anchor })
      })
      // NOTE: the armed wake-up was computed at the old scale.
      if (runner === scheduler && runsTransitions) await scheduler.runDue()
      if (redisBus) await redisBus.notify({ type: 'settings', node })
    }

    const setTiming = async (change: { profile?: ProfileName | undefined; timing?: readonly string[] | undefined }) => {
      const profile = change.profile ?? engine.timing.profile
      const overrides = change.timing ?? (await loadSettings(store.read))?.timing ?? []
      let timing: Timing
      try {
        timing = new Timing(registry, profile, [])
        overrides.forEach((o, i) => {
          try {
            timing.set(o)
          } catch (err) {
            throw new ValidationError(`timing[${i}]`, `timing[${i}]: ${(err as Error).message}`)
          }
        })
      } catch (err) {
        if (err instanceof ValidationError) throw err
        throw new ValidationError('profile', `profile: ${(err as Error).message}`)
      }
      await store.transaction(async (q) => {
        const current = await loadSettings(q)
        if (current) await saveSettings(q, { ...current, profile, timing: [...overrides] })
      })
      engine.timing = timing
      if (redisBus) await redisBus.notify({ type: 'settings', node })
    }

    return {
      engine,
      scheduler,
      clock,
      mode: { runner: runner === scheduler ? 'in-process' : 'bullmq', worker: runsTransitions, bus: redisBus ? 'redis' : 'in-process' },
      calls,
      liveness,
      setTimeScale,
      setTiming,
      close: closeAll,
    }
  } catch (err) {
    await closeAll()
    throw err
  }
}

/**
 * A `serve` stores its settings (keeping the deployment's clock anchor while
 * the scale is unchanged, so nodes agree on emulated time); a `worker` adopts
 * what is stored, waiting for a serve to store them.
 */
async function settle(store: Store, opts: RuntimeOptions): Promise<SharedSettings> {
  if (opts.role === 'worker') return waitForSettings(store, { timeoutMs: opts.waitForServeMs ?? DEFAULT_WAIT_FOR_SERVE_MS, onWaiting: opts.onWaitingForServe })
  const eventRetention = opts.eventRetention ?? DEFAULT_EVENT_RETENTION
  const quotaDefaults = checkQuotaLimits(opts.quotaDefaults ?? {}, 'quotaDefaults')
  const { min, max } = EVENT_RETENTION_RANGE
  if (!Number.isInteger(eventRetention) || eventRetention < min || eventRetention > max) {
    throw new ValidationError('eventRetention', `eventRetention: a whole number of events from ${min} to ${max}, not ${eventRetention}`)
  }
  return store.transaction(async (q) => {
    // NOTE: serves starting together take turns, so the later ones keep the first one's clock anchor.
    await q.lock('settings')
    const stored = await loadSettings(q)
    const timeScale = opts.timeScale ?? 1
    const anchor = stored && stored.timeScale === timeScale ? stored.clockAnchor : new SystemClock({ scale: timeScale }).anchor()
    const next: SharedSettings = { profile: opts.profile ?? 'fast', timing: [...(opts.timing ?? [])], timeScale, clockAnchor: anchor, eventRetention, quotaDefaults }
    // NOTE: a bad override fails here, before anything is stored.
    new Timing(defaultRegistry(), next.profile, next.timing)
    await saveSettings(q, next)
    return next
  })
}

/** Redis keys and channels of a deployment: one namespace per PostgreSQL schema. */
function namespaceOf(store: Store): string {
  const schema = new URL(store.location).searchParams.get('schema')
  return `mockcloud:${schema ?? 'public'}`
}
