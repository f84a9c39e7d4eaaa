import { readFile } from 'node:fs/promises'
import type { ValidateFunction } from 'ajv'
import type { Snapshot } from '../engine/state-control.js'
import { Snapshot as SnapshotSchema } from '../faces/control/schemas.js'
import { describeValidationError, validatorCompiler } from '../server/validation.js'
import { oneLine } from './control-client.js'

// NOTE: taken from the schema rather than state-control.ts, which would load the whole store layer for two constants.
const SNAPSHOT_FORMAT = SnapshotSchema.properties.format.const
const SNAPSHOT_VERSION = SnapshotSchema.properties.version.const

let validate: ValidateFunction | undefined

/**
 * Reads a snapshot file (what `GET /_mockcloud/snapshot` and `mockcloud
 * snapshot export` write) and checks it against the control face's own
 * `Snapshot` schema, with the validator the server uses for
 * `POST /_mockcloud/snapshot`, so a file the CLI accepts is one the server
 * accepts. Throws an Error with a one-line message naming the file.
 */
export async function readSnapshotFile(file: string): Promise<Snapshot> {
  let text: string
  try {
    text = await readFile(file, 'utf8')
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code
    throw new Error(`cannot read snapshot file ${file}: ${code === 'ENOENT' ? 'no such file' : code === 'EISDIR' ? 'it is a directory' : (code ?? String(err))}`)
  }
  let json: unknown
  try {
    json = JSON.parse(text)
  } catch (err) {
    throw new Error(`snapshot file ${file} is not JSON: ${oneLine(err instanceof Error ? err.message : String(err))}`)
  }
  const head = json !== null && typeof json === 'object' && !Array.isArray(json) ? (json as Record<string, unknown>) : undefined
  if (head?.['format'] !== SNAPSHOT_FORMAT) throw new Error(`${file} is not a mockcloud snapshot (its "format" is not "${SNAPSHOT_FORMAT}"); write one with mockcloud snapshot export`)
  if (head['version'] !== SNAPSHOT_VERSION) throw new Error(`${file} is a version ${JSON.stringify(head['version'])} snapshot; this mockcloud reads version ${SNAPSHOT_VERSION}`)
  validate ??= validatorCompiler({ schema: SnapshotSchema, method: 'POST', url: '/_mockcloud/snapshot', httpPart: 'body' }) as ValidateFunction
  if (!validate(json)) throw new Error(`${file} is not a valid snapshot: ${describeValidationError(validate.errors ?? [], 'snapshot').message}`)
  return json as Snapshot
}
