import { existsSync } from 'node:fs'
import { rename, rm, writeFile } from 'node:fs/promises'
import { Command, Option } from 'commander'
import type { Snapshot } from '../engine/state-control.js'
import type { Runtime } from '../server/runtime.js'
import { controlRequest, oneLine } from './control-client.js'
import { controlKeyOption, urlOption } from './options.js'
import { fail } from './serve.js'

interface ClientOptions {
  url: string
  controlKey?: string
  db?: string
}

interface ExportOptions extends ClientOptions {
  out?: string
  scope?: string
}

/**
 * `mockcloud snapshot export|import`: the whole state (resources, pending
 * transitions, addresses, fault rules) to a file and back, through a running
 * server's control face, or straight from/to a store with `--db`.
 */
export function snapshotCommand(): Command {
  const snapshot = new Command('snapshot').description('save the whole state of a mockcloud (resources, pending transitions, fault rules) to a JSON file, or load one')

  snapshot.addCommand(
    withTarget(new Command('export'))
      .description('write a snapshot of a running mockcloud (GET /_mockcloud/snapshot), or of a database with --db')
      .addOption(new Option('--out <file>', 'write the snapshot to this file (default: standard output)'))
      .addOption(new Option('--scope <scope>', 'only this scope and those it holds: a project id, cluster:NAME, cluster:NAME/NAMESPACE, pool:NAME or domain:ID (importing it replaces that scope only)'))
      .action(async (opts: ExportOptions, cmd: Command) => {
        const db = dbOf(opts, cmd)
        let snap: Snapshot
        if (db) {
          const { exportSnapshot } = await import('../engine/state-control.js')
          snap = await offline(db, { mustExist: true, doing: `cannot export ${withoutPassword(db)}` }, (rt) => exportSnapshot(rt.engine, { scope: opts.scope }))
        } else {
          snap = await controlRequest<Snapshot>(target(opts), 'GET', opts.scope === undefined ? 'snapshot' : `snapshot?scope=${encodeURIComponent(opts.scope)}`)
        }
        if (!opts.out) {
          process.stdout.write(`${JSON.stringify(snap, null, 2)}\n`)
          return
        }
        await writeSnapshotFile(opts.out, snap).catch((err: Error) => fail(err.message))
        process.stdout.write(`wrote ${describeCounts(snap.state.resources.length, snap.state.transitions.length)} to ${opts.out}\n`)
      }),
  )

  snapshot.addCommand(
    withTarget(new Command('import'))
      .description(
        'replace the whole state of a running mockcloud with a snapshot file (POST /_mockcloud/snapshot), or of a database with --db. Pending transitions keep the time they had left.',
      )
      .argument('<file>', 'a snapshot, as written by mockcloud snapshot export')
      .action(async (file: string, opts: ClientOptions, cmd: Command) => {
        const db = dbOf(opts, cmd)
        const { readSnapshotFile } = await import('./snapshot-file.js')
        const snap = await readSnapshotFile(file).catch((err: Error) => fail(err.message))
        let loaded: { resources: number; transitions: number }
        if (db) {
          const { importSnapshot } = await import('../engine/state-control.js')
          loaded = await offline(db, { mustExist: false, doing: `cannot load ${file} into ${withoutPassword(db)}` }, (rt) => importSnapshot(rt.engine, snap))
        } else {
          loaded = await controlRequest<{ resources: number; transitions: number }>(target(opts), 'POST', 'snapshot', snap)
        }
        process.stdout.write(`loaded ${describeCounts(loaded.resources, loaded.transitions)} into ${db ? withoutPassword(db) : opts.url}\n`)
      }),
  )
  return snapshot
}

function withTarget(cmd: Command): Command {
  return cmd
    .addOption(urlOption())
    .addOption(controlKeyOption('send'))
    .addOption(
      new Option(
        '--db <path-or-url>',
        "instead of --url: work on a database directly (SQLite file or postgres://...), with no server running on it; an import replaces its state as POST /_mockcloud/snapshot does",
      ),
    )
}

function target(opts: ClientOptions) {
  return { url: opts.url, controlKey: opts.controlKey }
}

/** `--db`, refusing it next to an explicit `--url` (a MOCKCLOUD_URL in the environment gives way). */
function dbOf(opts: ClientOptions, cmd: Command): string | undefined {
  if (opts.db === undefined) return undefined
  if (cmd.getOptionValueSource('url') === 'cli') fail('give either --url (a running server) or --db (a database), not both')
  if (opts.db === ':memory:') fail('--db :memory: would be gone when this command ends; give a SQLite file or a postgres:// URL')
  return opts.db
}

/**
 * Opens a database without serving it or running its transitions, runs `fn`
 * and closes it. The deployment's stored settings (timing profile, clock
 * scale and anchor) are adopted, not overwritten, so pending transitions are
 * read and written against the emulated time the database's servers use.
 */
async function offline<T>(db: string, opts: { mustExist: boolean; doing: string }, fn: (rt: Runtime) => Promise<T>): Promise<T> {
  const postgres = /^postgres(ql)?:\/\//.test(db)
  if (!postgres && opts.mustExist && !existsSync(db)) fail(`no database at ${db}`)
  const [{ openStore }, { loadSettings }, { startRuntime }] = await Promise.all([import('../store/open-store.js'), import('../engine/settings.js'), import('../server/runtime.js')])
  let rt: Runtime
  try {
    const store = await openStore(db)
    const stored = await loadSettings(store.read).finally(() => store.close())
    // NOTE: role 'worker' adopts the stored settings; a database no serve has set up yet gets the defaults.
    rt = await startRuntime({ db, worker: false, role: stored ? 'worker' : 'serve' })
  } catch (err) {
    fail(`cannot open database ${withoutPassword(db)}: ${oneLine(err instanceof Error ? err.message : String(err))}`)
  }
  let result: T
  try {
    result = await fn(rt)
  } catch (err) {
    await rt.close()
    fail(`${opts.doing}: ${oneLine(err instanceof Error ? err.message : String(err))}`)
  }
  await rt.close()
  return result
}

/** Writes a snapshot as indented JSON; through a temporary file, so a failed write leaves no half file behind. */
async function writeSnapshotFile(file: string, snapshot: unknown): Promise<void> {
  const tmp = `${file}.${process.pid}.tmp`
  try {
    await writeFile(tmp, `${JSON.stringify(snapshot, null, 2)}\n`)
    await rename(tmp, file)
  } catch (err) {
    await rm(tmp, { force: true }).catch(() => undefined)
    throw new Error(`cannot write ${file}: ${(err as NodeJS.ErrnoException).code ?? String(err)}`)
  }
}

/** `3 resources and 1 pending transition`. */
function describeCounts(resources: number, transitions: number): string {
  return `${resources} resource${resources === 1 ? '' : 's'} and ${transitions} pending transition${transitions === 1 ? '' : 's'}`
}

/** A `--db` value fit to print: a postgres:// URL's password is masked. */
function withoutPassword(db: string): string {
  if (!/^postgres(ql)?:\/\//.test(db)) return db
  try {
    const url = new URL(db)
    if (url.password) url.password = '***'
    return url.toString()
  } catch {
    return db
  }
}
