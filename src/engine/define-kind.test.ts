import { describe, expect, it } from 'vitest'
import { Type } from 'typebox'
import { defineKind } from './define-kind.js'
import { ALL_KINDS } from './kinds/index.js'

describe('defineKind', () => {
  it('rejects a state machine that names an undeclared state', () => {
    expect(() => defineKind({ id: 'x.y', names: ['y'], data: Type.Object({}), states: ['a'], operations: { create: { via: 'a', to: 'b' } }, hooks: {} })).toThrow(/unknown state 'b'/)
  })

  it('rejects an index on a data field that is not one of its filters', () => {
    const data = Type.Object({ a: Type.String(), b: Type.String() })
    expect(() => defineKind({ id: 'x.y', names: ['y'], data, states: ['a'], operations: { create: { to: 'a' } }, filters: ['a'], indexed: ['b'], hooks: {} })).toThrow(/x.y.indexed names 'b', which is not one of its filters/)
    expect(() => defineKind({ id: 'x.y', names: ['y'], data, states: ['a'], operations: { create: { to: 'a' } }, filters: ['a'], indexed: ['a'], hooks: {} })).not.toThrow()
  })

  it('rejects a failure on a synchronous operation', () => {
    expect(() => defineKind({ id: 'x.y', names: ['y'], data: Type.Object({}), states: ['a', 'e'], operations: { create: { to: 'a', failTo: 'e' } }, hooks: {} })).toThrow(/asynchronous/)
  })

  it('rejects phases that name unknown states, repeat, come without via, or a failure phase that is not one of them', () => {
    const kind = (create: Record<string, unknown>) => () =>
      defineKind({ id: 'x.y', names: ['y'], data: Type.Object({}), states: ['a', 'b', 'e'], operations: { create: { to: 'b', ...create } }, hooks: {} })
    expect(kind({ via: 'a', phases: [{ name: 'p', status: 'zz' }] })).toThrow(/phase p names unknown state 'zz'/)
    expect(kind({ via: 'a', phases: [{ name: 'p', failTo: 'zz' }] })).toThrow(/phase p names unknown state 'zz'/)
    expect(kind({ via: 'a', phases: [{ name: 'p' }, { name: 'p' }] })).toThrow(/declares phase 'p' twice/)
    expect(kind({ phases: [{ name: 'p' }] })).toThrow(/must be asynchronous/)
    expect(kind({ via: 'a', phases: [{ name: 'two words' }] })).toThrow(/must be a word/)
    expect(kind({ via: 'a', phases: [{ name: 'p' }], failPhase: 'q' })).toThrow(/failPhase 'q' is not one of its phases/)
    expect(kind({ via: 'a', failPhase: 'q' })).toThrow(/declares no phases/)
    expect(kind({ via: 'a', phases: [{ name: 'p', status: 'a' }, { name: 'q', status: 'b', failTo: 'e' }], failPhase: 'p' })).not.toThrow()
  })

  it('sorts only on required strings or numbers of its data', () => {
    const kind = (sortable: string[]) => () =>
      defineKind({ id: 'x.y', names: ['y'], data: Type.Object({ size: Type.Integer(), note: Type.Optional(Type.String()), tags: Type.Array(Type.String()) }), states: ['a'], operations: { create: { to: 'a' } }, sortable, hooks: {} })
    expect(kind(['size'])).not.toThrow()
    expect(kind(['note'])).toThrow(/'note', which is not a required string or number/)
    expect(kind(['tags'])).toThrow(/'tags', which is not a required string or number/)
    expect(kind(['colour'])).toThrow(/'colour'/)
  })

  it('every kind can be created and deleted', () => {
    for (const k of ALL_KINDS) {
      expect(k.operations['create'], k.id).toBeDefined()
      expect(k.operations['delete']?.to, k.id).toBeNull()
    }
  })
})
