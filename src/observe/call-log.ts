/** One request a face answered, as the call log keeps it. */
export interface CallRecord {
  /** Order in this node's log (each node numbers its own copy). */
  seq: number
  /** Emulated time the call was answered (ISO 8601). */
  at: string
  face: string
  /** `<collection>.<operation>`, e.g. `vms.create`, `volumes.attach`. */
  operation: string
  method: string
  path: string
  project: string
  params: Record<string, unknown>
  query: Record<string, unknown>
  body: unknown
  status: number
  duration_ms: number
}

export interface CallFilter {
  face?: string | undefined
  operation?: string | undefined
  method?: string | undefined
  status?: number | undefined
  project?: string | undefined
  /** Only calls after this seq. */
  after?: number | undefined
  limit?: number | undefined
}

export interface CallLogOptions {
  /** The most calls kept (oldest dropped first). Default 10 000. */
  maxEntries?: number | undefined
  /** The most bytes the kept calls may add up to (oldest dropped first). Default 16 MiB. */
  maxBytes?: number | undefined
  /** A longer request body is cut to this many bytes, its end marked `…[truncated, N bytes]`. Default 4 KiB, at least 64. */
  maxBodyBytes?: number | undefined
}

const DEFAULTS = { maxEntries: 10_000, maxBytes: 16 * 1024 * 1024, maxBodyBytes: 4 * 1024 }
// NOTE: what a call's fixed fields (times, names, method, status…) weigh, beside its path, arguments and body.
const RECORD_OVERHEAD_BYTES = 256

/**
 * The call log: the last calls every face answered, for tests to assert on
 * ("the deploy tool created exactly 3 VMs, then deleted them"). Kept in memory,
 * bounded in calls and in bytes (oldest dropped first), with long bodies cut;
 * in a shared deployment each node forwards what it records so that every
 * node's log holds every node's calls.
 */
export class CallLog {
  // NOTE: the kept calls are calls[head..]; dropping moves `head` rather than shifting the array on every request once full.
  private calls: Array<CallRecord | undefined> = []
  private sizes: number[] = []
  private head = 0
  private total = 0
  private seq = 0
  private peers: { record(call: Omit<CallRecord, 'seq'>): void; clear(): void } | undefined
  private readonly limits: typeof DEFAULTS

  constructor(opts: CallLogOptions = {}) {
    this.limits = {
      maxEntries: opts.maxEntries ?? DEFAULTS.maxEntries,
      maxBytes: opts.maxBytes ?? DEFAULTS.maxBytes,
      maxBodyBytes: opts.maxBodyBytes ?? DEFAULTS.maxBodyBytes,
    }
    // NOTE: a cut body's marker alone takes up to 40 bytes.
    for (const [name, least] of [['maxEntries', 1], ['maxBytes', 1], ['maxBodyBytes', 64]] as const) {
      const value = this.limits[name]
      if (!Number.isSafeInteger(value) || value < least) throw new RangeError(`call log ${name} must be an integer of at least ${least}, got ${value}`)
    }
  }

  /** Sends what this node records, and its clears, to the other nodes too. */
  shareWith(peers: { record(call: Omit<CallRecord, 'seq'>): void; clear(): void }): void {
    this.peers = peers
  }

  /** A call answered here; other nodes get it with its body already cut. */
  record(call: Omit<CallRecord, 'seq'>): void {
    this.add(call)
    this.peers?.record(call)
  }

  /**
   * A call another node answered. The log keeps `call` itself (numbered, its
   * body cut to `maxBodyBytes`), not a copy.
   */
  add(call: Omit<CallRecord, 'seq'>): void {
    const kept = call as CallRecord
    const body = cutBody(kept.body, this.limits.maxBodyBytes)
    kept.body = body.value
    kept.seq = ++this.seq
    const size = RECORD_OVERHEAD_BYTES + body.bytes + kept.path.length + jsonBytes(kept.params) + jsonBytes(kept.query)
    this.calls.push(kept)
    this.sizes.push(size)
    this.total += size
    while (this.length > this.limits.maxEntries || (this.total > this.limits.maxBytes && this.length > 0)) this.dropOldest()
    if (this.head > 1024 && this.head * 2 > this.calls.length) this.compact()
  }

  /** The kept calls that match, oldest first (`limit`: only the last N of them). */
  list(f: CallFilter = {}): CallRecord[] {
    const out: CallRecord[] = []
    for (let i = this.head; i < this.calls.length; i++) {
      const c = this.calls[i] as CallRecord
      if (
        (f.face === undefined || c.face === f.face) &&
        (f.operation === undefined || c.operation === f.operation) &&
        (f.method === undefined || c.method === f.method.toUpperCase()) &&
        (f.status === undefined || c.status === f.status) &&
        (f.project === undefined || c.project === f.project) &&
        (f.after === undefined || c.seq > f.after)
      ) {
        out.push(c)
      }
    }
    return f.limit === undefined ? out : out.slice(-f.limit)
  }

  /** What the kept calls weigh, as the log counts it against `maxBytes`. */
  get bytes(): number {
    return this.total
  }

  /** How many calls are kept. */
  get length(): number {
    return this.calls.length - this.head
  }

  /** Empties the log here and, in a shared deployment, on every node. */
  clear(): void {
    this.clearHere()
    this.peers?.clear()
  }

  clearHere(): void {
    this.calls = []
    this.sizes = []
    this.head = 0
    this.total = 0
  }

  private dropOldest(): void {
    this.total -= this.sizes[this.head] ?? 0
    this.calls[this.head] = undefined
    this.head++
  }

  private compact(): void {
    this.calls = this.calls.slice(this.head)
    this.sizes = this.sizes.slice(this.head)
    this.head = 0
  }
}

/**
 * A body as the log keeps it, and what it weighs: a short one as it is; a
 * longer one as the start of its JSON (whole characters) in a new string,
 * marked `…[truncated, N bytes]` (N its whole size in UTF-8), `max` bytes in
 * all, so that cutting it again (on another node) leaves it as it is.
 */
export function cutBody(body: unknown, max: number): { value: unknown; bytes: number } {
  if (body === undefined || body === null) return { value: null, bytes: 4 }
  const text = typeof body === 'string' ? body : JSON.stringify(body)
  if (text === undefined) return { value: null, bytes: 4 }
  const bytes = Buffer.byteLength(text)
  if (bytes <= max) return { value: body, bytes }
  const marker = `…[truncated, ${bytes} bytes]`
  const room = Math.max(0, max - Buffer.byteLength(marker))
  // NOTE: V8 may keep a slice of a string as a view of the whole; decoded from a Buffer it is a copy that holds nothing of it.
  const start = Buffer.from(text.slice(0, room), 'utf8')
  let end = Math.min(room, start.length)
  // NOTE: not in the middle of a character: back off continuation bytes (10xxxxxx) to where one starts.
  if (end < start.length) while (end > 0 && ((start[end] ?? 0) & 0xc0) === 0x80) end--
  const value = start.toString('utf8', 0, end) + marker
  return { value, bytes: end + Buffer.byteLength(marker) }
}

function jsonBytes(value: Record<string, unknown>): number {
  for (const _ in value) return JSON.stringify(value).length
  return 2
}
