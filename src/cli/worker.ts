import { Command, Option } from 'commander'
import pino from 'pino'
import { logLevelOption, queueOption, waitTimeoutOption } from './options.js'
import { fail } from './serve.js'
import { logTransitionFailures } from '../observe/transition-failures.js'

interface WorkerOptions {
  db?: string
  queue?: string
  logLevel: string
  waitTimeout: number
}

/**
 * `mockcloud worker`: applies scheduled transitions for a shared deployment
 * and serves nothing. Its timing settings are the ones the deployment's
 * `serve` stored: started before any serve, it waits for one.
 */
export function workerCommand(): Command {
  return new Command('worker')
    .description('apply scheduled transitions of a shared deployment (PostgreSQL + Redis); serves no HTTP')
    .addOption(new Option('--db <url>', 'postgres://host/db[?schema=name], as given to mockcloud serve').env('MOCKCLOUD_DB'))
    .addOption(queueOption())
    .addOption(logLevelOption())
    .addOption(waitTimeoutOption())
    .action(async (opts: WorkerOptions) => {
      if (!opts.db || !/^postgres(ql)?:\/\//.test(opts.db)) fail('worker needs --db postgres://... (or MOCKCLOUD_DB)')
      if (!opts.queue) fail('worker needs --queue redis://... (or MOCKCLOUD_QUEUE)')
      const log = pino({ level: opts.logLevel })
      const { startRuntime } = await import('../server/runtime.js')
      const runtime = await startRuntime({
        db: opts.db,
        queue: opts.queue,
        role: 'worker',
        worker: true,
        waitForServeMs: opts.waitTimeout * 1000,
        onWaitingForServe: (db) => log.info({ db, waitTimeout: opts.waitTimeout }, 'waiting for a mockcloud serve to set up the database'),
        onTransitionError: (err) => log.error({ err }, 'a transition could not be applied (the store refused); it will be retried'),
      }).catch((err: unknown) => fail(err instanceof Error ? err.message : String(err)))
      logTransitionFailures(runtime.engine, log)
      log.info({ db: runtime.engine.store.location, profile: runtime.engine.timing.profile }, 'mockcloud worker is ready')
      const stop = (signal: string) => {
        log.info({ signal }, 'shutting down')
        runtime.close().then(
          () => process.exit(0),
          () => process.exit(1),
        )
      }
      process.once('SIGINT', () => stop('SIGINT'))
      process.once('SIGTERM', () => stop('SIGTERM'))
    })
}
