import type { ResourceRecord } from './records.js'
import type { ResourceCache } from './resource-cache.js'

/**
 * The resources a group commit's transactions read and wrote, newest version
 * of each, for the resource cache to take once the commit holds them: those
 * a scheduled transition will read again (the next phase of a build).
 *
 * The cache may only hold committed state, so a transaction drops from it
 * whatever it writes (ResourceCache). Without this, each phase of a build
 * reads back from SQLite what the phase before it wrote; with it, those
 * records go into the cache as the commit lands. Only those: a cache filled
 * with every record written would cost its whole budget in memory after a
 * bulk load, for records nobody may read. A transaction rolled back to its
 * savepoint is never merged; a wholesale write (a reset, a snapshot import)
 * forgets what was noted before it.
 */
export class TouchedRecords {
  private readonly byId = new Map<string, { record: ResourceRecord | null; bytes: number }>()
  /** Resources a transition scheduled in the batch will read. */
  private readonly pending = new Set<string>()
  /** A wholesale write happened: what the batch noted before it no longer holds. */
  private wholesale = false

  /** A record read or written in the transaction; `bytes` its estimate (see estimateRecordBytes). */
  note(record: ResourceRecord, bytes: number): void {
    // NOTE: a record inserted in the transaction has no `seq` yet (the database assigns it; the engine puts 0),
    // nor has one written after it: the cache needs the real one for pages.
    if (!(record.seq > 0)) return
    const had = this.byId.get(record.id)
    if (had && (had.record === null || had.record.version >= record.version)) return
    this.byId.set(record.id, { record, bytes })
  }

  /** A transition was scheduled for the resource: it will be read when it falls due. */
  willRead(id: string): void {
    this.pending.add(id)
  }

  /** A resource deleted in the transaction. */
  gone(id: string): void {
    this.byId.set(id, { record: null, bytes: 0 })
  }

  /** Resources were written wholesale: nothing noted so far may go into the cache. */
  forgetAll(): void {
    this.byId.clear()
    this.pending.clear()
    this.wholesale = true
  }

  /** Takes in what a committed-to-be transaction noted, after what the batch noted before it. */
  merge(job: TouchedRecords): void {
    if (job.wholesale) this.forgetAll()
    for (const { record, bytes } of job.byId.values()) {
      if (record) this.note(record, bytes)
    }
    for (const [id, { record }] of job.byId) if (record === null) this.gone(id)
    for (const id of job.pending) this.pending.add(id)
  }

  /** Once committed: the newest records a transition will read into the cache, the deleted out of it. */
  applyTo(cache: ResourceCache): void {
    for (const [id, { record, bytes }] of this.byId) {
      if (!record) cache.forget(id)
      else if (this.pending.has(id)) cache.remember(record, bytes)
    }
  }
}
