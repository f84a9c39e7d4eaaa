import type { FastifyRequest } from 'fastify'
import type { PodData } from '../../engine/kinds/pod.kind.js'
import type { PoolData } from '../../engine/kinds/pool.kind.js'
import type { EventRecord, ResourceRecord } from '../../store/records.js'

export type PoolRecord = ResourceRecord<PoolData>
export type PodRecord = ResourceRecord<PodData>

const iso = (ms: number | null) => (ms === null ? null : new Date(ms).toISOString())

/**
 * Where a pod answers: `https://NAME.DOMAIN` when its pool has a public
 * domain, else this server's own stand-in, `/pods/ID/` (issue 12, point 4).
 */
export function podUrl(req: FastifyRequest, pool: PoolRecord, pod: PodRecord, port?: number): string {
  if (pool.data.domain !== null) return `https://${pod.name}.${pool.data.domain}${port === undefined ? '' : `:${port}`}`
  const base = `${req.protocol}://${req.headers.host ?? 'localhost'}/pods/${pod.id}/`
  return port === undefined ? base : `${base}ports/${port}/`
}

export function workspaceToWire(req: FastifyRequest, pool: PoolRecord, pod: PodRecord) {
  return {
    id: pod.id,
    poolName: pool.name,
    url: podUrl(req, pool, pod),
    password: pod.data.password,
    // NOTE: free and used as seed 004 has them; the states it never shows (provisioning, syncing, error) by their own names.
    usage_status: pod.status,
    claimedBy: pod.data.claimedBy,
    claimed_at: iso(pod.data.claimedAt),
    portMappings: Object.fromEntries(pool.data.ports.map((port) => [String(port), podUrl(req, pool, pod, port)])),
    repositories: pod.data.repositories,
    error: pod.data.fault?.message ?? null,
  }
}

export function workspaceRowToWire(req: FastifyRequest, pool: PoolRecord, pod: PodRecord) {
  return { id: pod.id, status: pod.status, claimed_by: pod.data.claimedBy, claimed_at: iso(pod.data.claimedAt), url: podUrl(req, pool, pod) }
}

/** seed 004's pool counts: every pod, those free to claim, those in use (claimed or marked used). */
export function poolToWire(pool: PoolRecord, pods: readonly PodRecord[]) {
  return {
    name: pool.name,
    id: pool.id,
    total_workspaces: pods.length,
    available_workspaces: pods.filter((p) => p.status === 'free').length,
    used_workspaces: pods.filter((p) => p.data.claimedBy !== null || p.status === 'used' || p.status === 'syncing').length,
    size: pool.data.size,
    capacity: pool.data.capacity,
    domain: pool.data.domain,
    ports: pool.data.ports,
    keyed: pool.data.keyed,
  }
}

/** A pod's change on a pool's event stream: which change, and the workspace after it. */
export function podEventToWire(req: FastifyRequest, pool: PoolRecord, e: EventRecord & { resource: PodRecord }) {
  return {
    seq: e.seq,
    at: new Date(e.at).toISOString(),
    type: e.type,
    operation: e.operation,
    from_status: e.fromStatus,
    to_status: e.toStatus,
    workspace: workspaceToWire(req, pool, e.resource),
  }
}

/** The last event of a pool's stream: the pool is gone (its pods with it). */
export function poolGoneToWire(e: EventRecord) {
  return { seq: e.seq, at: new Date(e.at).toISOString(), type: e.type, operation: e.operation, pool: { id: e.resourceId, name: e.name } }
}
