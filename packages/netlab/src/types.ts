/**
 * How a NAT router maps its LAN's flows to its public address.
 * - `masquerade`: `MASQUERADE`. Linux keeps the source port when it is free, so one socket
 *   gets the same public port towards every destination (endpoint-independent mapping,
 *   "consistent"); a port already taken towards that destination gets remapped.
 * - `random-fully`: `MASQUERADE --random-fully`: a new random port per destination
 *   (endpoint-dependent mapping, "symmetric", "random").
 * Both filter inbound by address and port (port-restricted): only replies from the exact
 * remote a flow was sent to pass, unless a port forward admits them.
 */
export type NatKind = 'masquerade' | 'random-fully'

export interface LabNode {
  readonly kind: 'host' | 'router'
  /** The name given when it was added; unique within the lab. */
  readonly name: string
  /** The network namespace it runs in (`ip netns exec <netns> …`). */
  readonly netns: string
  /**
   * Its address on its upstream segment: a host's only address, a router's WAN (public)
   * address. Changes when `lab.setPublicAddress()` gives a router a new one.
   */
  readonly address: string
  /** The router it sits behind, or undefined when it is on the public internet. */
  readonly behind: LabRouter | undefined
  /** Its default gateway (the LAN address of `behind`), or undefined on the internet. */
  readonly gateway: string | undefined
}

export interface LabHost extends LabNode {
  readonly kind: 'host'
}

export interface LabRouter extends LabNode {
  readonly kind: 'router'
  readonly nat: NatKind
  /** Its LAN subnet, e.g. `192.168.1.0/24`. */
  readonly lan: string
  /** Its own address on the LAN (the gateway of the nodes behind it), e.g. `192.168.1.1`. */
  readonly lanAddress: string
}

/** An address and port, as a datagram's source or destination. */
export interface Endpoint {
  address: string
  port: number
}

/** Optional logger; the lab never prints. */
export interface Logger {
  debug?: (message: string) => void
}

export interface LabOptions {
  /** A label for messages and the lease; not part of any name. */
  name?: string
  /**
   * First letters of every namespace name (1 to 4 lowercase letters).
   * @default DEFAULT_PREFIX ('hl')
   */
  prefix?: string
  /**
   * Remove leftovers of crashed runs (`sweepStale(prefix)`) before building.
   * @default true
   */
  sweep?: boolean
  /**
   * Subnet of the public internet segment. The default is reserved for benchmarks; software
   * that refuses reserved WAN addresses (miniupnpd does) needs an ordinary-looking range here.
   * Nothing leaves the lab whatever the range: no lab namespace has a link to the host.
   * @default INTERNET_SUBNET ('198.18.0.0/16')
   */
  internet?: string
  logger?: Logger
}

export interface HostOptions {
  /** The router whose LAN it joins; on the public internet when absent. */
  behind?: LabRouter
}

export interface RouterOptions {
  /** @default 'masquerade' */
  nat?: NatKind
  /** An upstream router (for nested NATs); on the public internet when absent. */
  behind?: LabRouter
  /**
   * Number its LAN in the carrier-grade range `100.64.<n>.0/24` instead of `192.168.<n>.0/24`.
   * @default false
   */
  cgnat?: boolean
  /**
   * Its LAN subnet, overriding the automatic plan. Two routers may share a subnet (two homes
   * both on `192.168.1.0/24`), as in real life.
   */
  lan?: string
}

export interface ForwardOptions {
  proto: 'udp' | 'tcp'
  /** The public (WAN) port. */
  port: number
  /** A node directly behind the router. */
  to: LabNode
  /** @default port */
  toPort?: number
}

export interface PortForward {
  readonly router: LabRouter
  readonly proto: 'udp' | 'tcp'
  readonly port: number
  readonly to: LabNode
  readonly toAddress: string
  readonly toPort: number
  /**
   * Removes the forward: its rules go, flows it admitted stop passing at once (their
   * conntrack entries are deleted too when `conntrack` is installed). Idempotent.
   */
  remove: () => Promise<void>
}

export type FlushMethod = 'conntrack' | 'readdress'

export interface FlushOptions {
  /**
   * `conntrack` runs `conntrack -F` (every flow of the router forgotten); `readdress` removes
   * and re-adds the WAN address, which makes the kernel drop the router's masqueraded flows
   * (its NAT mappings) and needs no extra tool. Default: `conntrack` when installed.
   */
  method?: FlushMethod
}

export interface SpawnOptions {
  /** Added to (and overriding) this process's environment. */
  env?: Record<string, string | undefined>
  cwd?: string
}

export interface ExecOptions {
  input?: string
  /** Resolve with the exit code instead of rejecting when the command fails. */
  allowFailure?: boolean
}
