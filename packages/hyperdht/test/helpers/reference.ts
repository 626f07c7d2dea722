// Loads the reference implementation (hyperdht@1.3.0, CommonJS) and its nested dependencies.
import { createSocket, type Socket } from 'node:dgram'
import { createRequire } from 'node:module'

const require = createRequire(import.meta.url)

export const referencePath = require.resolve('hyperdht')
const refRequire = createRequire(referencePath)

// eslint-disable-next-line @typescript-eslint/no-explicit-any
export type Any = any

export function loadReference (): Any {
  return require('hyperdht')
}

export function loadReferenceDependency (name: string): Any {
  return refRequire(name)
}

/**
 * A dgram socket whose `bind(port, cb)` (what the reference's `listen(port)` calls, binding every
 * interface) binds `host` instead: pass it as the reference node's `socket` option so that
 * reference nodes have distinct loopback addresses, like ours.
 */
export function boundSocket (host: string): Socket {
  const s = createSocket('udp4')
  const bind = s.bind.bind(s) as (port: number, address: string, cb: () => void) => Socket
  s.bind = ((port: number, cb: () => void) => bind(port, host, cb)) as unknown as Socket['bind']
  return s
}
