import { describe, expect, it } from 'vitest'
import {
  ConflictError,
  errorFromResponse,
  InjectedFaultError,
  MockcloudError,
  NotFoundError,
  SDK_ERR_BAD_RESPONSE,
  UnauthorizedError,
  ValidationError,
} from '../../src/sdk/index.js'
import { sdkField } from '../../src/sdk/native-mappers.js'

const body = (status: number, code: string, message = 'why', field: string | null = null) => ({ error: { status, code, message, field } })

describe('errorFromResponse', () => {
  it('maps each status to its class, keeping status, code, message and field', () => {
    const cases: Array<[number, string, new (...a: never[]) => MockcloudError]> = [
      [400, 'EMU_ERR_VALIDATION', ValidationError],
      [401, 'EMU_ERR_UNAUTHORIZED', UnauthorizedError],
      [404, 'EMU_ERR_NOT_FOUND', NotFoundError],
      [409, 'EMU_ERR_CONFLICT', ConflictError],
      [409, 'EMU_ERR_INVALID_STATE', ConflictError],
    ]
    for (const [status, code, cls] of cases) {
      const err = errorFromResponse(status, body(status, code, `${code} happened`))
      expect(err).toBeInstanceOf(cls)
      expect(err).toBeInstanceOf(MockcloudError)
      expect(err).toBeInstanceOf(Error)
      expect(err).toMatchObject({ status, code, message: `${code} happened`, field: null, name: cls.name })
    }
  })

  it('an injected fault is an InjectedFaultError whatever its status', () => {
    for (const status of [400, 404, 409, 429, 500, 503]) {
      const err = errorFromResponse(status, body(status, 'EMU_ERR_INJECTED', 'injected: boom'))
      expect(err).toBeInstanceOf(InjectedFaultError)
      expect(err).toMatchObject({ status, code: 'EMU_ERR_INJECTED', message: 'injected: boom' })
    }
  })

  it('other statuses are a plain MockcloudError', () => {
    const err = errorFromResponse(500, body(500, 'EMU_ERR_INTERNAL', 'internal error'))
    expect(err.constructor).toBe(MockcloudError)
    expect(err).toMatchObject({ status: 500, code: 'EMU_ERR_INTERNAL' })
  })

  it('renames the field with the given function and keeps the wire name', () => {
    const err = errorFromResponse(400, body(400, 'EMU_ERR_VALIDATION', 'size_gb: must be >= 1', 'size_gb'), () => 'sizeGb')
    expect(err).toMatchObject({ field: 'sizeGb', wireField: 'size_gb' })
  })

  it('an answer that is not the native error format still gets the right class', () => {
    const html = errorFromResponse(404, '<html>nginx: not found</html>')
    expect(html).toBeInstanceOf(NotFoundError)
    expect(html).toMatchObject({ code: SDK_ERR_BAD_RESPONSE, field: null })
    expect(html.message).toMatch(/404.*nginx/)
    expect(errorFromResponse(502, undefined)).toMatchObject({ status: 502, code: SDK_ERR_BAD_RESPONSE })
    expect(errorFromResponse(400, { error: null })).toBeInstanceOf(ValidationError)
  })
})

// NOTE: what errors show as `field`: the wire's field names as the SDK's requests spell them.
describe('sdkField: wire field names as the SDK requests spell them', () => {
  it.each([
    ['size_gb', false, 'sizeGb'],
    ['rules[0].port_range_min', false, 'rules[0].portRangeMin'],
    ['environment_id', true, 'networkId'],
    ['security_group_ids[1]', true, 'securityGroups[1]'],
    ['flavor', true, 'flavorId'],
    ['image', true, 'imageId'],
    ['image', false, 'image'],
    ['metadata.my_key', true, 'metadata.my_key'],
    ['env.MY_VAR', false, 'env.MY_VAR'],
    ['X-Project-Id', false, 'tenantId'],
    ['body', false, 'body'],
  ])('%s (instance: %s) -> %s', (wire, forInstance, sdk) => {
    expect(sdkField(wire, forInstance)).toBe(sdk)
  })
})
