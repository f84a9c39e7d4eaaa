import { EmbeddedInfraClient, type EmbeddedInfraClientOptions } from './embedded-infra-client.js'
import { HttpInfraClient } from './http-infra-client.js'
import type { InfraClient } from './infra-client.js'
import { checkUrl, InfraClientConfigError, useMockFromEnv } from './client-config.js'

export { InfraClientConfigError } from './client-config.js'

/** The environment variables createInfraClient reads (seed 000's settings). */
export const INFRA_ENV = {
  useMock: 'USE_MOCK_INFRA',
  url: 'INFRA_SERVICE_URL',
  apiKey: 'INFRA_SERVICE_API_KEY',
  tenantId: 'INFRA_TENANT_ID',
} as const

export interface CreateInfraClientOptions {
  /** true: an EmbeddedInfraClient; false: an HttpInfraClient (needs a URL). Default from USE_MOCK_INFRA. */
  useMock?: boolean
  /** The server's URL for HTTP. Default INFRA_SERVICE_URL. */
  baseUrl?: string
  /** Default INFRA_SERVICE_API_KEY. */
  apiKey?: string
  /** Default INFRA_TENANT_ID. */
  tenantId?: string
  /** Options of the embedded server when the mock is picked (db, profile, seed, clock, timing…). */
  embedded?: Omit<EmbeddedInfraClientOptions, 'tenantId' | 'app'>
  /** fetch for the HTTP client; default the global one. */
  fetch?: typeof globalThis.fetch
  /** Where settings are read from; default `process.env`. */
  env?: Readonly<Record<string, string | undefined>>
}

/**
 * Picks an InfraClient as seed 000's config switch does. Options win over
 * the environment:
 *
 * - `useMock` (else USE_MOCK_INFRA: true/1/yes or false/0/no, any case):
 *   true gives an EmbeddedInfraClient, false an HttpInfraClient;
 * - neither set: HTTP when a URL is given (`baseUrl` or INFRA_SERVICE_URL), else the mock;
 * - HTTP needs a URL that parses (`baseUrl`, else INFRA_SERVICE_URL); the API
 *   key and tenant come from `apiKey` / `tenantId`, else INFRA_SERVICE_API_KEY /
 *   INFRA_TENANT_ID. The mock ignores the URL and key.
 *
 * Throws an InfraClientConfigError naming the setting when they do not add up
 * (no URL for HTTP, a URL that does not parse, a USE_MOCK_INFRA that is not a boolean).
 *
 * @example
 * // USE_MOCK_INFRA=false INFRA_SERVICE_URL=http://mockcloud:4600 INFRA_TENANT_ID=team-a
 * const client = createInfraClient()          // HttpInfraClient for team-a
 * const local = createInfraClient({ useMock: true, embedded: { clock: new ManualClock() } })
 */
export function createInfraClient(opts: CreateInfraClientOptions = {}): InfraClient {
  const env = opts.env ?? process.env
  const nonEmpty = (name: string) => (env[name]?.trim() ? env[name]?.trim() : undefined)
  const url = opts.baseUrl !== undefined ? { value: opts.baseUrl, setting: 'baseUrl' } : nonEmpty(INFRA_ENV.url) !== undefined ? { value: nonEmpty(INFRA_ENV.url)!, setting: INFRA_ENV.url } : undefined
  const tenantId = opts.tenantId ?? nonEmpty(INFRA_ENV.tenantId)
  const useMock = opts.useMock ?? useMockFromEnv(env[INFRA_ENV.useMock], INFRA_ENV.useMock) ?? url === undefined

  if (useMock) return new EmbeddedInfraClient({ ...opts.embedded, tenantId })
  if (!url) {
    const why = opts.useMock === false ? 'useMock is false' : `${INFRA_ENV.useMock} is '${env[INFRA_ENV.useMock]}'`
    throw new InfraClientConfigError(INFRA_ENV.url, `${why} but no server URL is set: set ${INFRA_ENV.url} (or pass baseUrl)`)
  }
  return new HttpInfraClient({ baseUrl: checkUrl(url.value, url.setting), apiKey: opts.apiKey ?? nonEmpty(INFRA_ENV.apiKey), tenantId, fetch: opts.fetch })
}
