// The protocol clients of `@achingbrain/nat-port-mapper` (the one libp2p uses) behind
// `PortMappingBackend`. It is an optional peer dependency and ESM-only: it is loaded with a real
// dynamic import() only when port mapping is on, and that import must stay an import() in our
// CommonJS build too: its package exports have only an `import` condition, so require() fails
// (ERR_PACKAGE_PATH_NOT_EXPORTED).
import { HolepunchError } from '../errors'
import type { PortMappingBackend, PortMappingBackendFactory } from './types'

const LIBRARY = '@achingbrain/nat-port-mapper'

// The library's surface we use (typed here so that our types do not depend on it being installed).
interface MapOptions { protocol: 'udp', externalPort: number, ttl: number, description: string, autoRefresh: false, signal: AbortSignal }
interface LibraryGateway {
  host: string
  map (internalPort: number, internalHost: string, options: MapOptions): Promise<{ externalHost: string, externalPort: number }>
  unmap (internalPort: number, options: { signal: AbortSignal }): Promise<void>
  stop (options?: { signal?: AbortSignal }): Promise<void>
  on?: (event: 'error', listener: (err: unknown) => void) => unknown
}
interface Library {
  pmpNat: (gateway: string, options: { autoRefresh: false }) => LibraryGateway
  upnpNat: (options: { autoRefresh: false }) => { findGateways: (options: { signal: AbortSignal }) => AsyncIterable<LibraryGateway & { family: 'IPv4' | 'IPv6' }> }
}

const importModule = async (specifier: string): Promise<unknown> => await import(specifier)

let loading: Promise<Library> | null = null

/** Loads the library once; rejects with `PORT_MAPPING_UNAVAILABLE` when it is not installed. */
export async function loadLibrary (): Promise<Library> {
  loading ??= importModule(LIBRARY).then((mod) => {
    const lib = mod as Partial<Library>
    if (typeof lib.pmpNat !== 'function' || typeof lib.upnpNat !== 'function') throw new Error(`${LIBRARY} has no pmpNat/upnpNat`)
    return lib as Library
  }).catch((err: unknown) => {
    loading = null
    throw HolepunchError.PORT_MAPPING_UNAVAILABLE(err)
  })
  return await loading
}

/** Backends on the library: NAT-PMP to `gateway`, UPnP to the first IPv4 gateway SSDP discovers. */
export const libraryBackends: PortMappingBackendFactory = async (protocol, { gateway, signal }) => {
  const lib = await loadLibrary()
  if (protocol === 'pmp') {
    if (gateway === null) throw HolepunchError.PORT_MAPPING_FAILED('NAT-PMP: no default gateway known (set portMapping.gateway)')
    return pmpBackend(lib, gateway)
  }
  for await (const found of lib.upnpNat({ autoRefresh: false }).findGateways({ signal })) {
    if (found.family === 'IPv4') return upnpBackend(found)
  }
  throw HolepunchError.PORT_MAPPING_FAILED('UPnP: no gateway answered the discovery')
}

/**
 * NAT-PMP: a gateway client per request, stopped after it, so that no socket (the library binds
 * UDP 5350) stays open between renewals. The library takes the NAT-PMP lifetime in seconds.
 */
function pmpBackend (lib: Library, gateway: string): PortMappingBackend {
  const once = async <T>(fn: (gw: LibraryGateway) => Promise<T>): Promise<T> => {
    const gw = lib.pmpNat(gateway, { autoRefresh: false })
    let failed: unknown = null
    gw.on?.('error', (err) => { failed = err }) // a socket error must not become an uncaught 'error' event
    try {
      return await fn(gw)
    } catch (err) {
      throw failed ?? err
    } finally {
      await gw.stop().catch(() => {})
    }
  }
  return {
    protocol: 'pmp',
    gatewayHost: gateway,
    map: async ({ internalHost, internalPort, ttl, description, signal }) => {
      const res = await once(async (gw) => await gw.map(internalPort, internalHost, { protocol: 'udp', externalPort: internalPort, ttl, description, autoRefresh: false, signal }))
      // the library does not pass on the lifetime granted; RFC 6886 lets a server shorten it, and
      // renewing at half of what we asked keeps a mapping the server halved alive
      return { externalHost: res.externalHost, externalPort: res.externalPort, ttl }
    },
    // RFC 6886 deletion: lifetime 0 and external port 0, for UDP (the library's own unmap()
    // sends it for TCP, so a UDP mapping would stay until it lapses)
    unmap: async ({ internalHost, internalPort, signal }) => {
      await once(async (gw) => await gw.map(internalPort, internalHost, { protocol: 'udp', externalPort: 0, ttl: 0, description: '', autoRefresh: false, signal }))
    },
    close: async () => {}
  }
}

/** UPnP IGD: the discovered gateway is kept (it holds no socket); lifetimes are in ms there. */
function upnpBackend (gw: LibraryGateway): PortMappingBackend {
  return {
    protocol: 'upnp',
    gatewayHost: gw.host,
    map: async ({ internalHost, internalPort, ttl, description, signal }) => {
      const res = await gw.map(internalPort, internalHost, { protocol: 'udp', externalPort: internalPort, ttl: ttl * 1000, description, autoRefresh: false, signal })
      return { externalHost: res.externalHost, externalPort: res.externalPort, ttl: Math.max(ttl, 3600) }
    },
    unmap: async ({ internalPort, externalPort, signal }) => {
      // The library's unmap() sends DeletePortMapping with an empty NewProtocol, which miniupnpd
      // refuses (the mapping would stay until it lapses). Its SOAP client is a private field of the
      // gateway: use it when it is there, with the protocol; else fall back to unmap().
      const device = (gw as unknown as { gateway?: { run?: unknown } }).gateway
      if (typeof device?.run === 'function') {
        const run = device.run as (service: string, action: string, args: Array<[string, string | number]>, options: { signal: AbortSignal }) => Promise<unknown>
        await run.call(device, WAN_IP_CONNECTION_2, 'DeletePortMapping', [['NewRemoteHost', ''], ['NewExternalPort', externalPort], ['NewProtocol', 'UDP']], { signal })
        return
      }
      await gw.unmap(internalPort, { signal })
    },
    close: async () => {}
  }
}

const WAN_IP_CONNECTION_2 = 'urn:schemas-upnp-org:service:WANIPConnection:2'
