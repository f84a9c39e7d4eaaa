import { keyGuard } from '../../server/key-guard.js'

export const CONTROL_KEY_HEADER = 'X-Mockcloud-Control-Key'

/**
 * When a control key is set (MOCKCLOUD_CONTROL_KEY, `serve --control-key`),
 * the control face and /metrics answer only requests that carry it, as
 * `Authorization: Bearer <key>` or `X-Mockcloud-Control-Key: <key>`.
 */
export function controlKeyGuard(key: string | undefined) {
  return keyGuard(key, { what: 'the control face', header: CONTROL_KEY_HEADER })
}
