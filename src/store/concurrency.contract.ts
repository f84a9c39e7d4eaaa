import { afterEach, beforeEach, describe, expect, it } from 'vitest'

/** A whole mockcloud on a manual clock, driven over HTTP (the test kit's `testApp`). */
export interface ConcurrencyTarget {
  call<T = any>(method: string, url: string, body?: unknown, headers?: Record<string, string>): Promise<{ status: number; body: T }>
  advance(ms: number): Promise<void>
  close(): Promise<void>
}

type Reply = { status: number; body: any }

/** How many times each status came back, e.g. `{ 201: 1, 409: 199 }`. */
function tally(replies: Reply[]): Record<number, number> {
  const out: Record<number, number> = {}
  for (const r of replies) out[r.status] = (out[r.status] ?? 0) + 1
  return out
}

/** Every reply that is not `ok` is a 409 in the native error shape, saying why. */
function expectLosersConflict(replies: Reply[], ok: number, reason: RegExp): void {
  for (const r of replies.filter((r) => r.status !== ok)) {
    expect(r.status, JSON.stringify(r.body)).toBe(409)
    expect(r.body.error.code).toMatch(/^EMU_ERR_/)
    expect(r.body.error.message).toMatch(reason)
  }
}

/**
 * The rules the engine promises under concurrency, each hit by hundreds of
 * conflicting requests at once through the whole stack (HTTP, engine, store).
 * Run on every store: SQLite keeps them by running one transaction at a
 * time, PostgreSQL by the locks each rule takes (docs/decisions/0005-rule-locks.md).
 */
export function concurrencyContract(name: string, open: () => Promise<ConcurrencyTarget>): void {
  describe(`Concurrency contract: ${name}`, () => {
    let t: ConcurrencyTarget
    beforeEach(async () => {
      t = await open()
    })
    afterEach(() => t.close())

    const at = (project: string) => ({ 'x-project-id': project })
    const all = (n: number, fn: (i: number) => Promise<Reply>) => Promise.all(Array.from({ length: n }, (_, i) => fn(i)))

    it('200 VM creates in a new project make one default security group between them', async () => {
      const env = await t.call('POST', '/api/v1/environments', { name: 'e' }, at('fresh'))
      const replies = await all(200, (i) => t.call('POST', '/api/v1/vms', { name: `vm-${i}`, environment_id: env.body.id }, at('fresh')))
      expect(tally(replies)).toEqual({ 202: 200 })
      const groups = await t.call('GET', '/api/v1/security-groups?name=default', undefined, at('fresh'))
      expect(groups.body.items).toHaveLength(1)
      const ids = new Set(replies.map((r) => r.body.security_group_ids[0]))
      expect([...ids]).toEqual([groups.body.items[0].id])
    })

    it('300 identical DNS records: one is created, every other gets a 409 naming it', async () => {
      const replies = await all(300, () => t.call('POST', '/api/v1/dns-records', { name: 'api.example.com', type: 'A', value: '41.100.1.2' }))
      expect(tally(replies)).toEqual({ 201: 1, 409: 299 })
      expectLosersConflict(replies, 201, /A record for api\.example\.com already exists/)
      expect((await t.call('GET', '/api/v1/dns-records?name=api.example.com')).body.items).toHaveLength(1)
    })

    it('300 nested, overlapping CIDRs: one environment gets its range, 299 get a 409', async () => {
      const cidrs = ['10.0.0.0/8', '10.1.0.0/16', '10.1.0.0/20', '10.1.2.0/24', '10.1.2.16/28']
      const replies = await all(300, (i) => t.call('POST', '/api/v1/environments', { name: `e${i}`, cidr: cidrs[i % cidrs.length] }))
      expect(tally(replies)).toEqual({ 201: 1, 409: 299 })
      expectLosersConflict(replies, 201, /overlaps|already used/)
      expect((await t.call('GET', '/api/v1/environments')).body.items).toHaveLength(1)
    })

    it('200 floating IPs attached to one VM at once: one is attached, 199 get a 409', async () => {
      const env = await t.call('POST', '/api/v1/environments', { name: 'e' })
      const vm = await t.call('POST', '/api/v1/vms', { name: 'vm', environment_id: env.body.id })
      const fips = await all(200, () => t.call('POST', '/api/v1/floating-ips'))
      expect(tally(fips)).toEqual({ 201: 200 })
      expect(new Set(fips.map((f) => f.body.address)).size).toBe(200)
      const replies = await all(200, (i) => t.call('POST', `/api/v1/floating-ips/${fips[i]!.body.id}/attach/${vm.body.id}`))
      expect(tally(replies)).toEqual({ 200: 1, 409: 199 })
      expectLosersConflict(replies, 200, /already has floating IP/)
      const attached = (await t.call('GET', '/api/v1/floating-ips?limit=1000')).body.items.filter((f: any) => f.vm_id === vm.body.id)
      expect(attached).toHaveLength(1)
    })

    it('200 volumes attached to one VM at once: 25 get distinct devices vdb to vdz, 175 get a 409', async () => {
      const env = await t.call('POST', '/api/v1/environments', { name: 'e' })
      const vm = await t.call('POST', '/api/v1/vms', { name: 'vm', environment_id: env.body.id })
      const volumes = await all(200, (i) => t.call('POST', '/api/v1/volumes', { name: `v${i}`, size_gb: 1 }))
      await t.advance(5_000)
      const replies = await all(200, (i) => t.call('POST', `/api/v1/volumes/${volumes[i]!.body.id}/attach/${vm.body.id}`))
      expect(tally(replies)).toEqual({ 202: 25, 409: 175 })
      expectLosersConflict(replies, 202, /already has 25 volumes attached/)
      const devices = replies.filter((r) => r.status === 202).map((r) => r.body.device)
      expect(new Set(devices).size).toBe(25)
      expect(devices.sort()).toEqual(Array.from({ length: 25 }, (_, i) => `/dev/vd${String.fromCharCode(98 + i)}`))
    })

    it('200 attaches of one volume to 200 VMs at once: one wins, 199 get a 409', async () => {
      const env = await t.call('POST', '/api/v1/environments', { name: 'e' })
      const vms = await all(200, (i) => t.call('POST', '/api/v1/vms', { name: `vm-${i}`, environment_id: env.body.id }))
      const volume = await t.call('POST', '/api/v1/volumes', { name: 'v', size_gb: 1 })
      await t.advance(5_000)
      const replies = await all(200, (i) => t.call('POST', `/api/v1/volumes/${volume.body.id}/attach/${vms[i]!.body.id}`))
      expect(tally(replies)).toEqual({ 202: 1, 409: 199 })
      expectLosersConflict(replies, 202, /cannot attach volume|already attached|changed by another request/)
    })

    it('200 VMs in a /28 at once: each of its 13 free addresses goes to one VM, the other 187 get a 409', async () => {
      const env = await t.call('POST', '/api/v1/environments', { name: 'small', cidr: '10.9.0.0/28' })
      const replies = await all(200, (i) => t.call('POST', '/api/v1/vms', { name: `vm-${i}`, environment_id: env.body.id }))
      const won = replies.filter((r) => r.status === 202)
      expect(won.length).toBeGreaterThan(0)
      expect(new Set(won.map((r) => r.body.ip_address)).size).toBe(won.length)
      expectLosersConflict(replies, 202, /no free address left in 10\.9\.0\.0\/28/)
      expect(tally(replies)).toEqual({ 202: won.length, 409: 200 - won.length })
      expect((await t.call('GET', `/api/v1/vms?environment_id=${env.body.id}&limit=1000`)).body.items).toHaveLength(won.length)
    })

    it('40 rounds of 30 VM creates racing the delete of their environment never leave a VM on a deleted environment', async () => {
      for (let round = 0; round < 40; round++) {
        const env = await t.call('POST', '/api/v1/environments', { name: `e${round}` })
        const creates = Array.from({ length: 30 }, (_, i) => t.call('POST', '/api/v1/vms', { name: `vm-${i}`, environment_id: env.body.id }))
        // NOTE: the delete goes out in the middle of the creates.
        const del = t.call('DELETE', `/api/v1/environments/${env.body.id}`)
        const [replies, deleted] = [await Promise.all(creates), await del]
        const made = replies.filter((r) => r.status === 202)
        for (const r of replies.filter((r) => r.status !== 202)) {
          // A VM asked for after its environment went: the request names the field that points at nothing.
          expect(r.status, JSON.stringify(r.body)).toBe(400)
          expect(r.body.error.message).toMatch(/environment_id: no environment/)
        }
        const left = (await t.call('GET', `/api/v1/vms?environment_id=${env.body.id}&limit=1000`)).body.items
        if (deleted.status === 204) {
          expect(left).toEqual([])
          expect(made).toEqual([])
        } else {
          expect(deleted.status).toBe(409)
          expect(deleted.body.error.message).toMatch(/still has \d+ VM/)
          expect(left).toHaveLength(made.length)
          expect((await t.call('GET', `/api/v1/environments/${env.body.id}`)).status).toBe(200)
        }
      }
    })

    it('300 creates at once number their events in commit order: the history holds every number once, each event with its resource', async () => {
      const before = (await t.call('GET', '/_mockcloud/events/history?limit=1')).body.last_seq
      const env = await t.call('POST', '/api/v1/environments', { name: 'e' })
      const replies = await all(300, (i) => t.call('POST', '/api/v1/vms', { name: `vm-${i}`, environment_id: env.body.id }))
      expect(tally(replies)).toEqual({ 202: 300 })
      const seen: any[] = []
      for (let after = before; after !== null; ) {
        const page = (await t.call('GET', `/_mockcloud/events/history?after=${after}&limit=1000`)).body
        seen.push(...page.items)
        after = page.next_after
      }
      expect(seen.map((e) => e.seq)).toEqual(Array.from({ length: seen.length }, (_, i) => before + 1 + i))
      const vmCreated = seen.filter((e) => e.kind === 'vm' && e.type === 'created')
      expect(new Set(vmCreated.map((e) => e.resource_id))).toEqual(new Set(replies.map((r) => r.body.id)))
      for (const e of vmCreated) expect(e.resource).toMatchObject({ id: e.resource_id, status: 'building', version: 1 })
    })

    it('200 updates of one resource based on the same read: one applies, 199 get a 412, and one update event is recorded', async () => {
      const group = await t.call('POST', '/api/v1/security-groups', { name: 'web' })
      const url = `/api/v1/security-groups/${group.body.id}`
      const replies = await all(200, (i) => t.call('PATCH', url, { description: `writer ${i}` }, { 'if-match': '"1"' }))
      expect(tally(replies)).toEqual({ 200: 1, 412: 199 })
      for (const r of replies.filter((r) => r.status === 412)) expect(r.body.error).toMatchObject({ code: 'EMU_ERR_PRECONDITION_FAILED', field: 'If-Match' })
      const winner = replies.find((r) => r.status === 200)!.body
      expect((await t.call('GET', url)).body.description).toBe(winner.description)
      const events = (await t.call('GET', '/_mockcloud/events/history?limit=1000')).body.items.filter((e: any) => e.resource_id === group.body.id && e.operation === 'update')
      expect(events).toHaveLength(1)
    })

    it('200 VM creates in a project with room for 10: 10 are made, 190 get a 409 naming the quota, and usage says 10', async () => {
      const env = await t.call('POST', '/api/v1/environments', { name: 'e' }, at('quota'))
      expect((await t.call('PUT', '/_mockcloud/quotas/quota', { instances: 10 })).status).toBe(200)
      const replies = await all(200, (i) => t.call('POST', '/api/v1/vms', { name: `vm-${i}`, environment_id: env.body.id }, at('quota')))
      expect(tally(replies)).toEqual({ 202: 10, 409: 190 })
      expectLosersConflict(replies, 202, /^quota exceeded for instances in quota: 10 of 10 in use, 1 more asked for/)
      expect((await t.call('GET', '/api/v1/vms?limit=1000', undefined, at('quota'))).body.items).toHaveLength(10)
      const { quotas } = (await t.call('GET', '/_mockcloud/quotas/quota')).body
      expect([quotas.instances.used, quotas.ports.used]).toEqual([10, 10])
    })

    it('100 claims on a pool of capacity 5 through the pool manager: 5 pods, each to one workspace, 95 get a 409', async () => {
      expect((await t.call('POST', '/pool-manager/pools', { name: 'race', size: 5, capacity: 5 })).status).toBe(201)
      await t.advance(5_000)
      const replies = await all(100, (i) => t.call('GET', `/pool-manager/pools/race/workspace?workspaceId=w${i}`))
      expect(tally(replies)).toEqual({ 200: 5, 409: 95 })
      for (const r of replies.filter((r) => r.status === 409)) expect(r.body).toMatchObject({ success: false, code: 'EMU_ERR_EXHAUSTED' })
      const pods = (await t.call('GET', '/pool-manager/pools/race/workspaces')).body.workspaces as Array<{ claimedBy: string }>
      expect(pods).toHaveLength(5)
      expect(new Set(pods.map((p) => p.claimedBy)).size).toBe(5)
    })

    it('200 deletes of one VM at once: it goes once, the rest are told it is already going or gone', async () => {
      const env = await t.call('POST', '/api/v1/environments', { name: 'e' })
      const vm = await t.call('POST', '/api/v1/vms', { name: 'vm', environment_id: env.body.id })
      await t.advance(5_000)
      const replies = await all(200, () => t.call('DELETE', `/api/v1/vms/${vm.body.id}`))
      const counts = tally(replies)
      expect(counts[202]).toBe(1)
      expect((counts[404] ?? 0) + (counts[409] ?? 0)).toBe(199)
      for (const r of replies.filter((r) => r.status !== 202)) expect(r.body.error.message).toMatch(/deleting|not found|changed by another request|no VM/i)
    })
  })
}
