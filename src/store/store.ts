import { Migrator, type Kysely, type Migration } from 'kysely'
import type { Database } from './database.js'
import { initialMigration } from './migrations/001-initial.js'
import { lookupIndexesMigration } from './migrations/002-lookup-indexes.js'
import { faultsMigration } from './migrations/003-faults.js'
import { workersMigration } from './migrations/004-workers.js'
import { eventHistoryMigration } from './migrations/005-event-history.js'
import { quotasMigration } from './migrations/006-quotas.js'
import { phasesMigration } from './migrations/007-phases.js'
import { eventSeqAtWriteMigration } from './migrations/008-event-seq-at-write.js'
import { GroupCommit } from './group-commit.js'
import { Queries } from './queries.js'
import { ResourceCache } from './resource-cache.js'
import type { DirectReader, TxExecutor } from './query-template.js'

export type StoreDialect = 'sqlite' | 'postgres'

/**
 * The one persistence seam. Every state change goes through `transaction`, so
 * a change, its event, its scheduled transition and its IP allocations commit
 * together or not at all. Implementations differ only in how they open the
 * database (see `openSqliteStore`); the queries are shared.
 *
 * @example
 * await store.transaction(async (q) => { await q.insertResource(r); await q.appendEvents([e], retention) })
 */
export class Store {
  /** Queries outside any transaction, for reads. */
  readonly read: Queries
  /** The PostgreSQL schema the store lives in (the URL's ?schema=, or the connection's current one). */
  readonly schema: string | undefined
  /** SQLite has one writer: transactions waiting for it commit together. */
  private readonly groupCommit: GroupCommit | undefined
  private readonly closers: Array<() => Promise<void>> = []

  constructor(
    readonly db: Kysely<Database>,
    readonly dialect: StoreDialect,
    readonly location: string,
    opts: {
      /** The PostgreSQL schema the store lives in. */
      schema?: string | undefined
      /** Runs reads outside transactions without Kysely's executor (SQLite's one connection). */
      direct?: DirectReader
      /** Runs the templates of a group commit's transaction without Kysely's executor (SQLite's one connection). */
      exec?: TxExecutor
    } = {},
  ) {
    this.schema = opts.schema
    // NOTE: only SQLite has one writing process (its owner lock); PostgreSQL is shared by many.
    const cache = dialect === 'sqlite' ? new ResourceCache() : undefined
    this.read = new Queries(db, dialect, opts.direct, cache)
    this.groupCommit = dialect === 'sqlite' ? new GroupCommit(db, (trx) => new Queries(trx, dialect, undefined, cache, opts.exec), opts.exec, cache) : undefined
  }

  /** Whether concurrent transactions are committed together (so submitting them at once saves commits). */
  get groupsCommits(): boolean {
    return this.groupCommit !== undefined
  }

  transaction<T>(fn: (q: Queries) => Promise<T>): Promise<T> {
    if (this.groupCommit) return this.groupCommit.run(fn)
    return this.db.transaction().execute((trx) => fn(new Queries(trx, this.dialect)))
  }

  /** Runs `close` before the database closes (background helpers of one store). */
  onClose(close: () => Promise<void>): void {
    this.closers.push(close)
  }

  /** Brings the schema up to date; safe to call on every start. */
  async migrate(): Promise<void> {
    const migrations: Record<string, Migration> = {
      '001-initial': initialMigration(this.dialect),
      '002-lookup-indexes': lookupIndexesMigration,
      '003-faults': faultsMigration(this.dialect),
      '004-workers': workersMigration,
      '005-event-history': eventHistoryMigration(this.dialect),
      '006-quotas': quotasMigration,
      '007-phases': phasesMigration,
      '008-event-seq-at-write': eventSeqAtWriteMigration(this.dialect),
    }
    // NOTE: always the store's schema: without it Kysely takes another schema's migration tables for
    // its own (its stock introspector lists every schema), then fails on the ones missing from this one.
    const migrator = new Migrator({ db: this.db, provider: { getMigrations: async () => migrations }, ...(this.schema ? { migrationTableSchema: this.schema } : {}) })
    const { error } = await migrator.migrateToLatest()
    if (error) throw error instanceof Error ? error : new Error(String(error))
  }

  async close(): Promise<void> {
    for (const close of this.closers.splice(0)) await close()
    await this.db.destroy()
  }
}
