import { mkdirSync } from 'node:fs'
import { dirname, resolve } from 'node:path'
import SQLite from 'better-sqlite3'
import { Kysely, SqliteDialect } from 'kysely'
import type { Database } from './database.js'
import { startCheckpointer } from './sqlite-checkpointer.js'
import { Lru } from './lru.js'
import { claimSqliteFile } from './sqlite-owner-lock.js'
import { Store } from './store.js'

export interface SqliteStoreOptions {
  /** WAL pages after which a commit finishes the checkpoint itself, so the WAL starts over (default 10,000: about 40 MB). */
  walLimitPages?: number
}

/** Past this many pages the writer itself finishes the checkpoint (see `openSqliteStore`). */
export const DEFAULT_WAL_LIMIT_PAGES = 10_000

/**
 * Opens (and migrates) the embedded store: a SQLite file, or `:memory:` for tests.
 *
 * WAL with `synchronous=NORMAL`: a committed transaction survives the process
 * being killed at any point; only a power loss of the whole machine could drop
 * the last few. See docs/decisions/0002-sqlite-durability.md.
 *
 * @example
 * const store = await openSqliteStore('.mockcloud/mockcloud.db')
 */
export async function openSqliteStore(path: string, opts: SqliteStoreOptions = {}): Promise<Store> {
  const memory = path === ':memory:'
  const location = memory ? path : resolve(path)
  if (!memory) mkdirSync(dirname(location), { recursive: true })
  const release = memory ? () => undefined : claimSqliteFile(location)
  let sqlite: SQLite.Database
  try {
    sqlite = new SQLite(location)
  } catch (err) {
    release()
    throw err
  }
  sqlite.pragma('journal_mode = WAL')
  sqlite.pragma('synchronous = NORMAL')
  sqlite.pragma('foreign_keys = ON')
  sqlite.pragma('busy_timeout = 5000')
  cachePreparedStatements(sqlite)
  const db = new Kysely<Database>({ dialect: new SqliteDialect({ database: sqlite }) })
  // NOTE: a read outside any transaction needs no turn on the connection: it runs at once,
  // skipping Kysely's mutex and promise hops (a third of a GET's time). Inside a
  // transaction it would see uncommitted writes, so then it waits its turn as usual.
  const direct = (source: string, parameters: readonly unknown[]) => (sqlite.inTransaction ? undefined : sqlite.prepare(source).all(parameters))
  // NOTE: inside a group commit's transaction the connection is that transaction's alone and its jobs run one
  // after the other, so the engine's statements can run on it at once, as Kysely's driver would run them,
  // without its mutex and promise hops (a quarter of a create's time went there).
  const exec = (source: string, parameters: readonly unknown[]) => {
    if (!sqlite.inTransaction) return undefined
    const stmt = sqlite.prepare(source)
    if (stmt.reader) return { rows: stmt.all(parameters) }
    const { changes, lastInsertRowid } = stmt.run(parameters)
    return { rows: [], numAffectedRows: BigInt(changes), insertId: BigInt(lastInsertRowid) }
  }
  const store = new Store(db, 'sqlite', location, { direct, exec })
  store.onClose(async () => release())
  try {
    await store.migrate()
  } catch (err) {
    await store.close()
    throw err
  }
  if (!memory) {
    // NOTE: the worker below copies the WAL into the file off the request thread, but under
    // constant writes it never catches up with the last frames, and only a checkpoint that
    // does lets the WAL start over: left alone it grew by gigabytes. So past the limit the
    // writer finishes the job after a commit, as SQLite would on its own; by then the worker
    // has copied nearly everything, and the file-level syncs are all it pays.
    const limit = opts.walLimitPages ?? DEFAULT_WAL_LIMIT_PAGES
    sqlite.pragma(`wal_autocheckpoint = ${limit}`)
    sqlite.pragma(`journal_size_limit = ${limit * 4096 * 2}`)
    const checkpointer = startCheckpointer(location, () => {
      if (sqlite.open) sqlite.pragma('wal_autocheckpoint = 1000')
    })
    store.onClose(() => checkpointer.stop())
  }
  return store
}

/** What the prepared statements kept may take in SQLite's memory (estimated, see statementBytes). */
const STATEMENT_CACHE_BYTES = 8 * 1024 * 1024

/**
 * Kysely's SQLite driver prepares every statement anew on each query; reusing
 * the prepared statement for the same SQL text saves more time than the query
 * itself takes on a GET. Bounded by the memory the statements take in
 * SQLite: a list page that misses the resource cache prepares `id in (?, ?…)`
 * with as many parameters as it missed, each count a statement of its own,
 * and the 500 of 501 to 1,000 parameters held 67 MB. Least recently used
 * dropped first, so the statements of every request stay while the rare
 * ones come and go (about 900 short statements fit; a session of creates,
 * lists, gets, actions and deletes through the native API prepared 69).
 */
function cachePreparedStatements(sqlite: SQLite.Database): void {
  const prepare = sqlite.prepare.bind(sqlite)
  const cache = new Lru<SQLite.Statement>(STATEMENT_CACHE_BYTES)
  sqlite.prepare = ((source: string) => {
    let stmt = cache.get(source)
    if (!stmt) {
      stmt = prepare(source)
      cache.set(source, stmt, statementBytes(source))
    }
    return stmt
  }) as typeof sqlite.prepare
}

/**
 * A prepared statement's size in SQLite's memory, from its text: measured on
 * better-sqlite3 12 (SQLite 3.53), about 8.6 KB for a short statement and
 * 134 KB for `select * ... where id in (...)` with 1,000 parameters (3 KB of text).
 */
function statementBytes(source: string): number {
  return 8 * 1024 + 40 * source.length
}
