/** IPv4 arithmetic for IPAM: addresses as unsigned 32-bit integers. */

export interface Cidr {
  /** The network address, as an integer. */
  base: number
  prefix: number
  /** Number of addresses in the block. */
  size: number
  text: string
}

export function parseIpv4(text: string): number | undefined {
  const m = /^(\d{1,3})\.(\d{1,3})\.(\d{1,3})\.(\d{1,3})$/.exec(text)
  if (!m) return undefined
  const parts = m.slice(1).map(Number)
  if (parts.some((p) => p > 255)) return undefined
  return ((parts[0]! << 24) >>> 0) + (parts[1]! << 16) + (parts[2]! << 8) + parts[3]!
}

export function formatIpv4(n: number): string {
  return [n >>> 24, (n >>> 16) & 255, (n >>> 8) & 255, n & 255].join('.')
}

/** Parses `10.3.0.0/16`; undefined if it is not an IPv4 CIDR whose host bits are zero. */
export function parseCidr(text: string): Cidr | undefined {
  const [addr, prefixText, ...rest] = text.split('/')
  if (rest.length || addr === undefined || prefixText === undefined || !/^\d{1,2}$/.test(prefixText)) return undefined
  const base = parseIpv4(addr)
  const prefix = Number(prefixText)
  if (base === undefined || prefix > 32) return undefined
  const size = 2 ** (32 - prefix)
  if (base % size !== 0) return undefined
  return { base, prefix, size, text: `${formatIpv4(base)}/${prefix}` }
}

export function overlaps(a: Cidr, b: Cidr): boolean {
  return a.base < b.base + b.size && b.base < a.base + a.size
}

/**
 * The usable host range of a block: without the network address, the gateway
 * (the first host, as Neutron does) and the broadcast address.
 */
export function hostRange(c: Cidr): { first: number; last: number; gateway: number } {
  if (c.prefix >= 31) return { first: c.base, last: c.base + c.size - 1, gateway: c.base }
  return { first: c.base + 2, last: c.base + c.size - 2, gateway: c.base + 1 }
}
