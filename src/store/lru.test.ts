import { describe, expect, it } from 'vitest'
import { Lru } from './lru.js'

describe('Lru', () => {
  it('drops the least recently used first, a hit moving its key to the front', () => {
    const c = new Lru<number>(30)
    c.set('a', 1, 10)
    c.set('b', 2, 10)
    c.set('c', 3, 10)
    expect(c.get('a')).toBe(1)
    c.set('d', 4, 10)
    expect([...c.keys()]).toEqual(['d', 'a', 'c'])
    expect(c.get('b')).toBeUndefined()
  })

  it('counts bytes, replaces a key in place and keeps nothing larger than its budget', () => {
    const c = new Lru<string>(100)
    c.set('a', 'x', 60)
    c.set('a', 'y', 70)
    expect(c.bytes).toBe(70)
    expect(c.size).toBe(1)
    c.set('huge', 'z', 101)
    expect(c.get('huge')).toBeUndefined()
    expect([...c.keys()]).toEqual(['a'])
    c.set('b', 'w', 40)
    expect([...c.keys()]).toEqual(['b'])
    expect(c.bytes).toBe(40)
  })

  it('deletes from the middle and both ends, and clears', () => {
    const c = new Lru<number>(100)
    for (const k of ['a', 'b', 'c', 'd', 'e']) c.set(k, 0, 1)
    c.delete('c')
    c.delete('e')
    c.delete('a')
    expect([...c.keys()]).toEqual(['d', 'b'])
    c.get('b')
    expect([...c.keys()]).toEqual(['b', 'd'])
    c.clear()
    expect([...c.keys()]).toEqual([])
    expect(c.bytes).toBe(0)
    c.set('f', 0, 1)
    expect([...c.keys()]).toEqual(['f'])
  })
})

describe('Lru with many entries', () => {
  it('leaves a hit entry in place while it is among the newest quarter, and moves it to the front once further', () => {
    const c = new Lru<number>(1_000)
    for (let i = 0; i < 100; i++) c.set(`k${i}`, i, 1)
    const order = () => [...c.keys()]
    // k80 was moved to the front 19 moves ago (fewer than 100 / 4): it stays 20th.
    c.get('k80')
    expect(order().indexOf('k80')).toBe(19)
    // k50 was moved 49 moves ago: it goes to the front.
    c.get('k50')
    expect(order()[0]).toBe('k50')
    // Whatever was hit last is never further than a quarter from the front.
    for (let i = 0; i < 100; i += 7) {
      c.get(`k${i}`)
      expect(order().indexOf(`k${i}`)).toBeLessThanOrEqual(25)
    }
  })

  it('drops an entry not hit for longer than any hit one', () => {
    const c = new Lru<number>(100)
    for (let i = 0; i < 100; i++) c.set(`k${i}`, i, 1)
    for (let i = 1; i < 100; i++) c.get(`k${i}`)
    c.set('new', 0, 1)
    expect(c.get('k0')).toBeUndefined()
    expect(c.size).toBe(100)
  })
})
