import { describe, expect, it } from 'vitest'
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

  it('rejects a scale that is not a positive number', () => {
    expect(() => new SystemClock({ scale: 0 })).toThrow(RangeError)
    expect(() => new SystemClock({ scale: Number.NaN })).toThrow(RangeError)
  })
})
