#!/usr/bin/env node
import { Command } from 'commander'
import { VERSION } from '../version.js'
import { resetCommand } from './reset.js'
import { serveCommand } from './serve.js'
import { snapshotCommand } from './snapshot.js'
import { workerCommand } from './worker.js'

/** The `mockcloud` command. Each subcommand lives in its own file. */
const program = new Command()
  .name('mockcloud')
  .description('A local cloud for people who write provisioning software.')
  .version(VERSION)
  .showHelpAfterError('(run mockcloud --help for usage)')

program.addCommand(serveCommand())
program.addCommand(workerCommand())
program.addCommand(snapshotCommand())
program.addCommand(resetCommand())

program.parseAsync(process.argv).catch((err: unknown) => {
  process.stderr.write(`mockcloud: ${err instanceof Error ? err.message : String(err)}\n`)
  process.exit(1)
})
