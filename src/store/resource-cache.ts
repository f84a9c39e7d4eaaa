import type { ResourceRecord } from './records.js'

const DEFAULT_CAPACITY = 20_000

/**
 * Committed resources by id, kept by the one process that owns a SQLite file
 * (the owner lock refuses a second one), so a GET, and the lookups inside a
 * create, need not ask SQLite for what nobody has changed since.
 *
 * Coherent by two rules the store keeps: only committed state read outside
 * any transaction goes in, and every write to a resource drops its id at
 * once, before its transaction commits (a rolled-back write just costs a
 * miss). A hit is therefore the committed row, even inside a transaction,
 * as long as that transaction has not written it. Records are frozen: they
 * are shared by every caller. Bounded, oldest dropped first.
 */
export class ResourceCache {
  private readonly byId = new Map<string, ResourceRecord>()

  constructor(private readonly capacity = DEFAULT_CAPACITY) {}

  get(id: string): ResourceRecord | undefined {
    return this.byId.get(id)
  }

  /** A resource as committed, read outside any transaction. */
  remember(r: ResourceRecord): ResourceRecord {
    deepFreeze(r)
    if (this.byId.size >= this.capacity) this.byId.delete(this.byId.keys().next().value!)
    this.byId.set(r.id, r)
    return r
  }

  forget(id: string): void {
    this.byId.delete(id)
  }

  /** After writes that touch resources wholesale (reset, snapshot import). */
  clear(): void {
    this.byId.clear()
  }
}

function deepFreeze(value: unknown): void {
  if (value === null || typeof value !== 'object' || Object.isFrozen(value)) return
  Object.freeze(value)
  for (const v of Object.values(value)) deepFreeze(v)
}
