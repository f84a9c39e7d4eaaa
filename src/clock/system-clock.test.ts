import { describe, expect, it } from 'vitest'
import { LATEST_TIME, MAX_LATENCY_MS, MIN_TIME_SCALE } from './bounds.js'
import { SystemClock } from './system-clock.js'

describe('SystemClock', () => {
  it('runs emulated time 1/scale times faster than the real clock it reads', () => {
    let real = 1_000_000
    const clock = new SystemClock({ scale: 0.01, realNow: () => real })
    expect(clock.mode).toBe('scaled')
    real += 600 // 0.6 s of real time...
    expect(clock.now()).toBe(1_000_000 + 60_000) // ...is a minute of emulated time
  })

  it('catches up to a recorded time but never moves back', () => {
    let real = 5_000
    const clock = new SystemClock({ realNow: () => real })
    clock.catchUp(9_000)
    expect(clock.now()).toBe(9_000)
    real += 10
    expect(clock.now()).toBe(9_010)
    clock.catchUp(1_000)
    expect(clock.now()).toBe(9_010)
  })

  it('rejects a scale outside 1e-6..1e6', () => {
    for (const scale of [0, Number.NaN, 5e-324, 1e-15, 1e6 + 1, Infinity]) {
      expect(() => new SystemClock({ scale }), String(scale)).toThrow(RangeError)
      expect(() => new SystemClock().rebase(scale, { real: 0, emulated: 0 }), String(scale)).toThrow(RangeError)
    }
  })

  it('stops at the latest emulated time rather than pass the last valid date', () => {
    let real = 0
    const clock = new SystemClock({ scale: MIN_TIME_SCALE, realNow: () => real, anchor: { real: 0, emulated: Date.parse('2026-01-01T00:00:00Z') } })
    // NOTE: a year of real time at the smallest scale is a million emulated years.
    real += 365 * 86_400_000
    expect(clock.now()).toBe(LATEST_TIME)
    expect(new Date(clock.now() + MAX_LATENCY_MS).toISOString()).toBe('9999-01-02T00:00:00.000Z')
  })
})
