import fc from 'fast-check'
import { Type } from 'typebox'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { freshDb, TEST_STORE, type TestDb } from '../../test/helpers/store.js'
import { ManualClock } from '../clock/manual-clock.js'
import { SeededRandom } from '../random/seeded-random.js'
import { openStore } from '../store/open-store.js'
import type { Store } from '../store/store.js'
import { defineKind } from './define-kind.js'
import { Engine } from './engine.js'
import { ValidationError } from './errors.js'
import { InProcessEventBus } from './event-bus.js'
import { IMMEDIATE } from './kinds/common.js'
import { labelsMatch, parseLabelSelector, type LabelRequirement } from './label-selector.js'
import { KindRegistry } from './registry.js'
import { Timing } from './timing.js'

describe('parseLabelSelector', () => {
  it("reads Kubernetes' syntax", () => {
    expect(parseLabelSelector('app=web, tier!=db,env in (prod, staging),zone notin (a),app.kubernetes.io/name==x,ready,!legacy,empty=')).toEqual([
      { key: 'app', op: '=', value: 'web' },
      { key: 'tier', op: '!=', value: 'db' },
      { key: 'env', op: 'in', values: ['prod', 'staging'] },
      { key: 'zone', op: 'notin', values: ['a'] },
      { key: 'app.kubernetes.io/name', op: '=', value: 'x' },
      { key: 'ready', op: 'exists' },
      { key: 'legacy', op: '!exists' },
      { key: 'empty', op: '=', value: '' },
    ])
    expect(parseLabelSelector('')).toEqual([])
  })

  it('names what is wrong, with the field', () => {
    const cases: Array<[string, RegExp]> = [
      ['app=web,', /empty requirement/],
      ['env in (a,b', /parentheses do not pair up/],
      ['env in ()', /at least one value/],
      ['a b c', /is not a requirement/],
      ['-app=web', /not a label key/],
      ["app=we'b", /not a label value/],
      ['app=' + 'x'.repeat(64), /not a label value/],
    ]
    for (const [text, message] of cases) {
      const err = (() => {
        try {
          parseLabelSelector(text)
        } catch (e) {
          return e
        }
      })()
      expect(err, text).toBeInstanceOf(ValidationError)
      expect((err as ValidationError).field).toBe('labelSelector')
      expect((err as Error).message, text).toMatch(message)
    }
  })
})

/** A kind with labels, as a Kubernetes object's metadata.labels. */
const labelled = defineKind<{ labels: Record<string, string> }>({
  id: 'test.labelled',
  names: ['labelled'],
  data: Type.Object({ labels: Type.Record(Type.String(), Type.String()) }),
  states: ['active'],
  operations: IMMEDIATE,
  labels: 'labels',
  hooks: { create: (tx, project, input) => tx.create('test.labelled', { project, name: String(input['name']), data: { labels: input['labels'] as Record<string, string> } }) },
})
const plain = defineKind<{ note: string }>({
  id: 'test.plain',
  names: ['plain'],
  data: Type.Object({ note: Type.String() }),
  states: ['active'],
  operations: IMMEDIATE,
  hooks: {},
})

describe(`label selectors in lists on ${TEST_STORE}`, () => {
  let db: TestDb
  let store: Store
  let engine: Engine
  const KEYS = ['app', 'tier', 'app.kubernetes.io/name']
  const VALUES = ['web', 'db', '', 'x.y']
  const labelSets: Array<Record<string, string>> = []

  beforeAll(async () => {
    db = freshDb()
    store = await openStore(db.location)
    const registry = new KindRegistry([labelled as never, plain as never])
    engine = new Engine({ store, clock: new ManualClock(0), random: new SeededRandom('1'), timing: new Timing(registry, 'fast', []), registry, bus: new InProcessEventBus() })
    // NOTE: every combination of up to two keys with the values, and none: what any selector below can tell apart.
    labelSets.push({})
    for (const k of KEYS) for (const v of VALUES) labelSets.push({ [k]: v })
    for (const v of VALUES) for (const w of VALUES) labelSets.push({ app: v, 'app.kubernetes.io/name': w })
    for (const [i, labels] of labelSets.entries()) await engine.create('p', 'test.labelled', { name: `r${i}`, labels })
  })
  afterAll(async () => {
    await store.close()
    await db.drop()
  })

  const names = async (labels: LabelRequirement[]) => (await engine.list('p', 'test.labelled', { labels, limit: 1000 })).items.map((r) => r.name)
  const expected = (labels: LabelRequirement[]) => labelSets.flatMap((l, i) => (labelsMatch(l, labels) ? [`r${i}`] : []))

  it('selects as Kubernetes does: a missing label meets != and notin', async () => {
    expect(await names(parseLabelSelector('app=web'))).toEqual(['r1', 'r13', 'r14', 'r15', 'r16'])
    const some = await names(parseLabelSelector('tier!=db'))
    expect(some).toContain('r0')
    expect(some).not.toContain('r6')
    expect(await names(parseLabelSelector('app.kubernetes.io/name in (x.y),app'))).toEqual(expected(parseLabelSelector('app.kubernetes.io/name in (x.y),app')))
  })

  it('agrees with the requirements read in memory, for any selector over these labels', async () => {
    const requirement = fc.oneof(
      fc.record({ key: fc.constantFrom(...KEYS), op: fc.constantFrom('=' as const, '!=' as const), value: fc.constantFrom(...VALUES) }),
      fc.record({ key: fc.constantFrom(...KEYS), op: fc.constantFrom('in' as const, 'notin' as const), values: fc.uniqueArray(fc.constantFrom(...VALUES), { minLength: 1 }) }),
      fc.record({ key: fc.constantFrom(...KEYS), op: fc.constantFrom('exists' as const, '!exists' as const) }),
    )
    await fc.assert(
      fc.asyncProperty(fc.array(requirement, { maxLength: 3 }), async (reqs) => {
        expect(await names(reqs as LabelRequirement[])).toEqual(expected(reqs as LabelRequirement[]))
      }),
      { numRuns: 60 },
    )
  })

  it('refuses a selector on a kind without labels, naming the field', async () => {
    const err = await engine.list('p', 'test.plain', { labels: parseLabelSelector('app=web') }).catch((e: unknown) => e)
    expect((err as ValidationError).field).toBe('labelSelector')
  })
})
