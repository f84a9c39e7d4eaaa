import { scryptSync, timingSafeEqual } from 'node:crypto'

/**
 * scrypt's cost for stored passwords. Far below what a real identity service
 * uses (2^14 and up): an emulator authenticates on every CLI command and in
 * every test, and what it guards is a mock. Still a salted one-way hash: a
 * snapshot or a database file never holds a password.
 */
const COST = { N: 1024, r: 8, p: 1 } as const
const KEY_BYTES = 32

/** A password's stored form: `scrypt$N$r$p$salt$hash` (salt and hash in base64url). */
export function hashPassword(password: string, salt: Buffer): string {
  const hash = scryptSync(password.normalize('NFC'), salt, KEY_BYTES, COST)
  return ['scrypt', COST.N, COST.r, COST.p, salt.toString('base64url'), hash.toString('base64url')].join('$')
}

/** Whether `password` is the one `stored` was made from; false for a stored form it cannot read. */
export function verifyPassword(password: string, stored: string): boolean {
  const [scheme, n, r, p, salt, hash] = stored.split('$')
  if (scheme !== 'scrypt' || !salt || !hash) return false
  const expected = Buffer.from(hash, 'base64url')
  const cost = { N: Number(n), r: Number(r), p: Number(p) }
  if (![cost.N, cost.r, cost.p].every((v) => Number.isInteger(v) && v > 0) || expected.length === 0) return false
  const actual = scryptSync(password.normalize('NFC'), Buffer.from(salt, 'base64url'), expected.length, cost)
  return timingSafeEqual(actual, expected)
}
