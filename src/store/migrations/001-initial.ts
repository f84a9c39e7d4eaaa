import { sql, type Kysely, type Migration } from 'kysely'
import type { StoreDialect } from '../store.js'

/** The first schema: resources, the transition queue, events, IPAM, references, counters. */
export function initialMigration(dialect: StoreDialect): Migration {
  // NOTE: an identity column is spelled differently per database; all else is shared.
  const serialPk = (db: Kysely<unknown>, table: string, column: string) =>
    dialect === 'postgres'
      ? db.schema.createTable(table).addColumn(column, 'bigserial', (c) => c.primaryKey())
      : db.schema.createTable(table).addColumn(column, 'integer', (c) => c.primaryKey().autoIncrement())

  return {
    async up(db: Kysely<unknown>) {
      await serialPk(db, 'resources', 'seq')
        .addColumn('id', 'text', (c) => c.notNull().unique())
        .addColumn('kind', 'text', (c) => c.notNull())
        .addColumn('project', 'text', (c) => c.notNull())
        .addColumn('name', 'text', (c) => c.notNull())
        .addColumn('status', 'text', (c) => c.notNull())
        .addColumn('parent_id', 'text')
        .addColumn('version', 'integer', (c) => c.notNull())
        .addColumn('data', 'text', (c) => c.notNull())
        .addColumn('created_at', 'bigint', (c) => c.notNull())
        .addColumn('updated_at', 'bigint', (c) => c.notNull())
        .execute()
      await db.schema.createIndex('resources_scope').on('resources').columns(['project', 'kind', 'seq']).execute()
      await db.schema.createIndex('resources_name').on('resources').columns(['kind', 'name']).execute()
      await db.schema.createIndex('resources_parent').on('resources').columns(['parent_id']).execute()

      await serialPk(db, 'transitions', 'id')
        .addColumn('resource_id', 'text', (c) => c.notNull())
        .addColumn('operation', 'text', (c) => c.notNull())
        .addColumn('due_at', 'bigint', (c) => c.notNull())
        .addColumn('expected_version', 'integer', (c) => c.notNull())
        .addColumn('outcome', 'text', (c) => c.notNull())
        .addColumn('detail', 'text')
        .addColumn('created_at', 'bigint', (c) => c.notNull())
        .execute()
      await db.schema.createIndex('transitions_due').on('transitions').columns(['due_at', 'id']).execute()
      await db.schema.createIndex('transitions_resource').on('transitions').columns(['resource_id']).execute()

      await serialPk(db, 'events', 'seq')
        .addColumn('at', 'bigint', (c) => c.notNull())
        .addColumn('project', 'text', (c) => c.notNull())
        .addColumn('kind', 'text', (c) => c.notNull())
        .addColumn('resource_id', 'text', (c) => c.notNull())
        .addColumn('name', 'text', (c) => c.notNull())
        .addColumn('type', 'text', (c) => c.notNull())
        .addColumn('operation', 'text')
        .addColumn('from_status', 'text')
        .addColumn('to_status', 'text')
        .addColumn('version', 'integer', (c) => c.notNull())
        .execute()
      await db.schema.createIndex('events_resource').on('events').columns(['resource_id', 'seq']).execute()

      await db.schema
        .createTable('ip_allocations')
        .addColumn('pool', 'text', (c) => c.notNull())
        .addColumn('address', 'text', (c) => c.notNull())
        .addColumn('owner_id', 'text', (c) => c.notNull())
        .addPrimaryKeyConstraint('ip_allocations_pk', ['pool', 'address'])
        .execute()
      await db.schema.createIndex('ip_allocations_owner').on('ip_allocations').columns(['owner_id']).execute()

      await db.schema
        .createTable('refs')
        .addColumn('from_id', 'text', (c) => c.notNull())
        .addColumn('to_id', 'text', (c) => c.notNull())
        .addColumn('relation', 'text', (c) => c.notNull())
        .addPrimaryKeyConstraint('refs_pk', ['from_id', 'to_id', 'relation'])
        .execute()
      await db.schema.createIndex('refs_to').on('refs').columns(['to_id', 'relation']).execute()

      await db.schema
        .createTable('counters')
        .addColumn('key', 'text', (c) => c.primaryKey())
        .addColumn('value', 'bigint', (c) => c.notNull())
        .execute()
      if (dialect === 'postgres') {
        // NOTE: ids come from a sequence on PostgreSQL: nextval takes no row lock,
        // so concurrent creates on many nodes do not queue behind one counter row.
        await sql`create sequence resource_ids`.execute(db)
      }
      await db.schema
        .createTable('meta')
        .addColumn('key', 'text', (c) => c.primaryKey())
        .addColumn('value', 'text', (c) => c.notNull())
        .execute()
    },
  }
}
