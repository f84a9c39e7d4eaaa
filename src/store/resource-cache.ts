import { Lru } from './lru.js'
import type { ResourceRecord } from './records.js'

/**
 * The default budget of a cache: 16 MiB of estimated size (about 12,000 VMs).
 * NOTE: what the cache holds costs several times its size in resident memory,
 * since V8 lets the heap grow in proportion to what lives in it before it
 * collects the garbage of records dropped from here: a server reading 100,000
 * resources settled at 373 MB with 32 MiB, 210 MB with 16 MiB and 209-228 MB
 * with 8 MiB (bench:memory, Node 20).
 */
export const DEFAULT_CACHE_BYTES = 16 * 1024 * 1024

/**
 * What a cached record costs beyond its data: the record object, its id,
 * name and other strings, the cache's entry and map slot, the face's
 * WeakMap entry (see estimateRecordBytes).
 */
export const RECORD_OVERHEAD_BYTES = 300

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
 * are shared by every caller.
 *
 * Bounded by an estimate of the bytes it holds (`maxBytes`, see
 * estimateRecordBytes), least recently used dropped first: a hit, in a GET
 * or in a list page, counts as a use.
 */
export class ResourceCache {
  private readonly lru: Lru<ResourceRecord>

  /** `maxBytes`: the budget, in estimated bytes. */
  constructor(readonly maxBytes = DEFAULT_CACHE_BYTES) {
    this.lru = new Lru(maxBytes)
  }

  /** How many records it holds. */
  get size(): number {
    return this.lru.size
  }

  /** The estimated bytes it holds, at most `maxBytes`. */
  get bytes(): number {
    return this.lru.bytes
  }

  get(id: string): ResourceRecord | undefined {
    return this.lru.get(id)
  }

  /**
   * A resource as committed, read outside any transaction; returned frozen.
   * A record larger than the whole budget is not kept.
   */
  remember(r: ResourceRecord, bytes = estimateRecordBytes(r)): ResourceRecord {
    deepFreeze(r)
    this.lru.set(r.id, r, bytes)
    return r
  }

  forget(id: string): void {
    this.lru.delete(id)
  }

  /** After writes that touch resources wholesale (reset, snapshot import). */
  clear(): void {
    this.lru.clear()
  }

  /** Ids from the most to the least recently used (for tests and diagnostics). */
  ids(): IterableIterator<string> {
    return this.lru.keys()
  }
}

/**
 * A record's cost in bytes, roughly as V8 holds it: three times the length of
 * its data's JSON (the parsed data takes about twice that, and the wire JSON
 * a face keeps beside a cached record about as much again), plus a fixed
 * overhead. Measured on Node 20 with a server holding 20,000 cached VMs:
 * 1.39 KB of heap each; estimated 1.33 KB (data JSON 342 bytes).
 * Costs one JSON.stringify of the data, on a miss only.
 */
export function estimateRecordBytes(r: ResourceRecord): number {
  return estimateBytesFromData(JSON.stringify(r.data))
}

/** estimateRecordBytes, from the data's JSON where the caller has it already (a row read, an update written). */
export function estimateBytesFromData(dataJson: string): number {
  return 3 * dataJson.length + RECORD_OVERHEAD_BYTES
}

function deepFreeze(value: unknown): void {
  if (value === null || typeof value !== 'object' || Object.isFrozen(value)) return
  Object.freeze(value)
  for (const v of Object.values(value)) deepFreeze(v)
}
