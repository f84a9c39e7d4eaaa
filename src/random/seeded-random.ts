import { hash, randomBytes } from 'node:crypto'

/**
 * mockcloud's one source of randomness: latencies, failures, addresses, ids and
 * MACs all come from here.
 *
 * It is counter-based: every draw is a hash of the seed and the draw's own keys
 * (a resource id, an operation, an attempt number). The same seed and the same
 * calls therefore give the same run, whatever order unrelated requests arrive
 * in, after a restart, and on any node of a shared deployment.
 *
 * @example
 * const rng = new SeededRandom('42')
 * rng.float('vm-1', 'create', 'latency') // same value on every run with seed 42
 */
export class SeededRandom {
  readonly seed: string

  constructor(seed?: string) {
    // NOTE: without a seed the run is still reproducible: the seed is logged at start.
    this.seed = seed ?? randomBytes(8).toString('hex')
  }

  /** 32 bytes determined by the seed and the keys. */
  bytes(...keys: Array<string | number>): Buffer {
    // NOTE: one-shot hashing of the joined text: the same digest as feeding the parts in turn, at a fraction of the cost (a create draws a dozen times).
    let text = this.seed
    for (const k of keys) text += `\u0000${k}`
    return hash('sha256', text, 'buffer')
  }

  /** A float in [0, 1) determined by the seed and the keys. */
  float(...keys: Array<string | number>): number {
    const b = this.bytes(...keys)
    // 53 bits: the full precision of a double.
    return (b.readUInt32BE(0) * 2 ** 21 + (b.readUInt32BE(4) >>> 11)) / 2 ** 53
  }

  /** An integer in [min, max] (inclusive) determined by the seed and the keys. */
  int(min: number, max: number, ...keys: Array<string | number>): number {
    return min + Math.floor(this.float(...keys) * (max - min + 1))
  }

  /** A version-4 UUID determined by the seed and the keys. */
  uuid(...keys: Array<string | number>): string {
    const b = this.bytes('uuid', ...keys)
    b[6] = ((b[6] ?? 0) & 0x0f) | 0x40
    b[8] = ((b[8] ?? 0) & 0x3f) | 0x80
    const hex = b.subarray(0, 16).toString('hex')
    return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20, 32)}`
  }

  /** A hex string of `length` characters determined by the seed and the keys. */
  hex(length: number, ...keys: Array<string | number>): string {
    return this.bytes('hex', ...keys).toString('hex').slice(0, length)
  }
}
