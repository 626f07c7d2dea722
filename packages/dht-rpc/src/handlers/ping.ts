import { PING } from '../constants.js'
import type { RequestPeer } from '@hyperdht-ts/udp-request'
import type { HandlerContext } from './context.js'

/** `_ping`: our id, a token, and the requester's address as we see it (its reflexive address). */
export function onping (ctx: HandlerContext, peer: RequestPeer, proven: boolean): void {
  ctx.respond(PING, {
    id: ctx.queryId,
    value: ctx.codec.encodePeer(peer),
    roundtripToken: ctx.tokens.peek(peer.host) // encoded before anything else asks for a token
  }, peer, proven)
}
