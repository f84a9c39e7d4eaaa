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
export async function openStore(location: string): Promise<Store> {
  // NOTE: the PostgreSQL driver is loaded only for a PostgreSQL URL.
  if (/^postgres(ql)?:\/\//.test(location)) return (await import('./postgres-store.js')).openPostgresStore(location)
  return openSqliteStore(location)
}
