import { Command, Option } from 'commander'
import type { ProfileName } from '../engine/timing.js'
import { logLevelOption, queueOption, portOption, profileOption, timeScaleOption, timingOption } from './options.js'

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
    .addOption(timeScaleOption())
    .addOption(logLevelOption())
    .addOption(timingOption())
    .action(async (opts: ServeOptions) => {
      await serve(opts)
    })
}

async function serve(opts: ServeOptions): Promise<void> {
  // NOTE: loaded only once the flags are good, so a bad flag is answered at once.
  const { buildApp } = await import('../server/app.js')
  let app: Awaited<ReturnType<typeof buildApp>>
  try {
    app = await buildApp({
      db: opts.db,
      profile: opts.profile,
      seed: opts.seed,
      timeScale: opts.timeScale,
      timing: opts.set ?? [],
      queue: opts.queue,
      worker: opts.worker,
      logger: { level: opts.logLevel },
      onTransitionError: (err) => app?.log.error({ err }, 'a scheduled transition failed; it will be retried'),
    })
  } catch (err) {
    // NOTE: bad --set values and unreadable databases end here: one line, exit 1.
    fail(err instanceof Error ? err.message : String(err))
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
  app.log.info({ db: engine.store.location, ...app.mockcloud.mode, profile: engine.timing.profile, seed: engine.random.seed, timeScale: opts.timeScale }, 'mockcloud is ready')
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
