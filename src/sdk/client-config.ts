/** What the SDK's `create…Client` factories share: reading their settings. */

/** A setting of an SDK client (InfraClient, PoolManagerClient) that makes no sense; `setting` names it (`INFRA_SERVICE_URL`, `baseUrl`…). */
export class InfraClientConfigError extends Error {
  constructor(
    readonly setting: string,
    message: string,
  ) {
    super(message)
    this.name = 'InfraClientConfigError'
  }
}

const TRUE = ['true', '1', 'yes']
const FALSE = ['false', '0', 'no']

/** A USE_MOCK… variable (`name`) as a boolean; undefined when unset or empty. */
export function useMockFromEnv(raw: string | undefined, name: string): boolean | undefined {
  const v = raw?.trim().toLowerCase()
  if (v === undefined || v === '') return undefined
  if (TRUE.includes(v)) return true
  if (FALSE.includes(v)) return false
  throw new InfraClientConfigError(name, `${name}='${raw}' is not a boolean (use true/1/yes or false/0/no)`)
}

export function checkUrl(url: string, setting: string): string {
  let parsed: URL
  try {
    parsed = new URL(url)
  } catch {
    throw new InfraClientConfigError(setting, `${setting}='${url}' is not a URL (expected e.g. http://127.0.0.1:4600)`)
  }
  if (parsed.protocol !== 'http:' && parsed.protocol !== 'https:') {
    throw new InfraClientConfigError(setting, `${setting}='${url}' must be an http:// or https:// URL`)
  }
  return url
}
