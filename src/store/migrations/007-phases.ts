import type { Kysely, Migration } from 'kysely'

/**
 * The phase a resource is in while an operation runs (docs/decisions/0009-phases.md):
 * Nova's task_state, a VirtualMachineInstance's phase; null between operations.
 */
export const phasesMigration: Migration = {
  async up(db: Kysely<unknown>) {
    await db.schema.alterTable('resources').addColumn('phase', 'text').execute()
  },
}
