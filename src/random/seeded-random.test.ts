import { describe, expect, it } from 'vitest'
import { SeededRandom } from './seeded-random.js'

describe('SeededRandom', () => {
  it('gives the same draws for the same seed and keys, whatever the order', () => {
    const a = new SeededRandom('42')
    const b = new SeededRandom('42')
    const x = a.float('vm', 1)
    b.float('something else')
    expect(b.float('vm', 1)).toBe(x)
    expect(new SeededRandom('43').float('vm', 1)).not.toBe(x)
  })

  it('draws what it always drew: a seed keeps naming the same run across versions', () => {
    // NOTE: sha256 of '42', then each key after a NUL; a saved seed's runs, snapshots and ids depend on it.
    expect(new SeededRandom('42').bytes('vm-1', 'create', 3).toString('hex')).toBe('e3d2e9d205b033e23441ccf18d56758bae666fba2e1139e0bd501a7ce4434838')
  })

  it('draws integers within bounds, roughly uniformly', () => {
    const r = new SeededRandom('uniform')
    const counts = [0, 0, 0, 0]
    for (let i = 0; i < 4_000; i++) {
      const n = r.int(10, 13, i)
      expect(n).toBeGreaterThanOrEqual(10)
      expect(n).toBeLessThanOrEqual(13)
      counts[n - 10]!++
    }
    for (const c of counts) expect(c).toBeGreaterThan(850)
  })

  it('makes version-4 UUIDs', () => {
    expect(new SeededRandom('x').uuid('id', 1)).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/)
  })
})
