import { describe, expect, it } from 'vitest'
import type { ResourceRecord } from './records.js'
import { estimateRecordBytes, RECORD_OVERHEAD_BYTES, ResourceCache } from './resource-cache.js'

const record = (id: string, version = 1, data: Record<string, unknown> = { note: 'x' }): ResourceRecord => ({
  seq: 1,
  id,
  kind: 'compute.server',
  project: 'p',
  name: id,
  status: 'active',
  phase: null,
  parentId: null,
  version,
  data,
  createdAt: 0,
  updatedAt: 0,
  eventSeq: 0,
})

/** A cache with room for exactly `n` records of 100 bytes. */
const roomFor = (n: number) => new ResourceCache(n * 100)
const put = (c: ResourceCache, ...ids: string[]) => ids.forEach((id) => c.remember(record(id), 100))

describe('ResourceCache', () => {
  it('drops the least recently used record first, a hit counting as a use', () => {
    const c = roomFor(3)
    put(c, 'a', 'b', 'c')
    expect([...c.ids()]).toEqual(['c', 'b', 'a'])
    expect(c.get('a')?.id).toBe('a')
    expect([...c.ids()]).toEqual(['a', 'c', 'b'])
    put(c, 'd')
    expect(c.get('b')).toBeUndefined()
    expect([...c.ids()]).toEqual(['d', 'a', 'c'])
    c.get('c')
    put(c, 'e', 'f')
    expect([...c.ids()]).toEqual(['f', 'e', 'c'])
  })

  it('keeps the order on a hit of the most recent record, and on a miss', () => {
    const c = roomFor(3)
    put(c, 'a', 'b')
    c.get('b')
    c.get('zz')
    expect([...c.ids()]).toEqual(['b', 'a'])
  })

  it('stays within its byte budget, dropping as many records as a large one needs', () => {
    const c = new ResourceCache(1_000)
    put(c, 'a', 'b', 'c', 'd', 'e')
    expect(c.bytes).toBe(500)
    c.remember(record('big'), 350)
    expect(c.bytes).toBe(850)
    c.remember(record('bigger'), 600)
    expect(c.bytes).toBeLessThanOrEqual(1_000)
    expect([...c.ids()]).toEqual(['bigger', 'big'])
    expect(c.bytes).toBe(950)
    expect(c.size).toBe(2)
  })

  it('does not keep a record larger than the whole budget, and returns it frozen', () => {
    const c = new ResourceCache(1_000)
    put(c, 'a')
    const r = c.remember(record('huge'), 1_001)
    expect(Object.isFrozen(r) && Object.isFrozen(r.data)).toBe(true)
    expect(c.get('huge')).toBeUndefined()
    expect([...c.ids()]).toEqual(['a'])
  })

  it('replaces the record of an id remembered again, counting its bytes once', () => {
    const c = roomFor(3)
    put(c, 'a', 'b')
    c.remember(record('a', 2), 100)
    expect(c.get('a')?.version).toBe(2)
    expect(c.size).toBe(2)
    expect(c.bytes).toBe(200)
    expect([...c.ids()]).toEqual(['a', 'b'])
  })

  it('forgets one id at any place in the order, and everything on clear', () => {
    const c = roomFor(4)
    put(c, 'a', 'b', 'c', 'd')
    c.forget('c')
    c.forget('a')
    c.forget('d')
    c.forget('nothing')
    expect([...c.ids()]).toEqual(['b'])
    expect(c.bytes).toBe(100)
    put(c, 'e')
    expect([...c.ids()]).toEqual(['e', 'b'])
    c.clear()
    expect(c.size).toBe(0)
    expect(c.bytes).toBe(0)
    expect([...c.ids()]).toEqual([])
    expect(c.get('b')).toBeUndefined()
    put(c, 'f')
    expect([...c.ids()]).toEqual(['f'])
  })

  it('freezes what it keeps, deeply', () => {
    const c = new ResourceCache()
    const r = c.remember(record('a', 1, { nested: { list: [1, 2] } }))
    expect(Object.isFrozen((r.data['nested'] as { list: number[] }).list)).toBe(true)
  })

  it('estimates a record from its data, and by default counts that estimate', () => {
    const small = record('a', 1, {})
    const large = record('b', 1, { text: 'x'.repeat(1_000) })
    expect(estimateRecordBytes(small)).toBe(3 * 2 + RECORD_OVERHEAD_BYTES)
    expect(estimateRecordBytes(large)).toBeGreaterThan(3_000)
    const c = new ResourceCache()
    c.remember(large)
    expect(c.bytes).toBe(estimateRecordBytes(large))
  })

  it('refuses a negative budget', () => {
    expect(() => new ResourceCache(-1)).toThrow(RangeError)
    expect(() => new ResourceCache(Number.NaN)).toThrow(RangeError)
  })

  it('knows ids that hold nothing until the id is written, and what a name found per scopes until the name is written', () => {
    const c = new ResourceCache()
    c.rememberAbsent('gone')
    expect(c.isAbsent('gone')).toBe(true)
    expect(c.get('gone')).toBeUndefined()
    c.remember(record('gone'))
    expect(c.isAbsent('gone')).toBe(false)
    c.rememberNamed('compute.flavor', 'm1.small', 'p', ['2'])
    c.rememberNamed('compute.flavor', 'm1.small', 'p\u0000~shared', ['2'])
    c.rememberNamed('compute.flavor', 'm1.tiny', 'p', [])
    expect(c.named('compute.flavor', 'm1.small', 'p\u0000~shared')).toEqual(['2'])
    expect(c.named('compute.flavor', 'm1.tiny', 'p')).toEqual([])
    expect(c.named('compute.flavor', 'm1.small', 'q')).toBeUndefined()
    c.forgetNamed('compute.flavor', 'm1.small')
    expect(c.named('compute.flavor', 'm1.small', 'p')).toBeUndefined()
    expect(c.named('compute.flavor', 'm1.small', 'p\u0000~shared')).toBeUndefined()
    expect(c.named('compute.flavor', 'm1.tiny', 'p')).toEqual([])
    c.clear()
    expect(c.named('compute.flavor', 'm1.tiny', 'p')).toBeUndefined()
  })

  it('keeps names within a budget of their own, least recently used dropped first', () => {
    const c = new ResourceCache(1_000_000, 2_000)
    for (let i = 0; i < 100; i++) c.rememberNamed('compute.flavor', `f${i}`, 'p', [String(i)])
    expect(c.named('compute.flavor', 'f99', 'p')).toEqual(['99'])
    expect(c.named('compute.flavor', 'f0', 'p')).toBeUndefined()
    expect(c.size).toBe(0)
  })
})
