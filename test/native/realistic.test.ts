import { afterEach, describe, expect, it } from 'vitest'
import { environment, testApp, type TestApp } from '../helpers/app.js'

let t: TestApp | undefined
afterEach(() => t?.close())

/** Creates `n` VMs under the realistic profile, lets a minute pass, returns id -> status. */
async function run(seed: string, n: number): Promise<Map<string, string>> {
  t = await testApp({ seed, profile: 'realistic' })
  const env = await environment(t)
  const ids: string[] = []
  for (let i = 0; i < n; i++) ids.push((await t.call('POST', '/api/v1/vms', { name: `vm-${i}`, environment_id: env })).body.id)
  await t.advance(29_999)
  const early = await t.call('GET', '/api/v1/vms?status=building&limit=1000')
  expect(early.body.items).toHaveLength(n) // nothing finishes before 30 s
  await t.advance(30_001)
  const out = new Map<string, string>()
  for (const id of ids) out.set(id, (await t.call('GET', `/api/v1/vms/${id}`)).body.status)
  await t.close()
  t = undefined
  return out
}

describe('realistic profile', () => {
  it('takes 30-60 s and fails the same VMs on every run with a fixed seed', async () => {
    const first = await run('fixed-seed', 60)
    const second = await run('fixed-seed', 60)
    expect([...second.entries()]).toEqual([...first.entries()])
    const failed = [...first.values()].filter((s) => s === 'error').length
    expect(new Set(first.values())).toEqual(new Set(['active', 'error']))
    // 1 in 10 on average: 60 draws land well inside 1..15.
    expect(failed).toBeGreaterThanOrEqual(1)
    expect(failed).toBeLessThanOrEqual(15)
  })

  it('a different seed gives a different run', async () => {
    const a = await run('seed-a', 20)
    const b = await run('seed-b', 20)
    expect([...a.keys()]).not.toEqual([...b.keys()])
  })
})
