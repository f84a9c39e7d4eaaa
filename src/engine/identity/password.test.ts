import { describe, expect, it } from 'vitest'
import { hashPassword, verifyPassword } from './password.js'

describe('stored passwords', () => {
  const salt = Buffer.from('0123456789abcdef')

  it('stores a salted scrypt hash, and verifies the password it was made from and no other', () => {
    const stored = hashPassword('s3cret', salt)
    expect(stored).not.toContain('s3cret')
    expect(stored).toMatch(/^scrypt\$1024\$8\$1\$/)
    expect(verifyPassword('s3cret', stored)).toBe(true)
    expect(verifyPassword('s3cre', stored)).toBe(false)
  })
})
