import { sql, type Kysely, type Migration } from 'kysely'
import type { StoreDialect } from '../store.js'

/**
 * SQLite: a resource's `event_seq` is written with the resource itself (the
 * store knows the number its event will take, see `nextEventSeq` in
 * queries.ts), so the trigger of migration 005 that wrote the row a second
 * time for each event goes. PostgreSQL numbers events only as a transaction
 * appends them, and keeps it.
 */
export function eventSeqAtWriteMigration(dialect: StoreDialect): Migration {
  return {
    async up(db: Kysely<unknown>) {
      if (dialect === 'sqlite') await sql`drop trigger if exists events_set_resource_seq`.execute(db)
    },
  }
}
