import { setTimeout as sleep } from 'node:timers/promises'
import { requestJson } from './http.js'

/** The fields of mockcloud's answers the bench reads. */
export interface IdOnly {
  id: string
}

/** A new environment (one /16, room for ~65k VMs); returns its id. */
export async function createEnvironment(base: string, name: string): Promise<string> {
  return (await requestJson<IdOnly>('POST', `${base}/api/v1/environments`, { name })).id
}

/** The body the create benchmark and the populate step both send. */
export function vmBody(environmentId: string, name: string): { name: string; environment_id: string } {
  return { name, environment_id: environmentId }
}

/**
 * Creates `count` VMs through the HTTP API with `concurrency` requests in
 * flight, as a client would; returns the elapsed milliseconds.
 */
export async function createVms(base: string, environmentId: string, count: number, concurrency: number, progress?: (done: number, ms: number) => void): Promise<number> {
  const started = performance.now()
  let next = 0
  let done = 0
  const worker = async () => {
    for (let i = next++; i < count; i = next++) {
      await requestJson('POST', `${base}/api/v1/vms`, vmBody(environmentId, `bench-${i}`), [202])
      if (++done % 1000 === 0) progress?.(done, performance.now() - started)
    }
  }
  await Promise.all(Array.from({ length: Math.min(concurrency, count) }, worker))
  return performance.now() - started
}

/**
 * Waits until no VM is still `building`, so the scheduler finishing builds
 * in the background does not steal CPU from the next measurement.
 */
export async function waitBuilt(base: string, timeoutMs = 60_000): Promise<void> {
  const deadline = Date.now() + timeoutMs
  while (Date.now() < deadline) {
    const page = await requestJson<{ items: unknown[] }>('GET', `${base}/api/v1/vms?status=building&limit=1`)
    if (page.items.length === 0) return
    await sleep(250)
  }
  throw new Error(`VMs still building after ${timeoutMs} ms`)
}
