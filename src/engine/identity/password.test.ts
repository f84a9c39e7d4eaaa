import { describe, expect, it } from 'vitest'
import { hashPassword, hashPasswordAsync, verifyPassword } from './password.js'

describe('stored passwords', () => {
  const salt = Buffer.from('0123456789abcdef')

  it('hashes alike on the main thread and off it, and verifies what either made', async () => {
    const stored = await hashPasswordAsync('s3cret', salt)
    expect(stored).toBe(hashPassword('s3cret', salt))
    expect(stored).toMatch(/^scrypt\$1024\$8\$1\$/)
    expect(verifyPassword('s3cret', stored)).toBe(true)
    expect(verifyPassword('s3cre', stored)).toBe(false)
  })
})
