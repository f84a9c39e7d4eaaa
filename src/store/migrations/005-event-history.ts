import { sql, type Kysely, type Migration } from 'kysely'
import type { StoreDialect } from '../store.js'

/**
 * The event history (docs/decisions/0007-event-history.md): each event
 * carries the resource; numbers come from one row, `event_log`, taken in the
 * committing transaction, so they are handed out in commit order with no
 * gaps; `floor` is the last number retention has pruned. Each resource
 * keeps the number of the last event that changed it (`event_seq`: what a
 * Kubernetes face shows as its resourceVersion). The event indexes no reader
 * used go: readers replay by number (the primary key).
 */
export function eventHistoryMigration(dialect: StoreDialect): Migration {
  return {
    async up(db: Kysely<unknown>) {
      await up(db, dialect)
    },
  }
}

async function up(db: Kysely<unknown>, dialect: StoreDialect): Promise<void> {
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
  // NOTE: a trigger, not a statement from the engine: one statement less per change on the hot path, and
  // on PostgreSQL one round trip less while the numbering lock is held.
  if (dialect === 'postgres') {
    await sql`create function events_set_resource_seq() returns trigger language plpgsql as $$
      begin
        if new.type <> 'deleted' then update resources set event_seq = new.seq where id = new.resource_id; end if;
        return null;
      end $$`.execute(db)
    await sql`create trigger events_set_resource_seq after insert on events for each row execute function events_set_resource_seq()`.execute(db)
  } else {
    await sql`create trigger events_set_resource_seq after insert on events when new.type <> 'deleted'
      begin update resources set event_seq = new.seq where id = new.resource_id; end`.execute(db)
  }
}
