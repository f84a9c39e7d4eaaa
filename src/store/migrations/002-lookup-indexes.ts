import type { Kysely, Migration } from 'kysely'

/**
 * Children by kind (a security group's rules among a network's thousands of
 * ports) and the latest event time read at start-up, without scans.
 */
export const lookupIndexesMigration: Migration = {
  async up(db: Kysely<unknown>) {
    await db.schema.createIndex('resources_parent_kind').on('resources').columns(['parent_id', 'kind', 'seq']).execute()
    await db.schema.dropIndex('resources_parent').execute()
    await db.schema.createIndex('events_at').on('events').columns(['at']).execute()
  },
}
