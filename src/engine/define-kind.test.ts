import { describe, expect, it } from 'vitest'
import { Type } from 'typebox'
import { defineKind } from './define-kind.js'
import { ALL_KINDS } from './kinds/index.js'

describe('defineKind', () => {
  it('rejects a state machine that names an undeclared state', () => {
    expect(() => defineKind({ id: 'x.y', names: ['y'], data: Type.Object({}), states: ['a'], operations: { create: { via: 'a', to: 'b' } }, hooks: {} })).toThrow(/unknown state 'b'/)
  })

  it('rejects a failure on a synchronous operation', () => {
    expect(() => defineKind({ id: 'x.y', names: ['y'], data: Type.Object({}), states: ['a', 'e'], operations: { create: { to: 'a', failTo: 'e' } }, hooks: {} })).toThrow(/asynchronous/)
  })

  it('every kind can be created and deleted', () => {
    for (const k of ALL_KINDS) {
      expect(k.operations['create'], k.id).toBeDefined()
      expect(k.operations['delete']?.to, k.id).toBeNull()
    }
  })
})
