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

const DEFAULT_CAPACITY = 10_000

/**
 * The call log: the last calls every face answered, for tests to assert on
 * ("the deploy tool created exactly 3 VMs, then deleted them"). Kept in memory,
 * bounded (oldest dropped first); in a shared deployment each node forwards
 * what it records so that every node's log holds every node's calls.
 */
export class CallLog {
  private readonly calls: CallRecord[] = []
  private seq = 0
  private peers: { record(call: Omit<CallRecord, 'seq'>): void; clear(): void } | undefined

  constructor(private readonly capacity = DEFAULT_CAPACITY) {}

  /** Sends what this node records, and its clears, to the other nodes too. */
  shareWith(peers: { record(call: Omit<CallRecord, 'seq'>): void; clear(): void }): void {
    this.peers = peers
  }

  /** A call answered here. */
  record(call: Omit<CallRecord, 'seq'>): void {
    this.add(call)
    this.peers?.record(call)
  }

  /** A call another node answered. The log keeps `call` itself (numbered), not a copy. */
  add(call: Omit<CallRecord, 'seq'>): void {
    const kept = call as CallRecord
    kept.seq = ++this.seq
    this.calls.push(kept)
    // NOTE: trimmed a quarter at a time: dropping one per call shifts the whole array on every request once full.
    if (this.calls.length >= this.capacity + Math.max(1, this.capacity >> 2)) this.calls.splice(0, this.calls.length - this.capacity)
  }

  /** The last `capacity` calls that match, oldest first (`limit`: only the last N of them). */
  list(f: CallFilter = {}): CallRecord[] {
    const kept = this.calls.length > this.capacity ? this.calls.slice(-this.capacity) : this.calls
    const out = kept.filter(
      (c) =>
        (f.face === undefined || c.face === f.face) &&
        (f.operation === undefined || c.operation === f.operation) &&
        (f.method === undefined || c.method === f.method.toUpperCase()) &&
        (f.status === undefined || c.status === f.status) &&
        (f.project === undefined || c.project === f.project) &&
        (f.after === undefined || c.seq > f.after),
    )
    return f.limit === undefined ? out : out.slice(-f.limit)
  }

  /** Empties the log here and, in a shared deployment, on every node. */
  clear(): void {
    this.clearHere()
    this.peers?.clear()
  }

  clearHere(): void {
    this.calls.length = 0
  }
}
