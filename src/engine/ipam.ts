import type { EngineTx } from './engine-tx.js'
import { ConflictError, EMU_ERR_EXHAUSTED } from './errors.js'
import { formatIpv4, hostRange, overlaps, parseCidr, type Cidr } from './ipv4.js'

// NOTE: random probes find a free address at once while a pool is sparse; past
// this many collisions the pool is crowded and a scan for the lowest free one is cheaper.
const RANDOM_PROBES = 16

/**
 * Hands out a free address of `cidr` in `pool` to `ownerId`: a random one, as
 * real clouds do (seed 002), drawn from the seeded generator. The store's
 * unique (pool, address) key means no address is ever given out twice, even
 * by two nodes at once. 409 when the pool is full.
 */
export async function allocateAddress(tx: EngineTx, pool: string, cidr: Cidr, ownerId: string): Promise<string> {
  const { first, last } = hostRange(cidr)
  for (let attempt = 0; attempt < RANDOM_PROBES; attempt++) {
    const candidate = formatIpv4(tx.random.int(first, last, pool, ownerId, attempt, 'ip'))
    if (await tx.q.claimAddress(pool, candidate, ownerId)) return candidate
  }
  const taken = new Set(await tx.q.addressesIn(pool))
  for (let n = first; n <= last; n++) {
    const candidate = formatIpv4(n)
    if (!taken.has(candidate) && (await tx.q.claimAddress(pool, candidate, ownerId))) return candidate
  }
  throw new ConflictError(`no free address left in ${cidr.text}`, EMU_ERR_EXHAUSTED)
}

/** Claims one given address (a fixed IP asked for by the client); 409 if taken. */
export async function claimGivenAddress(tx: EngineTx, pool: string, cidr: Cidr, address: string, ownerId: string): Promise<string> {
  if (!(await tx.q.claimAddress(pool, address, ownerId))) {
    throw new ConflictError(`address ${address} in ${cidr.text} is already in use`)
  }
  return address
}

/**
 * Gives a new environment of `project` the lowest 10.N.0.0/16 that no other
 * environment of the project overlaps (seed 002: one /16 each).
 */
export async function allocateEnvironmentCidr(tx: EngineTx, project: string, ownerId: string, existing: Cidr[]): Promise<Cidr> {
  for (let n = 0; n < 256; n++) {
    const candidate = parseCidr(`10.${n}.0.0/16`)!
    if (existing.some((c) => overlaps(c, candidate))) continue
    if (await tx.q.claimAddress(`cidr:${project}`, candidate.text, ownerId)) return candidate
  }
  throw new ConflictError(`project ${project} has no free 10.N.0.0/16 range left; pass a cidr`, EMU_ERR_EXHAUSTED)
}
