import { Migrator, type Kysely, type Migration } from 'kysely'
import type { Database } from './database.js'
import { initialMigration } from './migrations/001-initial.js'
import { lookupIndexesMigration } from './migrations/002-lookup-indexes.js'
import { Queries } from './queries.js'

export type StoreDialect = 'sqlite' | 'postgres'

/**
 * The one persistence seam. Every state change goes through `transaction`, so
 * a change, its event, its scheduled transition and its IP allocations commit
 * together or not at all. Implementations differ only in how they open the
 * database (see `openSqliteStore`); the queries are shared.
 *
 * @example
 * await store.transaction(async (q) => { await q.insertResource(r); await q.insertEvent(e) })
 */
export class Store {
  /** Queries outside any transaction, for reads. */
  readonly read: Queries

  constructor(
    readonly db: Kysely<Database>,
    readonly dialect: StoreDialect,
    readonly location: string,
    /** The PostgreSQL schema the store lives in, when it has its own. */
    readonly schema?: string,
  ) {
    this.read = new Queries(db, dialect)
  }

  transaction<T>(fn: (q: Queries) => Promise<T>): Promise<T> {
    return this.db.transaction().execute((trx) => fn(new Queries(trx, this.dialect)))
  }

  /** Brings the schema up to date; safe to call on every start. */
  async migrate(): Promise<void> {
    const migrations: Record<string, Migration> = { '001-initial': initialMigration(this.dialect), '002-lookup-indexes': lookupIndexesMigration }
    // NOTE: without migrationTableSchema Kysely finds another schema's migration tables and skips its own.
    const migrator = new Migrator({ db: this.db, provider: { getMigrations: async () => migrations }, ...(this.schema ? { migrationTableSchema: this.schema } : {}) })
    const { error } = await migrator.migrateToLatest()
    if (error) throw error instanceof Error ? error : new Error(String(error))
  }

  async close(): Promise<void> {
    await this.db.destroy()
  }
}
