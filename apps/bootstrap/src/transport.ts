// `--transport udx`: udx-native behind the library's socket interface. Loaded only when asked
// for: it is a native module and an optional dependency, never needed to run the server.
import type { DatagramSocket } from '@hyperdht-ts/udp-request'
import { BootstrapError } from './errors.js'

/** A udx-native socket for the node, or TRANSPORT_UNAVAILABLE saying why there is none. */
export async function udxSocket (): Promise<DatagramSocket> {
  let udx: typeof import('@hyperdht-ts/udp-request/udx')
  try {
    udx = await import('@hyperdht-ts/udp-request/udx')
  } catch (err) {
    throw BootstrapError.TRANSPORT_UNAVAILABLE('udx', 'udx-native is not installed, or has no build for this platform (install it next to hyperdht-bootstrap, or leave --transport at dgram)', err)
  }
  try {
    return udx.createUdxSocket()
  } catch (err) {
    throw BootstrapError.TRANSPORT_UNAVAILABLE('udx', `udx-native failed to start: ${(err as Error).message}`, err)
  }
}
