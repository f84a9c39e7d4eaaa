import { Command, Option } from 'commander'
import { readFile } from 'node:fs/promises'
import type { IdentitySpec } from '../engine/identity/identity.js'
import type { ProfileName } from '../engine/timing.js'
import { clockOption, controlKeyOption, eventRetentionOption, quotaOption, logLevelOption, queueOption, portOption, profileOption, timeScaleOption, timingOption } from './options.js'

export const DEFAULT_DB = '.mockcloud/mockcloud.db'

interface ServeOptions {
  port: number
  host: string
  db: string
  profile: ProfileName
  seed?: string
  timeScale: number
  logLevel: string
  set?: string[]
  queue?: string
  worker: boolean
  clock: 'system' | 'manual'
  controlKey?: string
  apiKey?: string
  snapshot?: string
  eventRetention: number
  quota?: string[]
  user?: string[]
  identity?: string
  defaultPool: boolean
}

/** `mockcloud serve`: every face on one port, the embedded store and scheduler. */
export function serveCommand(): Command {
  return new Command('serve')
    .description('start mockcloud: all faces on one port, SQLite store, in-process scheduler')
    .addOption(portOption())
    .addOption(new Option('--host <host>', 'address to listen on').env('MOCKCLOUD_HOST').default('127.0.0.1'))
    .addOption(new Option('--db <path-or-url>', "SQLite file, ':memory:', or postgres://host/db[?schema=name]").env('MOCKCLOUD_DB').default(DEFAULT_DB))
    .addOption(queueOption())
    .addOption(new Option('--no-worker', 'with --queue: leave transitions to `mockcloud worker` processes'))
    .addOption(profileOption())
    .addOption(new Option('--seed <seed>', 'seed of every random draw (default: a random one, logged at start)').env('MOCKCLOUD_SEED'))
    .addOption(clockOption())
    .addOption(timeScaleOption())
    .addOption(logLevelOption())
    .addOption(timingOption())
    .addOption(eventRetentionOption())
    .addOption(quotaOption())
    .addOption(controlKeyOption('lock'))
    .addOption(new Option('--api-key <key>', 'require this key on the native API (/api/v1), as Authorization: Bearer <key> or X-Api-Key').env('MOCKCLOUD_API_KEY'))
    .addOption(
      new Option('--user <name:password[@project[:role]]>', 'a user beside admin/admin and demo/demo, with a role (default member) on a project (made if missing); repeatable').argParser(
        (value: string, previous: string[] | undefined) => [...(previous ?? []), value],
      ),
    )
    .addOption(new Option('--identity <file>', 'users and keys from a JSON file: {"users": [{"name", "password", "project", "role"}], "keys": [{"key", "user", "audience"}]}').env('MOCKCLOUD_IDENTITY'))
    .addOption(new Option('--no-default-pool', "start without seed 004's default-pool (5 pods; made at start when missing)"))
    .addOption(
      new Option('--snapshot <file>', "start from this snapshot (as written by mockcloud snapshot export): it replaces the database's state at every start").env('MOCKCLOUD_SNAPSHOT'),
    )
    .action(async (opts: ServeOptions, cmd: Command) => {
      if (!opts.worker && !opts.queue) fail('--no-worker needs --queue: without one, no other process can apply the transitions this server schedules')
      if (opts.clock === 'manual' && opts.queue) fail('--clock manual cannot be used with --queue: the nodes of a shared deployment follow one system clock (speed it up with --time-scale)')
      if (opts.clock === 'manual' && opts.timeScale !== 1 && cmd.getOptionValueSource('timeScale') !== 'default') fail('--clock manual cannot be used with --time-scale: a manual clock moves only on POST /_mockcloud/clock/advance')
      await serve(opts)
    })
}

/** `--user` flags and an `--identity` file, as one spec; a bad one is an Error naming the flag and field. */
async function readIdentity(opts: ServeOptions): Promise<IdentitySpec | undefined> {
  if (!opts.user?.length && !opts.identity) return undefined
  const { parseUserFlag, checkIdentitySpec } = await import('../engine/identity/identity-spec.js')
  const spec: IdentitySpec = { users: [], keys: [] }
  if (opts.identity) {
    const raw = await readFile(opts.identity, 'utf8').catch((err: NodeJS.ErrnoException) => {
      throw new Error(`cannot read --identity ${opts.identity}: ${err.code ?? err.message}`)
    })
    let parsed: unknown
    try {
      parsed = JSON.parse(raw)
    } catch (err) {
      throw new Error(`--identity ${opts.identity} is not JSON: ${(err as Error).message}`)
    }
    try {
      Object.assign(spec, checkIdentitySpec(parsed))
    } catch (err) {
      throw new Error(`--identity ${opts.identity}: ${(err as Error).message}`)
    }
  }
  for (const flag of opts.user ?? []) spec.users!.push(parseUserFlag(flag))
  return spec
}

async function serve(opts: ServeOptions): Promise<void> {
  // NOTE: loaded only once the flags are good, so a bad flag is answered at once.
  const { buildApp } = await import('../server/app.js')
  // NOTE: a bad snapshot file is answered before the database is touched.
  const snapshot = opts.snapshot ? await (await import('./snapshot-file.js')).readSnapshotFile(opts.snapshot).catch((err: Error) => fail(err.message)) : undefined
  const identity = await readIdentity(opts).catch((err: Error) => fail(err.message))
  // NOTE: a manual clock starts at the real time; on a database with later events the runtime moves it on to the last one.
  const clock = opts.clock === 'manual' ? new (await import('../clock/manual-clock.js')).ManualClock(Date.now()) : undefined
  let app: Awaited<ReturnType<typeof buildApp>>
  try {
    app = await buildApp({
      db: opts.db,
      profile: opts.profile,
      seed: opts.seed,
      timeScale: opts.timeScale,
      timing: opts.set ?? [],
      eventRetention: opts.eventRetention,
      quotaDefaults: opts.quota ? (await import('../engine/quotas.js')).parseQuotaFlags(opts.quota) : undefined,
      queue: opts.queue,
      worker: opts.worker,
      clock,
      controlKey: opts.controlKey || undefined,
      apiKey: opts.apiKey || undefined,
      identity,
      logger: { level: opts.logLevel },
      onTransitionError: (err) => app?.log.error({ err }, 'a scheduled transition could not be applied (the store refused); it will be retried'),
      workerOutageLog: { missing: (message) => app?.log.warn(message), back: (message) => app?.log.info(message) },
    })
  } catch (err) {
    // NOTE: bad --set values and unreadable databases end here: one line, exit 1.
    fail(err instanceof Error ? err.message : String(err))
  }
  if (snapshot && opts.snapshot !== undefined) {
    const { importSnapshot } = await import('../engine/state-control.js')
    try {
      const loaded = await importSnapshot(app.mockcloud.engine, snapshot)
      app.log.info({ snapshot: opts.snapshot, ...loaded }, 'loaded the snapshot')
    } catch (err) {
      await app.close()
      fail(`cannot load snapshot ${opts.snapshot}: ${err instanceof Error ? err.message : String(err)}`)
    }
  }
  if (opts.defaultPool) {
    const { DEFAULT_POOL, poolOnDemand } = await import('../engine/pool-on-demand.js')
    try {
      await poolOnDemand(app.mockcloud.engine, DEFAULT_POOL)
    } catch (err) {
      await app.close()
      fail(`cannot make ${DEFAULT_POOL} (start with --no-default-pool to go without it): ${err instanceof Error ? err.message : String(err)}`)
    }
  }
  try {
    await app.listen({ port: opts.port, host: opts.host })
  } catch (err) {
    await app.close()
    const code = (err as NodeJS.ErrnoException).code
    if (code === 'EADDRINUSE') fail(`port ${opts.port} on ${opts.host} is already in use (choose another with --port or MOCKCLOUD_PORT)`)
    if (code === 'EADDRNOTAVAIL' || code === 'ENOTFOUND') fail(`cannot listen on host ${opts.host} (--host): ${code}`)
    throw err
  }
  const { engine } = app.mockcloud
  const time = new Date(app.mockcloud.clock.now()).toISOString()
  app.log.info(
    { db: engine.store.location, ...app.mockcloud.mode, profile: engine.timing.profile, seed: engine.random.seed, clock: app.mockcloud.clock.mode, time, timeScale: opts.clock === 'manual' ? undefined : opts.timeScale, controlKey: Boolean(opts.controlKey), apiKey: Boolean(opts.apiKey) },
    'mockcloud is ready',
  )
  const stop = (signal: string) => {
    app.log.info({ signal }, 'shutting down')
    app.close().then(
      () => process.exit(0),
      () => process.exit(1),
    )
  }
  process.once('SIGINT', () => stop('SIGINT'))
  process.once('SIGTERM', () => stop('SIGTERM'))
}

export function fail(message: string): never {
  process.stderr.write(`mockcloud: ${message}\n`)
  process.exit(1)
}
