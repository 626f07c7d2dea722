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
  readonly io: UDPRequest<RequestMessage, ResponseMessage>
  readonly table: RoutingTable
  readonly tokens: Tokens
  readonly codec: AddressCodec
  readonly stats: Stats
  readonly commands: Map<string, CommandHandlers>
  readonly destroyed: boolean
  /** Counts (and logs) a request dropped without a response; `err` is what a handler threw. */
  drop (reason: DropReason, peer: Peer, command: string, err?: unknown): void
  /** Sends a response and counts it. */
  respond (command: string, res: ResponseMessage, to: RequestPeer): void
  onholepunch (from: Peer, to: Peer): void
}
