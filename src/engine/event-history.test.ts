import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { freshDb, TEST_STORE, type TestDb } from '../../test/helpers/store.js'
import type { EventRecord } from '../store/records.js'
import { openStore } from '../store/open-store.js'
import type { Store } from '../store/store.js'
import { EMU_ERR_GONE } from './errors.js'
import type { EventBus } from './event-bus.js'
import { EventHistory } from './event-history.js'

/** A bus the test drives: nothing arrives unless the test delivers it, in whatever order, as often as it likes. */
class HandBus implements EventBus {
  readonly published: EventRecord[] = []
  private readonly subscribers = new Set<(e: EventRecord) => void>()
  publish(events: readonly EventRecord[]): void {
    this.published.push(...events)
  }
  subscribe(fn: (e: EventRecord) => void): () => void {
    this.subscribers.add(fn)
    return () => this.subscribers.delete(fn)
  }
  deliver(...events: EventRecord[]): void {
    for (const e of events) for (const fn of this.subscribers) fn(e)
  }
  get listeners(): number {
    return this.subscribers.size
  }
}

const event = (id: string, project = 'p', kind = 'compute.server'): Omit<EventRecord, 'seq'> => ({
  at: 1,
  project,
  kind,
  resourceId: id,
  name: id,
  type: 'created',
  operation: 'create',
  fromStatus: null,
  toStatus: 'active',
  version: 1,
  resource: null,
})

/** Waits until `pred` holds, turning the event loop (the watch reads the store asynchronously). */
async function until(pred: () => boolean): Promise<void> {
  for (let i = 0; i < 500 && !pred(); i++) await new Promise((r) => setTimeout(r, 2))
  expect(pred()).toBe(true)
}

describe(`EventHistory on ${TEST_STORE}`, () => {
  let db: TestDb
  let store: Store
  let bus: HandBus
  let history: EventHistory
  const append = (events: Array<Omit<EventRecord, 'seq'>>, retention = 10_000) => store.transaction((q) => q.appendEvents(events, retention))

  beforeEach(async () => {
    db = freshDb()
    store = await openStore(db.location)
    bus = new HandBus()
    history = new EventHistory(store, bus)
  })
  afterEach(async () => {
    await store.close()
    await db.drop()
  })

  it('hands each event on once and in number order, however late, twice or out of order the bus delivers, reading what it never delivers', async () => {
    const got: number[] = []
    const watch = await history.watch({}, (e) => got.push(e.seq), (err) => expect.fail(String(err)))
    const a = await append([event('a'), event('b')])
    const b = await append([event('c')])
    const c = await append([event('d'), event('e'), event('f')])
    // NOTE: c's last first, a duplicate, b never: the watch reads 1 to 5 from the store.
    bus.deliver(c[2]!, a[0]!, c[2]!, c[0]!)
    await until(() => got.length === 6)
    bus.deliver(...a, ...b, ...c)
    const more = await append([event('g')])
    bus.deliver(more[0]!)
    await until(() => got.length === 7)
    expect(got).toEqual([1, 2, 3, 4, 5, 6, 7])
    watch.stop()
    expect(bus.listeners).toBe(0)
  })

  it('replays the stored events after a number, then follows live, keeping only what the filter wants', async () => {
    await append([event('a'), event('b', 'q'), event('c', 'p', 'block.volume')])
    await append([event('d')])
    const got: string[] = []
    const watch = await history.watch({ afterSeq: 1, filter: { projects: ['p'], kinds: ['compute.server'] } }, (e) => got.push(e.resourceId), (err) => expect.fail(String(err)))
    expect(got).toEqual(['d'])
    const live = await append([event('e'), event('f', 'q')])
    bus.deliver(...live)
    await until(() => got.length === 2)
    expect(got).toEqual(['d', 'e'])
    watch.stop()
  })

  it('refuses a number the history no longer holds (410) or has not reached (400)', async () => {
    for (let i = 0; i < 30; i++) await append([event(`r${i}`)], 10)
    const { lastSeq, floor } = await history.position()
    expect([lastSeq, floor > 0]).toEqual([30, true])
    await expect(history.watch({ afterSeq: floor - 1 }, () => undefined, () => undefined)).rejects.toMatchObject({ code: EMU_ERR_GONE, status: 410, field: 'after' })
    await expect(history.replay(lastSeq + 1)).rejects.toMatchObject({ status: 400, field: 'after' })
    expect((await history.replay(floor)).map((e) => e.seq)[0]).toBe(floor + 1)
    expect(bus.listeners).toBe(0)
  })

  it('tells a watch that fell behind the retention that it is gone, and stops it', async () => {
    const errors: unknown[] = []
    const got: number[] = []
    await history.watch({}, (e) => got.push(e.seq), (err) => errors.push(err))
    let last: EventRecord[] = []
    for (let i = 0; i < 30; i++) last = await append([event(`r${i}`)], 10)
    bus.deliver(last[0]!)
    await until(() => errors.length === 1)
    expect(errors[0]).toMatchObject({ code: EMU_ERR_GONE })
    expect(got).toEqual([])
    expect(bus.listeners).toBe(0)
  })
})
