import { describe, expect, it } from 'vitest'
import { CallLog, cutBody, type CallRecord } from './call-log.js'

const call = (operation: string, status = 200): Omit<CallRecord, 'seq'> => ({
  at: '2026-01-01T00:00:00.000Z',
  face: 'native',
  operation,
  method: 'GET',
  path: '/api/v1/vms',
  project: 'default',
  params: {},
  query: {},
  body: null,
  status,
  duration_ms: 1,
})

describe('CallLog', () => {
  it('keeps exactly the last `capacity` calls, whenever it is read', () => {
    const log = new CallLog({ maxEntries: 4 })
    for (let i = 1; i <= 23; i++) {
      log.add(call(`op.${i}`))
      const seqs = log.list().map((c) => c.seq)
      expect(seqs).toEqual(Array.from({ length: Math.min(i, 4) }, (_, k) => i - Math.min(i, 4) + k + 1))
    }
  })

  it('filters, limits to the last N matches, and clears', () => {
    const log = new CallLog({ maxEntries: 100 })
    log.add(call('vms.create', 202))
    log.add(call('vms.get', 404))
    log.add(call('vms.create', 409))
    log.add(call('vms.create', 202))
    expect(log.list({ operation: 'vms.create' }).map((c) => c.seq)).toEqual([1, 3, 4])
    expect(log.list({ operation: 'vms.create', limit: 2 }).map((c) => c.seq)).toEqual([3, 4])
    expect(log.list({ status: 404, method: 'get' }).map((c) => c.seq)).toEqual([2])
    expect(log.list({ after: 3 }).map((c) => c.seq)).toEqual([4])
    log.clear()
    expect(log.list()).toEqual([])
    log.add(call('vms.list'))
    expect(log.list()[0]?.seq).toBe(5)
  })

  it('leaves a cut body as it is when cut again, as another node of a shared deployment does', () => {
    const once = cutBody({ name: 'x'.repeat(10_000) }, 4_096)
    expect(Buffer.byteLength(once.value as string)).toBe(4_096)
    expect(cutBody(once.value, 4_096)).toEqual(once)
  })
})
