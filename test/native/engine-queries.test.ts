import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import type { Engine } from '../../src/engine/engine.js'
import { environment, testApp, type TestApp } from '../helpers/app.js'

/**
 * The engine's list queries the next faces need (Neutron ?device_id=, Nova
 * ?image=, sorted pages, an admin's all_tenants), through the real store.
 */
let t: TestApp
let engine: Engine
beforeEach(async () => {
  t = await testApp({ timing: ['vm.create.latency=1s'] })
  engine = t.app.mockcloud.engine
})
afterEach(() => t.close())

async function vms(names: string[], flavor: string, project = 'default'): Promise<string[]> {
  const env = await environment(t, `env-${flavor}-${project}`, { 'x-project-id': project })
  const ids = []
  for (const name of names) ids.push((await engine.create(project, 'compute.server', { name, networkId: env, flavor })).id)
  return ids
}

describe('engine.list', () => {
  it('filters on the data fields a kind declares, and names the field it cannot filter by', async () => {
    const small = await vms(['a', 'b'], 'm1.small')
    const large = await vms(['c'], 'm1.large')
    const byFlavor = await engine.list('default', 'compute.server', { where: { flavorId: '4' } })
    expect(byFlavor.items.map((r) => r.id)).toEqual(large)
    const vm = await engine.get('default', 'compute.server', small[1]!)
    const byIp = await engine.list('default', 'compute.server', { where: { ipAddress: (vm.data as { ipAddress: string }).ipAddress } })
    expect(byIp.items.map((r) => r.id)).toEqual([small[1]])
    // NOTE: each VM has a port whose deviceId is the VM: Neutron's ?device_id=.
    const ports = await engine.list('default', 'network.port', { where: { deviceId: large[0]! } })
    expect(ports.items).toHaveLength(1)
    // NOTE: null matches a field that is null (unattached floating IPs); booleans compare as booleans.
    await engine.create('default', 'network.floating-ip', {})
    expect((await engine.list('default', 'network.floating-ip', { where: { vmId: null } })).items).toHaveLength(1)
    await engine.create('default', 'volume.volume', { name: 'v', sizeGb: 1 })
    expect((await engine.list('default', 'volume.volume', { where: { bootable: false } })).items).toHaveLength(1)
    expect((await engine.list('default', 'volume.volume', { where: { bootable: true } })).items).toHaveLength(0)
    await expect(engine.list('default', 'compute.server', { where: { portId: 'x' } })).rejects.toMatchObject({ status: 400, field: 'portId' })
  })

  it('sorts by name, either way, and pages through the sorted list with cursors, each row once', async () => {
    const names = ['delta', 'alpha', 'echo', 'charlie', 'bravo', 'alpha']
    await vms(names, 'm1.small')
    for (const desc of [false, true]) {
      const seen: string[] = []
      let cursor: string | undefined
      do {
        const page = await engine.list('default', 'compute.server', { sort: { field: 'name', desc }, limit: 2, cursor })
        seen.push(...page.items.map((r) => r.name))
        cursor = page.nextCursor ?? undefined
      } while (cursor)
      const sorted = [...names].sort()
      expect(seen).toEqual(desc ? sorted.reverse() : sorted)
    }
    const sortedPage = await engine.list('default', 'compute.server', { sort: { field: 'name' }, limit: 1 })
    await expect(engine.list('default', 'compute.server', { cursor: sortedPage.nextCursor! })).rejects.toMatchObject({ status: 400, field: 'cursor' })
    await expect(engine.list('default', 'compute.server', { sort: { field: 'colour' as never } })).rejects.toMatchObject({ status: 400, field: 'sort' })
  })

  it('sorts by a data field the kind declares sortable, as numbers, paging with cursors, and names the fields it sorts by', async () => {
    const sizes = [5, 100, 20, 5, 9, 1000, 20]
    for (const [i, sizeGb] of sizes.entries()) await engine.create('default', 'volume.volume', { name: `v${i}`, sizeGb })
    for (const desc of [false, true]) {
      const seen: Array<[number, string]> = []
      let cursor: string | undefined
      do {
        const page = await engine.list('default', 'volume.volume', { sort: { field: 'sizeGb', desc }, limit: 3, cursor })
        seen.push(...page.items.map((r) => [r.data['sizeGb'] as number, r.name] as [number, string]))
        cursor = page.nextCursor ?? undefined
      } while (cursor)
      // NOTE: numbers, not text (1000 after 100); ties in creation order, reversed with the sort.
      const expected = sizes.map((n, i) => [n, `v${i}`] as [number, string]).sort((a, b) => a[0] - b[0] || Number(a[1].slice(1)) - Number(b[1].slice(1)))
      expect(seen).toEqual(desc ? expected.reverse() : expected)
    }
    await expect(engine.list('default', 'volume.volume', { sort: { field: 'volumeType' } })).rejects.toMatchObject({ status: 400, field: 'sort', message: expect.stringMatching(/\(name, createdAt, updatedAt, status, sizeGb\)/) })
  })

  it('sorts by creation time, newest first, ties newest first too', async () => {
    const first = await vms(['one', 'two'], 'm1.small')
    await t.advance(5_000)
    const later = await vms(['three'], 'm1.small')
    const page = await engine.list('default', 'compute.server', { sort: { field: 'createdAt', desc: true } })
    expect(page.items.map((r) => r.id)).toEqual([later[0], first[1], first[0]])
  })

  it("lists every scope for an admin, and only the caller's otherwise", async () => {
    const mine = await vms(['a'], 'm1.small', 'team-a')
    const theirs = await vms(['b'], 'm1.small', 'team-b')
    expect((await engine.list('team-a', 'compute.server')).items.map((r) => r.id)).toEqual(mine)
    const all = await engine.list('team-a', 'compute.server', { allScopes: true })
    expect(all.items.map((r) => r.id).sort()).toEqual([...mine, ...theirs].sort())
  })
})
