import type { HolepunchError } from '../errors'

/** The protocols a home router may speak to map a port: NAT-PMP (RFC 6886) and UPnP IGD. */
export type PortMappingProtocol = 'pmp' | 'upnp'

/** What `portMapping: { ... }` may set (`portMapping: true` takes every default). */
export interface PortMappingOptions {
  /** Protocols to try, in order; the first that maps the port wins. @default ['pmp', 'upnp'] */
  protocols?: PortMappingProtocol[]
  /**
   * Lifetime to ask for (seconds). The mapping is renewed at half of what the router granted.
   * UPnP mappings are asked for at least 3600 s (what the library sends). @default 7200
   */
  ttl?: number
  /** The NAT-PMP gateway's address. @default the default route's gateway (read from /proc/net/route on Linux) */
  gateway?: string
  /** Budget of one request to the router, UPnP discovery included (ms). @default 5000 */
  timeout?: number
  /** After a failed attempt (no router answered, or it refused), try again this much later (ms). @default 300000 */
  retryInterval?: number
  /** The mapping's description, as the router lists it. @default 'hyperdht-ts' */
  description?: string
}

/** A mapping a router granted: UDP `externalHost:externalPort` on the router reaches `internalHost:internalPort`. */
export interface PortMapping {
  protocol: PortMappingProtocol
  externalHost: string
  externalPort: number
  internalHost: string
  internalPort: number
  /** Lifetime granted (seconds). */
  ttl: number
  /** When it lapses unless renewed (ms since the epoch). */
  expiresAt: number
}

/** Where a {@link PortMapper} stands. */
export interface PortMappingState {
  /** `mapping`: asking; `mapped`: a mapping is held; `failed`: none (retrying later); `closed`: stopped, mapping removed. */
  status: 'mapping' | 'mapped' | 'failed' | 'closed'
  mapping: PortMapping | null
  /** Why the last attempt or renewal failed (kept until a mapping is held again). */
  error: HolepunchError | null
}

/** The payload of a Holepuncher's `portmapping` event. */
export type PortMappingChange =
  | { status: 'mapped', mapping: PortMapping }
  | { status: 'failed', error: HolepunchError }
  | { status: 'removed', mapping: PortMapping }

/** One protocol's client, as the {@link PortMapper} drives it (the library behind an interface, for tests). */
export interface PortMappingBackend {
  readonly protocol: PortMappingProtocol
  /** The router's LAN address (our address on its subnet is the one mapped). */
  readonly gatewayHost?: string
  /** Maps UDP `internalPort` (asking for the same external port); resolves with what the router granted. */
  map (request: { internalHost: string, internalPort: number, ttl: number, description: string, signal: AbortSignal }): Promise<{ externalHost: string, externalPort: number, ttl: number }>
  /** Removes the mapping of `internalPort` (granted as `externalPort`). */
  unmap (request: { internalHost: string, internalPort: number, externalPort: number, signal: AbortSignal }): Promise<void>
  /** Releases what the client holds (sockets). */
  close (): Promise<void>
}

/** Finds a router speaking `protocol`: resolves with a client for it, or rejects (none found, library missing). */
export type PortMappingBackendFactory = (protocol: PortMappingProtocol, opts: { gateway: string | null, signal: AbortSignal }) => Promise<PortMappingBackend>
