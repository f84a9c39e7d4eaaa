import { checkUrl, InfraClientConfigError, useMockFromEnv } from './client-config.js'
import type { EmbeddedServerOptions } from './embedded-app-transport.js'
import { EmbeddedPoolManagerClient } from './embedded-pool-manager-client.js'
import { HttpPoolManagerClient } from './http-pool-manager-client.js'
import type { PoolManagerClient } from './pool-manager-client.js'

/** The environment variables createPoolManagerClient reads: seed 004's switch, and where the pool manager is. */
export const POOL_MANAGER_ENV = {
  useMock: 'USE_MOCKS',
  url: 'POOL_MANAGER_URL',
  apiKey: 'POOL_MANAGER_API_KEY',
} as const

export interface CreatePoolManagerClientOptions {
  /** true: an EmbeddedPoolManagerClient; false: an HttpPoolManagerClient (needs a URL). Default from USE_MOCKS. */
  useMock?: boolean
  /** The pool manager's API root (`http://127.0.0.1:4600/pool-manager`, or the real one's). Default POOL_MANAGER_URL. */
  baseUrl?: string
  /** Default POOL_MANAGER_API_KEY. */
  apiKey?: string
  /** Options of the embedded mockcloud when the mock is picked (db, profile, seed, clock…). */
  embedded?: Omit<EmbeddedServerOptions, 'app'>
  fetch?: typeof globalThis.fetch
  /** Where settings are read from; default `process.env`. */
  env?: Readonly<Record<string, string | undefined>>
}

/**
 * Picks a PoolManagerClient as seed 004's `USE_MOCKS` switch does; options
 * win over the environment. `useMock` (else USE_MOCKS) true gives an
 * EmbeddedPoolManagerClient, false an HttpPoolManagerClient at `baseUrl`
 * (else POOL_MANAGER_URL) with `apiKey` (else POOL_MANAGER_API_KEY); with
 * neither set, HTTP when a URL is given, else the mock. Throws an
 * InfraClientConfigError naming the setting when they do not add up.
 *
 * @example
 * // USE_MOCKS=false POOL_MANAGER_URL=http://mockcloud:4600/pool-manager
 * const pools = createPoolManagerClient()
 */
export function createPoolManagerClient(opts: CreatePoolManagerClientOptions = {}): PoolManagerClient {
  const env = opts.env ?? process.env
  const nonEmpty = (name: string) => env[name]?.trim() || undefined
  const url = opts.baseUrl !== undefined ? { value: opts.baseUrl, setting: 'baseUrl' } : nonEmpty(POOL_MANAGER_ENV.url) !== undefined ? { value: nonEmpty(POOL_MANAGER_ENV.url)!, setting: POOL_MANAGER_ENV.url } : undefined
  const apiKey = opts.apiKey ?? nonEmpty(POOL_MANAGER_ENV.apiKey)
  const useMock = opts.useMock ?? useMockFromEnv(env[POOL_MANAGER_ENV.useMock], POOL_MANAGER_ENV.useMock) ?? url === undefined
  if (useMock) return new EmbeddedPoolManagerClient({ ...opts.embedded, ...(apiKey === undefined ? {} : { apiKey }) })
  if (!url) {
    const why = opts.useMock === false ? 'useMock is false' : `${POOL_MANAGER_ENV.useMock} is '${env[POOL_MANAGER_ENV.useMock]}'`
    throw new InfraClientConfigError(POOL_MANAGER_ENV.url, `${why} but no pool manager URL is set: set ${POOL_MANAGER_ENV.url} (or pass baseUrl)`)
  }
  return new HttpPoolManagerClient({ baseUrl: checkUrl(url.value, url.setting), ...(apiKey === undefined ? {} : { apiKey }), ...(opts.fetch ? { fetch: opts.fetch } : {}) })
}
