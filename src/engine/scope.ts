import { ValidationError } from './errors.js'

/**
 * The project that owns what every project may see: seeded flavors and images,
 * the public network. No request can name it (project ids must start with a
 * letter or digit).
 */
export const SHARED_PROJECT = '~shared'

/** What a valid project id looks like, on every face. */
export const PROJECT_ID_PATTERN = '^[A-Za-z0-9][A-Za-z0-9_.-]{0,63}$'

/**
 * Where a resource lives (docs/decisions/0010-scopes.md). Each kind declares
 * which type of scope its resources live in:
 *
 * - `project`: an OpenStack project, or the native API's (`acme`);
 * - `cluster`: an emulated Kubernetes cluster, for its cluster-wide kinds
 *   (Namespace, Node): `cluster:dev`;
 * - `namespace`: a namespace of a cluster, for namespaced kinds
 *   (VirtualMachine): `cluster:dev/default`;
 * - `pool`: a pool manager's pool, for its pods: `pool:default-pool`;
 * - `domain`: an identity domain, for its projects, users, role
 *   assignments, credentials and tokens: `domain:default`.
 *
 * A scope is stored as one string, its key. A project's key is its id, as it
 * always was, so stores and snapshots from before scopes read unchanged.
 */
export type ScopeType = 'project' | 'cluster' | 'namespace' | 'pool' | 'domain'

export type Scope =
  | { type: 'project'; project: string }
  | { type: 'cluster'; cluster: string }
  | { type: 'namespace'; cluster: string; namespace: string }
  | { type: 'pool'; pool: string }
  | { type: 'domain'; domain: string }

const PROJECT = new RegExp(PROJECT_ID_PATTERN)
/** A Kubernetes name (RFC 1123 label), as clusters and namespaces are named. */
const DNS_LABEL = /^[a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?$/
const POOL = /^[A-Za-z0-9][A-Za-z0-9_.-]{0,63}$/

/** How every identity domain's scope key starts. */
export const DOMAIN_SCOPE_PREFIX = 'domain:'

/** The keys of scopes, built from their parts (which are checked). */
export const scopes = {
  project: (id: string): string => checked(id, PROJECT, 'project', 'a project id (letters, digits, ., _ and -)'),
  cluster: (name: string): string => `cluster:${checked(name, DNS_LABEL, 'cluster', 'a cluster name (lower-case letters, digits and -)')}`,
  namespace: (cluster: string, namespace: string): string =>
    `${scopes.cluster(cluster)}/${checked(namespace, DNS_LABEL, 'namespace', 'a namespace name (lower-case letters, digits and -)')}`,
  pool: (name: string): string => `pool:${checked(name, POOL, 'pool', 'a pool name (letters, digits, ., _ and -)')}`,
  domain: (id: string): string => `domain:${checked(id, PROJECT, 'domain', 'a domain id (letters, digits, ., _ and -)')}`,
}

/**
 * A scope key read back into its parts; a ValidationError naming `field` when
 * it is not one (`acme`, `cluster:dev`, `cluster:dev/default`, `pool:p1`).
 */
export function parseScope(key: string, field = 'scope'): Scope {
  const bad = () => new ValidationError(field, `${field}: '${key.slice(0, 80)}' is not a scope (a project id, cluster:NAME, cluster:NAME/NAMESPACE, pool:NAME or domain:ID)`)
  const colon = key.indexOf(':')
  if (colon < 0) {
    if (key === SHARED_PROJECT || PROJECT.test(key)) return { type: 'project', project: key }
    throw bad()
  }
  const prefix = key.slice(0, colon)
  const rest = key.slice(colon + 1)
  if (prefix === 'pool' && POOL.test(rest)) return { type: 'pool', pool: rest }
  if (prefix === 'domain' && PROJECT.test(rest)) return { type: 'domain', domain: rest }
  if (prefix === 'cluster') {
    const [cluster = '', namespace, ...more] = rest.split('/')
    if (!DNS_LABEL.test(cluster) || more.length) throw bad()
    if (namespace === undefined) return { type: 'cluster', cluster }
    if (DNS_LABEL.test(namespace)) return { type: 'namespace', cluster, namespace }
  }
  throw bad()
}

/** The scope a scope sits in (a namespace's cluster), if any. */
export function parentScope(key: string): string | undefined {
  const slash = key.indexOf('/')
  return slash < 0 ? undefined : key.slice(0, slash)
}

/** The scope and those it sits in, outermost first (`cluster:dev`, `cluster:dev/default`). */
export function scopeChain(key: string): string[] {
  const parent = parentScope(key)
  return parent === undefined ? [key] : [parent, key]
}

/** Whether `key` is `ancestor` or sits in it (a namespace in its cluster). */
export function isWithin(key: string, ancestor: string): boolean {
  return key === ancestor || (key.startsWith(ancestor) && key.charAt(ancestor.length) === '/')
}

function checked(value: string, pattern: RegExp, field: string, what: string): string {
  if (!pattern.test(value)) throw new ValidationError(field, `${field}: '${value.slice(0, 80)}' is not ${what}`)
  return value
}
