import { dataJson } from './data-json.js'
import { Lru } from './lru.js'
import type { FaultRecord, ResourceRecord } from './records.js'

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

/** What the names part of the cache may hold, in estimated bytes (about 5,000 names). */
export const DEFAULT_NAME_CACHE_BYTES = 1024 * 1024

/** What an id known to be absent costs: the entry, its id and its map slot. */
const ABSENT_BYTES = 150

/**
 * Committed resources by id, kept by the one process that owns a SQLite file
 * (the owner lock refuses a second one), so a GET, and the lookups inside a
 * create, need not ask SQLite for what nobody has changed since.
 *
 * It holds four things, each as committed: records by id; ids known to hold
 * no resource (a create resolves `m1.small` by id before it tries the name);
 * the ids a lookup by kind, scopes and name found (a create resolves its
 * flavor, image and the project's default security group by name); and the
 * fault rules of each operation (read as each operation and each phase
 * begins, usually to find none).
 *
 * Coherent by two rules the store keeps: only committed state goes in (read
 * outside any transaction, or noted in one and put in once it commits, see
 * TouchedRecords); and every write drops what it changes at once, before its
 * transaction commits (a resource's id and its kind and name; for a fault
 * rule, every operation's rules), so a rolled-back write just costs a miss.
 * A hit is therefore committed state, even inside a transaction, as long as
 * that transaction has not written it. Records are frozen: they are shared
 * by every caller.
 *
 * Bounded by an estimate of the bytes it holds (`maxBytes`, see
 * estimateRecordBytes), least recently used dropped first: a hit, in a GET
 * or in a list page, counts as a use. Names have a budget of their own.
 */
export class ResourceCache {
  /** A record, or null for an id known to hold none. */
  private readonly lru: Lru<ResourceRecord | null>
  /** By kind and name: the ids found per scopes looked in. */
  private readonly names: Lru<ReadonlyMap<string, readonly string[]>>
  /** By kind and operation (one entry per operation the engine runs): the rules that may fire on it. */
  private readonly rules = new Map<string, readonly FaultRecord[]>()

  /** `maxBytes`: the budget, in estimated bytes. */
  constructor(
    readonly maxBytes = DEFAULT_CACHE_BYTES,
    nameBytes = DEFAULT_NAME_CACHE_BYTES,
  ) {
    this.lru = new Lru(maxBytes)
    this.names = new Lru(nameBytes)
  }

  /** How many records (and absent ids) it holds. */
  get size(): number {
    return this.lru.size
  }

  /** The estimated bytes it holds, at most `maxBytes`. */
  get bytes(): number {
    return this.lru.bytes
  }

  get(id: string): ResourceRecord | undefined {
    return this.lru.get(id) ?? undefined
  }

  /** Whether the id is known to hold no resource, as committed. */
  isAbsent(id: string): boolean {
    return this.lru.get(id) === null
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

  /** An id that holds no resource, as committed. */
  rememberAbsent(id: string): void {
    this.lru.set(id, null, ABSENT_BYTES + id.length)
  }

  forget(id: string): void {
    this.lru.delete(id)
  }

  /** The ids of the resources of `kind` named `name` in `scopes`, as committed; undefined when not known. */
  named(kind: string, name: string, scopes: string): readonly string[] | undefined {
    return this.names.get(nameKey(kind, name))?.get(scopes)
  }

  /** What a lookup by name found, as committed. */
  rememberNamed(kind: string, name: string, scopes: string, ids: readonly string[]): void {
    const key = nameKey(kind, name)
    const found = new Map(this.names.get(key))
    found.set(scopes, ids)
    let bytes = 100 + key.length
    for (const [s, i] of found) bytes += 80 + s.length + 40 * i.length
    this.names.set(key, found, bytes)
  }

  /** A resource of `kind` named `name` is written: what lookups by that name found no longer holds. */
  forgetNamed(kind: string, name: string): void {
    this.names.delete(nameKey(kind, name))
  }

  /** The fault rules that may fire on `operation` of `kind`, as committed; undefined when not known. */
  faultRules(kind: string, operation: string): readonly FaultRecord[] | undefined {
    return this.rules.get(nameKey(kind, operation))
  }

  rememberFaultRules(kind: string, operation: string, rules: readonly FaultRecord[]): void {
    deepFreeze(rules)
    this.rules.set(nameKey(kind, operation), rules)
  }

  /** A fault rule was added, changed or removed. */
  forgetFaultRules(): void {
    this.rules.clear()
  }

  /** After writes that touch resources wholesale (reset, snapshot import). */
  clear(): void {
    this.lru.clear()
    this.names.clear()
    this.rules.clear()
  }

  /** Ids from the most to the least recently used (for tests and diagnostics). */
  ids(): IterableIterator<string> {
    return this.lru.keys()
  }
}

/** The key of a kind and a name, or of a kind and an operation (names may hold any character but NUL). */
export function nameKey(kind: string, name: string): string {
  return `${kind}\u0000${name}`
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
  return estimateBytesFromData(dataJson(r.data))
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
