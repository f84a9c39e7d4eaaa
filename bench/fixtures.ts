import { readFileSync } from 'node:fs'
import { writeFile } from 'node:fs/promises'

/**
 * The JSON mockcloud answered, captured once, so the bare server can answer
 * byte-for-byte the same bodies and the comparison measures only the work
 * mockcloud does to produce them.
 */
export interface Fixtures {
  /** GET /api/v1/vms/{id}. */
  vm: unknown
  /** GET /api/v1/vms (first page, default size). */
  page: unknown
  /** POST /api/v1/vms (answered with 202). */
  created: unknown
}

export async function writeFixtures(path: string, f: Fixtures): Promise<void> {
  await writeFile(path, JSON.stringify(f))
}

/** Sync: the bare server reads it once at start. */
export function readFixtures(path: string): Fixtures {
  const f = JSON.parse(readFileSync(path, 'utf8')) as Partial<Fixtures>
  if (f.vm === undefined || f.page === undefined || f.created === undefined) throw new Error(`${path}: not a fixtures file`)
  return { vm: f.vm, page: f.page, created: f.created }
}
