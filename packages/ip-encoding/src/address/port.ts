import { MAX_PORT } from '../constants'
import { IpEncodingError } from '../errors'

/** Returns `port` when it is an integer in 1..65535, else throws `INVALID_PORT`. */
export function checkPort (port: unknown): number {
  if (typeof port !== 'number' || !Number.isInteger(port) || port < 1 || port > MAX_PORT) {
    throw IpEncodingError.INVALID_PORT(`port must be an integer in 1..${MAX_PORT}, got ${describe(port)}`)
  }
  return port
}

/** Short, safe description of an untrusted value for error messages. */
export function describe (value: unknown): string {
  if (typeof value === 'string') return JSON.stringify(value.length > 64 ? value.slice(0, 64) + '…' : value)
  if (typeof value === 'number' || typeof value === 'bigint' || typeof value === 'boolean') return String(value)
  if (value === null) return 'null'
  if (value === undefined) return 'undefined'
  if (value instanceof Uint8Array) return `${value.length}-byte Uint8Array`
  return typeof value
}
