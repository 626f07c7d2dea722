import { lookup as dnsLookup, type LookupOneOptions } from 'node:dns'
import { addressFamily } from '@hyperdht-ts/ip-encoding'

type LookupCallback = (err: NodeJS.ErrnoException | null, address: string, family: number) => void

/**
 * The `lookup` of the sockets we create. dgram resolves the address of every `send()` through
 * `dns.lookup`, which for an IP literal (every address this library sends to) only defers the
 * send by a `process.nextTick`: a tick per datagram, and on a server the tick queue drained
 * once more per datagram received. An IP literal is answered at once; a name still goes to
 * `dns.lookup`. (ip-encoding's `addressFamily` agrees with `net.isIP`, and remembers the last
 * IPv4 text it parsed: the host udp-request validated just before this send.)
 */
export function ipLookup (hostname: string, options: number | LookupOneOptions, callback: LookupCallback): void {
  const family = addressFamily(hostname)
  if (family !== 0) {
    callback(null, hostname, family)
    return
  }
  dnsLookup(hostname, typeof options === 'number' ? { family: options } : options, callback)
}
