/**
 * A seed as callers write it (`'42'` or `42`), as the text the server hashes.
 * A number is its decimal string, so `42` gives the same run as `'42'`.
 * Throws a TypeError naming `option` for anything else.
 *
 * @example
 * seedOption(1, 'seed') // '1'
 */
export function seedOption(seed: unknown, option: string): string | undefined {
  if (seed === undefined || typeof seed === 'string') return seed
  if (typeof seed === 'number' && Number.isFinite(seed)) return String(seed)
  const got = typeof seed === 'number' ? String(seed) : seed === null ? 'null' : typeof seed
  throw new TypeError(`${option} must be a string or a finite number (the same seed gives the same run), got ${got}`)
}
