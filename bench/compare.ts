import { fire, merge, type Measurement } from './load.js'
import type { Operation } from './operations.js'

/** Both sides of one operation. */
export interface Comparison {
  mock: Measurement
  bare: Measurement
}

export interface CompareOptions {
  warmup: number
  duration: number
  slices: number
  connections: number
  log: (line: string) => void
}

/**
 * Warms both servers, then measures in ABBA order (mock, bare, bare, mock...)
 * in `slices` slices each, so slow drift (thermal, page cache, GC of a
 * growing heap) weighs on both sides alike.
 */
export async function compare(op: Operation, o: CompareOptions): Promise<Comparison> {
  const runMock = async (seconds: number) => {
    const target = await op.mock()
    const r = await fire(target, seconds, o.connections)
    await op.settle?.()
    return r
  }
  const runBare = (seconds: number) => fire(op.bare, seconds, o.connections)

  o.log(`${op.name}: warm-up ${o.warmup}s each`)
  await runMock(o.warmup)
  await runBare(o.warmup)

  const slice = o.duration / o.slices
  const mock = []
  const bare = []
  for (let i = 0; i < o.slices; i++) {
    o.log(`${op.name}: slice ${i + 1}/${o.slices}, ${slice}s each`)
    if (i % 2 === 0) {
      mock.push(await runMock(slice))
      bare.push(await runBare(slice))
    } else {
      bare.push(await runBare(slice))
      mock.push(await runMock(slice))
    }
  }
  return { mock: merge(mock, op.bare.url), bare: merge(bare, op.bare.url) }
}
