interface Entry<V> {
  readonly key: string
  readonly value: V
  readonly bytes: number
  /** The move to the front that put it there last (see Lru.get). */
  moved: number
  /** Towards the most recently used entry. */
  newer: Entry<V> | undefined
  /** Towards the least recently used entry. */
  older: Entry<V> | undefined
}

/**
 * Values by key, bounded by the bytes their owner says they take, least
 * recently used dropped first; a hit moves its entry to the front, unless it
 * is still among the newest quarter: then it stays where it is, so a hit never
 * leaves an entry further than a quarter of the entries from the front (and a
 * cache of fewer than 8 keeps the exact order). A list page hits the same
 * hundred records at each request, and each move costs a few cache misses
 * through the neighbouring entries (4 µs a page when every hit moved).
 *
 * The order is a linked list through the entries, so a hit costs a Map
 * lookup and a few pointer writes. (The shorter way, a Map delete and set per
 * hit, leaves a hole in the Map's table each time and V8 rebuilds the table
 * as they pile up: measured on Node 20, 0.5 µs per hit spread over 10,000
 * keys, and 33 µs per hit on one key hit again and again, as a GET of one
 * resource does.)
 */
export class Lru<V> {
  private readonly byKey = new Map<string, Entry<V>>()
  private newest: Entry<V> | undefined
  private oldest: Entry<V> | undefined
  private total = 0
  /** Moves to the front so far: an entry moved less than size/4 moves ago is at most size/4 from the front. */
  private moves = 0

  /** `maxBytes`: the budget, in the unit `set` is given sizes in. */
  constructor(readonly maxBytes: number) {
    if (!(maxBytes >= 0)) throw new RangeError(`maxBytes must be a non-negative number, got ${maxBytes}`)
  }

  /** How many values it holds. */
  get size(): number {
    return this.byKey.size
  }

  /** The bytes it holds, at most `maxBytes`. */
  get bytes(): number {
    return this.total
  }

  get(key: string): V | undefined {
    const e = this.byKey.get(key)
    if (e === undefined) return undefined
    if (this.moves - e.moved >= this.byKey.size >> 2 && e !== this.newest) {
      this.unlink(e)
      this.pushNewest(e)
    }
    return e.value
  }

  /**
   * Keeps `value` as the most recently used, replacing what `key` held, then
   * drops the least recently used values until the total is within budget.
   * A value larger than the whole budget is not kept.
   */
  set(key: string, value: V, bytes: number): void {
    const old = this.byKey.get(key)
    if (old !== undefined) this.drop(old)
    if (bytes > this.maxBytes) return
    const e: Entry<V> = { key, value, bytes, moved: 0, newer: undefined, older: undefined }
    this.byKey.set(key, e)
    this.pushNewest(e)
    this.total += bytes
    while (this.total > this.maxBytes && this.oldest !== undefined) this.drop(this.oldest)
  }

  delete(key: string): void {
    const e = this.byKey.get(key)
    if (e !== undefined) this.drop(e)
  }

  clear(): void {
    this.byKey.clear()
    this.newest = this.oldest = undefined
    this.total = 0
  }

  /** Keys from the most to the least recently used (for tests and diagnostics). */
  *keys(): IterableIterator<string> {
    for (let e = this.newest; e !== undefined; e = e.older) yield e.key
  }

  private drop(e: Entry<V>): void {
    this.unlink(e)
    this.byKey.delete(e.key)
    this.total -= e.bytes
  }

  private unlink(e: Entry<V>): void {
    if (e.newer) e.newer.older = e.older
    else this.newest = e.older
    if (e.older) e.older.newer = e.newer
    else this.oldest = e.newer
    e.newer = e.older = undefined
  }

  private pushNewest(e: Entry<V>): void {
    e.moved = ++this.moves
    e.older = this.newest
    if (this.newest) this.newest.newer = e
    else this.oldest = e
    this.newest = e
  }
}
