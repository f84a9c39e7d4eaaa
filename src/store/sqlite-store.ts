import { mkdirSync } from 'node:fs'
import { dirname, resolve } from 'node:path'
import SQLite from 'better-sqlite3'
import { Kysely, SqliteDialect } from 'kysely'
import type { Database } from './database.js'
import { Store } from './store.js'

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
export async function openSqliteStore(path: string): Promise<Store> {
  const memory = path === ':memory:'
  const location = memory ? path : resolve(path)
  if (!memory) mkdirSync(dirname(location), { recursive: true })
  const sqlite = new SQLite(location)
  sqlite.pragma('journal_mode = WAL')
  sqlite.pragma('synchronous = NORMAL')
  sqlite.pragma('foreign_keys = ON')
  sqlite.pragma('busy_timeout = 5000')
  const db = new Kysely<Database>({ dialect: new SqliteDialect({ database: sqlite }) })
  const store = new Store(db, 'sqlite', location)
  await store.migrate()
  return store
}
