import { sql, type Kysely, type Migration } from 'kysely'

/**
 * The event history (docs/decisions/0007-event-history.md): each event
 * carries the resource; numbers come from one row, `event_log`, taken in the
 * committing transaction, so they are handed out in commit order with no
 * gaps; `floor` is the last number retention has pruned. Each resource
 * keeps the number of the last event that changed it (`event_seq`: what a
 * Kubernetes face shows as its resourceVersion). The event indexes no reader
 * used go: readers replay by number (the primary key).
 */
export const eventHistoryMigration: Migration = {
  async up(db: Kysely<unknown>) {
    await db.schema.alterTable('events').addColumn('resource', 'text').execute()
    await db.schema.alterTable('resources').addColumn('event_seq', 'bigint', (c) => c.notNull().defaultTo(0)).execute()
    await db.schema.dropIndex('events_resource').execute()
    await db.schema.dropIndex('events_at').execute()
    await db.schema
      .createTable('event_log')
      .addColumn('id', 'integer', (c) => c.primaryKey())
      .addColumn('last_seq', 'bigint', (c) => c.notNull())
      .addColumn('floor', 'bigint', (c) => c.notNull())
      .execute()
    await sql`insert into event_log (id, last_seq, floor) select 1, coalesce(max(seq), 0), 0 from events`.execute(db)
  },
}
