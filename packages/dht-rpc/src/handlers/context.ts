import type { UDPRequest, RequestPeer } from '@hyperdht-ts/udp-request'
import type { RequestMessage, ResponseMessage } from '../messages/codec.js'
import type { AddressCodec } from '../messages/addresses.js'
import type { DropReason, Stats } from '../io/stats.js'
import type { Tokens } from '../io/tokens.js'
import type { RoutingTable } from '../routing/table.js'
import type { CommandHandlers, Peer } from '../types.js'

/** What request handlers need from their DHT. */
export interface HandlerContext {
  readonly queryId: Uint8Array | null
  /** Client mode: only `_ping` and commands registered with `client: true` are answered. */
  readonly ephemeral: boolean
  readonly io: UDPRequest<RequestMessage, ResponseMessage>
  readonly table: RoutingTable
  readonly tokens: Tokens
  readonly codec: AddressCodec
  readonly stats: Stats
  readonly commands: Map<string, CommandHandlers>
  readonly destroyed: boolean
  /** Counts (and logs) a request dropped without a response; `err` is what a handler threw. */
  drop (reason: DropReason, peer: Peer, command: string, err?: unknown): void
  /**
   * Sends a response and counts it. `proven`: the request carried a roundtrip token of ours
   * (as an update or a query's `proof`), so its sender receives at its address and the answer
   * is not held to the amplification budget.
   */
  respond (command: string, res: ResponseMessage, to: RequestPeer, proven: boolean): void
  onholepunch (from: Peer, to: Peer): void
  /** Whether we may relay a holepunch `_ping` from `from` to `to` (a peer we know; rate limited). */
  mayRelay (from: Peer, to: Peer): boolean
  /** Whether a `_ping` relayed by `referrer` is accepted (a node we talked to, or one of our table). */
  acceptsRelayFrom (referrer: Peer): boolean
}
