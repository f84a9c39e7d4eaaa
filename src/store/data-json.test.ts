import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import { dataJson, parseData, resourceJson } from './data-json.js'
import type { ResourceRecord } from './records.js'

const record = fc.record({
  seq: fc.nat(),
  id: fc.string(),
  kind: fc.string(),
  project: fc.string(),
  name: fc.string(),
  status: fc.string(),
  phase: fc.option(fc.string()),
  parentId: fc.option(fc.string()),
  version: fc.nat(),
  data: fc.dictionary(fc.string(), fc.jsonValue()),
  createdAt: fc.nat(),
  updatedAt: fc.nat(),
  eventSeq: fc.nat(),
})

describe('data JSON', () => {
  it('writes a resource as JSON.stringify would, whatever its data', () => {
    fc.assert(
      fc.property(record, (r) => {
        expect(JSON.parse(resourceJson(r as ResourceRecord))).toEqual(JSON.parse(JSON.stringify(r)))
      }),
    )
  })

  it('reuses the JSON data was read from, and makes it once for new data', () => {
    const json = '{"a":1,  "b":[2]}'
    const data = parseData(json)
    expect(dataJson(data)).toBe(json)
    const next = { ...data, c: 3 }
    expect(dataJson(next)).toBe('{"a":1,"b":[2],"c":3}')
    expect(dataJson(null)).toBe('null')
  })
})
