import type { FaultRecord, ResourceRecord } from './records.js'
import { nameKey, type ResourceCache } from './resource-cache.js'

/** What a batch saw of one id, last first. */
type Seen =
  /** A record read, and not written since. */
  | { record: ResourceRecord; bytes: number }
  /** Read and found absent. */
  | { record: null; absent: true }
  /** Inserted, changed or deleted: whatever the cache holds of it goes. */
  | { record: null; absent: false }

/**
 * What a group commit's transactions read and wrote, newest first, for the
 * resource cache to take once the commit holds them (the cache may only hold
 * committed state, so a transaction drops from it whatever it writes, see
 * ResourceCache):
 *
 * - the records it read and did not write (the network, flavor and image
 *   every create reads); not those it wrote: a cache filled with every
 *   record written costs its whole budget in memory after a bulk load, for
 *   records nobody may read, and even those a scheduled transition reads
 *   again (the next phase of a build) cost more to keep than to read: each
 *   one lives a phase, long enough to reach V8's old space, and a busy
 *   server's heap grew by a tenth with them for no gain in speed;
 * - the ids it looked up and found absent;
 * - what its lookups by name found, unless a later transaction of the batch
 *   wrote a resource of that kind and name;
 * - the fault rules it read, unless a later transaction wrote one.
 *
 * A transaction rolled back to its savepoint is never merged; a wholesale
 * write (a reset, a snapshot import) forgets what was noted before it.
 */
export class TouchedRecords {
  private readonly byId = new Map<string, Seen>()
  /** Lookups by name: by kind and name, the ids found per scopes. */
  private readonly names = new Map<string, { kind: string; name: string; found: Map<string, readonly string[]> }>()
  /** Kinds and names (nameKey) written: lookups noted before, in the batch, no longer hold. */
  private readonly namesWritten = new Set<string>()
  /** Fault rules read, by kind and operation. */
  private readonly rules = new Map<string, { kind: string; operation: string; rules: readonly FaultRecord[] }>()
  /** A fault rule was written: rules read before, in the batch, no longer hold. */
  private rulesWritten = false
  /** A wholesale write happened: what the batch noted before it no longer holds. */
  private wholesale = false

  /** A record read in the transaction; `bytes` its estimate (see estimateRecordBytes). */
  note(record: ResourceRecord, bytes: number): void {
    // NOTE: without a real `seq` (the engine puts 0 in what it inserts), a record is no use to pages.
    if (!(record.seq > 0)) return
    const seen = this.byId.get(record.id)
    if (seen?.record && seen.record.version >= record.version) return
    this.byId.set(record.id, { record, bytes })
  }

  /** An id read and found holding no resource. */
  absent(id: string): void {
    this.byId.set(id, { record: null, absent: true })
  }

  /** A resource inserted, changed or deleted in the transaction. */
  written(id: string): void {
    this.byId.set(id, { record: null, absent: false })
  }

  /** A lookup of `kind` by `name` in `scopes` found `ids`. */
  lookedUp(kind: string, name: string, scopes: string, ids: readonly string[]): void {
    const key = nameKey(kind, name)
    let entry = this.names.get(key)
    if (!entry) this.names.set(key, (entry = { kind, name, found: new Map() }))
    entry.found.set(scopes, ids)
  }

  /** A resource of `kind` named `name` was written (created, renamed, changed). */
  nameWritten(kind: string, name: string): void {
    const key = nameKey(kind, name)
    this.names.delete(key)
    this.namesWritten.add(key)
  }

  /** The fault rules that may fire on `operation` of `kind` were read. */
  readRules(kind: string, operation: string, rules: readonly FaultRecord[]): void {
    this.rules.set(nameKey(kind, operation), { kind, operation, rules })
  }

  /** A fault rule was added, changed or removed. */
  ruleWritten(): void {
    this.rules.clear()
    this.rulesWritten = true
  }

  /** Resources were written wholesale: nothing noted so far may go into the cache. */
  forgetAll(): void {
    this.byId.clear()
    this.names.clear()
    this.namesWritten.clear()
    this.rules.clear()
    this.wholesale = true
  }

  /** Takes in what a committed-to-be transaction noted, after what the batch noted before it. */
  merge(job: TouchedRecords): void {
    if (job.wholesale) this.forgetAll()
    for (const [id, seen] of job.byId) {
      if (seen.record) this.note(seen.record, seen.bytes)
      else this.byId.set(id, seen)
    }
    for (const key of job.namesWritten) {
      this.names.delete(key)
      this.namesWritten.add(key)
    }
    for (const { kind, name, found } of job.names.values()) for (const [scopes, ids] of found) this.lookedUp(kind, name, scopes, ids)
    if (job.rulesWritten) this.ruleWritten()
    for (const r of job.rules.values()) this.readRules(r.kind, r.operation, r.rules)
  }

  /** Once committed: into the cache what it may hold (see the class), out of it what was written. */
  applyTo(cache: ResourceCache): void {
    for (const [id, seen] of this.byId) {
      if (seen.record) cache.remember(seen.record, seen.bytes)
      else if (seen.absent) cache.rememberAbsent(id)
      else cache.forget(id)
    }
    for (const { kind, name, found } of this.names.values()) for (const [scopes, ids] of found) cache.rememberNamed(kind, name, scopes, ids)
    for (const r of this.rules.values()) cache.rememberFaultRules(r.kind, r.operation, r.rules)
  }
}
