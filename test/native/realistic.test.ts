import { afterEach, describe, expect, it } from 'vitest'
import { environment, testApp, type TestApp } from '../helpers/app.js'

let t: TestApp | undefined
afterEach(() => t?.close())

/** What the seed decides about a VM: how long its build took, how it ended, its address (not its id, which any seed changes). */
interface Outcome {
  name: string
  status: string
  latencyMs: number
  ipAddress: string
}

/** Creates `n` VMs under the realistic profile, lets a minute pass, returns what became of each, in creation order. */
async function run(seed: string, n: number): Promise<Outcome[]> {
  t = await testApp({ seed, profile: 'realistic' })
  const env = await environment(t)
  const ids: string[] = []
  for (let i = 0; i < n; i++) ids.push((await t.call('POST', '/api/v1/vms', { name: `vm-${i}`, environment_id: env })).body.id)
  await t.advance(29_999)
  const early = await t.call('GET', '/api/v1/vms?status=building&limit=1000')
  expect(early.body.items).toHaveLength(n) // nothing finishes before 30 s
  await t.advance(30_001)
  const out: Outcome[] = []
  for (const id of ids) {
    const vm = (await t.call('GET', `/api/v1/vms/${id}`)).body
    // NOTE: the build's last change is when it finished: its latency, on the manual clock.
    out.push({ name: vm.name, status: vm.status, latencyMs: Date.parse(vm.updated_at) - Date.parse(vm.created_at), ipAddress: vm.ip_address })
  }
  await t.close()
  t = undefined
  return out
}

describe('realistic profile', () => {
  it('takes 30-60 s and fails the same VMs on every run with a fixed seed', async () => {
    const first = await run('fixed-seed', 60)
    const second = await run('fixed-seed', 60)
    expect(second).toEqual(first)
    for (const vm of first) {
      expect(vm.latencyMs).toBeGreaterThanOrEqual(30_000)
      expect(vm.latencyMs).toBeLessThanOrEqual(60_000)
    }
    // NOTE: the latencies are drawn, not one fixed value.
    expect(new Set(first.map((vm) => vm.latencyMs)).size).toBeGreaterThan(50)
    const failed = first.filter((vm) => vm.status === 'error').length
    expect(new Set(first.map((vm) => vm.status))).toEqual(new Set(['active', 'error']))
    // 1 in 10 on average: 60 draws land well inside 1..15.
    expect(failed).toBeGreaterThanOrEqual(1)
    expect(failed).toBeLessThanOrEqual(15)
  })

  it('a different seed gives a different run: other latencies and addresses for the same calls', async () => {
    const a = await run('seed-a', 20)
    const b = await run('seed-b', 20)
    expect(b.map((vm) => vm.name)).toEqual(a.map((vm) => vm.name))
    expect(b.map((vm) => vm.latencyMs)).not.toEqual(a.map((vm) => vm.latencyMs))
    expect(b.map((vm) => vm.ipAddress)).not.toEqual(a.map((vm) => vm.ipAddress))
  })
})
