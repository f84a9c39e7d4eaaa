import { openPostgresStore } from './postgres-store.js'
import { openSqliteStore } from './sqlite-store.js'
import type { Store } from './store.js'

/**
 * Opens the store a `--db` value names: a `postgres://` (or `postgresql://`)
 * URL for PostgreSQL, anything else is a SQLite file path or `:memory:`.
 *
 * @example
 * await openStore('.mockcloud/mockcloud.db')
 * await openStore('postgres://127.0.0.1:5432/test?schema=ci')
 */
export function openStore(location: string): Promise<Store> {
  return /^postgres(ql)?:\/\//.test(location) ? openPostgresStore(location) : openSqliteStore(location)
}
