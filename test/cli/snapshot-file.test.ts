import { mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { readSnapshotFile } from '../../src/cli/snapshot-file.js'
import { environment, testApp } from '../helpers/app.js'

let dir: string
let good: Record<string, any>

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'mockcloud-snapshot-file-'))
  const t = await testApp()
  const env = await environment(t)
  await t.call('POST', '/api/v1/vms', { name: 'a', environment_id: env })
  good = (await t.call('GET', '/_mockcloud/snapshot')).body
  await t.close()
})
afterAll(() => rmSync(dir, { recursive: true, force: true }))

function file(name: string, content: unknown): string {
  const path = join(dir, name)
  writeFileSync(path, typeof content === 'string' ? content : JSON.stringify(content))
  return path
}

describe('readSnapshotFile (serve --snapshot, snapshot import)', () => {
  it('reads what GET /_mockcloud/snapshot returns', async () => {
    const snap = await readSnapshotFile(file('good.json', good))
    expect(snap.state.transitions).toHaveLength(1)
    expect(snap).toEqual(good)
  })

  it('rejects a bad file with one line naming it and what is wrong', async () => {
    const broken = structuredClone(good)
    broken.state.resources[0].version = 'one'
    const cases: Array<[string, RegExp]> = [
      [join(dir, 'missing.json'), /^cannot read snapshot file .*missing\.json: no such file$/],
      [dir, /^cannot read snapshot file .*: it is a directory$/],
      [file('text.json', 'hello\nworld'), /^snapshot file .*text\.json is not JSON: [^\n]+$/],
      [file('array.json', [1, 2]), /^.*array\.json is not a mockcloud snapshot \(its "format" is not "mockcloud-snapshot"\)/],
      [file('other.json', { ...good, format: 'other' }), /other\.json is not a mockcloud snapshot/],
      [file('v2.json', { ...good, version: 2 }), /v2\.json is a version 2 snapshot; this mockcloud reads version 1$/],
      [file('broken.json', broken), /broken\.json is not a valid snapshot: state\.resources\[0\]\.version: must be integer$/],
      [file('extra.json', { ...good, extra: true }), /extra\.json is not a valid snapshot: extra: is not a known field$/],
    ]
    for (const [path, re] of cases) await expect(readSnapshotFile(path), path).rejects.toThrow(re)
  })
})
