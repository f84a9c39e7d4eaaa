import { describe, expect, it } from 'vitest'
import { LATEST_TIME } from './bounds.js'
import { ManualClock } from './manual-clock.js'

describe('ManualClock', () => {
  it('runs wake-ups due by the target in due order, each at its own time', async () => {
    const clock = new ManualClock(1_000)
    const seen: Array<[string, number]> = []
    clock.wakeAt(1_300, () => seen.push(['c', clock.now()]))
    clock.wakeAt(1_100, () => seen.push(['a', clock.now()]))
    clock.wakeAt(1_200, () => {
      seen.push(['b', clock.now()])
      // A wake-up armed while advancing, still inside the window, runs in the same advance.
      clock.wakeAt(1_250, () => seen.push(['b2', clock.now()]))
    })
    clock.wakeAt(5_000, () => seen.push(['late', clock.now()]))
    await clock.advance(500)
    expect(seen).toEqual([['a', 1_100], ['b', 1_200], ['b2', 1_250], ['c', 1_300]])
    expect(clock.now()).toBe(1_500)
  })

  it('waits for async wake-ups and can cancel them', async () => {
    const clock = new ManualClock(0)
    let done = false
    clock.wakeAt(10, async () => {
      await new Promise((r) => setImmediate(r))
      done = true
    })
    const cancel = clock.wakeAt(20, () => {
      throw new Error('cancelled wake-up ran')
    })
    cancel()
    await clock.advance(100)
    expect(done).toBe(true)
  })

  it('never goes backwards, and refuses a negative advance', async () => {
    const clock = new ManualClock(100)
    clock.catchUp(50)
    expect(clock.now()).toBe(100)
    clock.catchUp(200)
    expect(clock.now()).toBe(200)
    expect(() => clock.advance(-1)).toThrow(RangeError)
  })

  it('starts and advances only within 1970..9999', async () => {
    for (const start of [-1, Number.NaN, LATEST_TIME + 1]) expect(() => new ManualClock(start), String(start)).toThrow(RangeError)
    const clock = new ManualClock(LATEST_TIME - 10)
    expect(() => clock.advance(11)).toThrow(RangeError)
    await clock.advance(10)
    expect(clock.now()).toBe(LATEST_TIME)
  })
})
