import { isWithin } from './scope.js'
import type { EventRecord } from '../store/records.js'
import type { Store } from '../store/store.js'
import { HistoryExpiredError, ValidationError } from './errors.js'
import type { EventBus } from './event-bus.js'

/** Which events a reader wants: of some projects (scopes) and kinds; all when left out. */
export interface EventFilter {
  /** Scopes whose events to keep, exactly. */
  projects?: readonly string[] | undefined
  /** Keep the events of this scope and of those it holds (a cluster and its namespaces). */
  within?: string | undefined
  kinds?: readonly string[] | undefined
}

export interface Watch {
  /** Stops delivering; idempotent. */
  stop(): void
}

/** The events kept for replay unless told otherwise: minutes of a busy test run, a few MB. */
export const DEFAULT_EVENT_RETENTION = 10_000

/** Events read from the store per query while catching up. */
const PAGE = 500

/**
 * The one source every event reader uses (the SSE and WebSocket streams,
 * Kubernetes watches, a dashboard): the events the store numbered in commit
 * order, replayed from a number, then followed live. The bus may deliver
 * events late, twice or out of order (one per node, through Redis); a watch
 * hands each event on once, in number order, reading any it missed from the
 * store. See docs/decisions/0007-event-history.md.
 *
 * @example
 * const { lastSeq } = await engine.history.position()
 * const watch = await engine.history.watch({ afterSeq: lastSeq, filter: { projects: ['team-a'] } }, (e) => send(e), (err) => close(err))
 */
export class EventHistory {
  constructor(
    private readonly store: Store,
    private readonly bus: EventBus,
  ) {}

  /** The last event number handed out, and the last one the retention pruned. */
  position(): Promise<{ lastSeq: number; floor: number }> {
    return this.store.read.eventLog()
  }

  /**
   * Up to `limit` events after `afterSeq` (and at most `upToSeq`), in order.
   * Throws HistoryExpiredError (410) when events after `afterSeq` were pruned,
   * and a ValidationError naming `after` for a number not handed out yet.
   */
  async replay(afterSeq: number, filter: EventFilter = {}, limit = PAGE, upToSeq?: number): Promise<EventRecord[]> {
    const events = await this.store.read.listEvents({ afterSeq, upToSeq, projects: filter.projects, within: filter.within, kinds: filter.kinds, limit })
    // NOTE: read after the events: a prune between the two reads is seen here, not missed.
    const { lastSeq, floor } = await this.position()
    if (afterSeq < floor) throw new HistoryExpiredError(afterSeq, floor)
    if (afterSeq > lastSeq) throw new ValidationError('after', `after: event ${afterSeq} has not happened yet; the latest is ${lastSeq}`)
    return events
  }

  /**
   * Delivers every event after `afterSeq` (default: from now on) that the
   * filter keeps, once each and in number order, until stopped. Checks the
   * number before it resolves (so a face can answer 410 or 400 in its own
   * format); a later failure (the history pruned past a slow reader) goes to
   * `onError`, and the watch stops.
   */
  async watch(opts: { afterSeq?: number | undefined; filter?: EventFilter }, onEvent: (e: EventRecord) => void, onError: (err: unknown) => void): Promise<Watch> {
    const filter = opts.filter ?? {}
    const wanted = matcher(filter)
    const arrived = new Map<number, EventRecord>()
    let stopped = false
    let pumping: Promise<void> | undefined
    // NOTE: subscribed before the position is read: nothing committed in between is missed.
    const off = this.bus.subscribe((e) => {
      if (stopped) return
      arrived.set(e.seq, e)
      pump()
    })
    const stop = () => {
      stopped = true
      off()
      arrived.clear()
    }
    let next: number
    try {
      const { lastSeq } = await this.position()
      const after = opts.afterSeq ?? lastSeq
      await this.replay(after, filter, 1) // the number's checks, before the watch starts
      next = after + 1
      // NOTE: events up to the position read are committed: catch up on them from the store.
      await this.catchUp(next - 1, lastSeq, filter, onEvent, () => stopped)
      next = Math.max(next, lastSeq + 1)
    } catch (err) {
      stop()
      throw err
    }

    const deliver = async () => {
      while (!stopped && arrived.size > 0) {
        let lowest = Infinity
        // NOTE: a loop, not Math.min(...keys): a slow reader may hold more events than a call takes arguments.
        for (const seq of arrived.keys()) if (seq < lowest) lowest = seq
        if (lowest < next) {
          arrived.delete(lowest)
          continue
        }
        if (lowest > next) {
          // NOTE: the store numbered events in commit order: those before one that arrived are committed; read the missing ones.
          await this.catchUp(next - 1, lowest - 1, filter, onEvent, () => stopped)
          next = lowest
          continue
        }
        const e = arrived.get(lowest)!
        arrived.delete(lowest)
        next = lowest + 1
        if (wanted(e)) onEvent(e)
      }
    }
    function pump(): void {
      pumping ??= deliver()
        .catch((err: unknown) => {
          if (stopped) return
          stop()
          onError(err)
        })
        .finally(() => {
          pumping = undefined
          if (!stopped && arrived.size > 0) pump()
        })
    }
    pump()
    return { stop }
  }

  /** Delivers the stored events in (after, upTo] the filter keeps, page by page. */
  private async catchUp(after: number, upTo: number, filter: EventFilter, onEvent: (e: EventRecord) => void, stopped: () => boolean): Promise<void> {
    let from = after
    while (from < upTo && !stopped()) {
      const page = await this.replay(from, filter, PAGE, upTo)
      for (const e of page) if (!stopped()) onEvent(e)
      if (page.length < PAGE) return
      from = page[page.length - 1]!.seq
    }
  }
}

function matcher(filter: EventFilter): (e: EventRecord) => boolean {
  const projects = filter.projects && new Set(filter.projects)
  const kinds = filter.kinds && new Set(filter.kinds)
  const within = filter.within
  return (e) => (!projects || projects.has(e.project)) && (within === undefined || isWithin(e.project, within)) && (!kinds || kinds.has(e.kind))
}
