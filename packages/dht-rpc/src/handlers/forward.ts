import type { RequestPeer } from '@hyperdht-ts/udp-request'
import { PING } from '../constants.js'
import type { RequestMessage } from '../messages/codec.js'
import type { HandlerContext } from './context.js'

/**
 * Referrer side of a holepunch: relay a `_ping` carrying `forwardRequest` to that peer, with the
 * same tid and `forwardResponse` = the requester's address. Only `_ping` is relayed.
 */
export function onforwardrequest (ctx: HandlerContext, req: RequestMessage, peer: RequestPeer): void {
  const to = req.command === PING ? ctx.codec.decodePeer(req.forwardRequest) : null
  if (!to) {
    ctx.drop('invalidForward', peer, req.command)
    return
  }
  // Never an open relay: only towards a peer we know (a contact of our table, or one that
  // announced on us), and rate limited; anything else would make us send wherever a stranger says.
  if (!ctx.mayRelay(peer, to)) {
    ctx.drop('relayRefused', peer, req.command)
    return
  }
  ctx.onholepunch({ host: peer.host, port: peer.port }, to)
  ctx.stats.holepunches.forwarded++
  try {
    ctx.io.forwardRequest({ ...req, forwardRequest: null, forwardResponse: ctx.codec.encodePeer(peer) }, peer, to)
  } catch {
    ctx.drop('invalidForward', peer, req.command)
  }
}

/**
 * Target side: a relayed `_ping` is answered straight to the requester named in
 * `forwardResponse` (same tid). Returns that requester, or `null` to drop the request.
 */
export function forwardedFrom (ctx: HandlerContext, req: RequestMessage, peer: RequestPeer): RequestPeer | null {
  const from = req.command === PING ? ctx.codec.decodePeer(req.forwardResponse) : null
  if (!from) {
    ctx.drop('invalidForward', peer, req.command)
    return null
  }
  // The answer goes to a third host: only for a referrer we know (one we sent requests to, such
  // as a node we announced on, or a contact of our table), else anyone could aim us at anyone.
  if (!ctx.acceptsRelayFrom(peer)) {
    ctx.drop('relayRefused', peer, req.command)
    return null
  }
  ctx.stats.holepunches.answered++
  return { host: from.host, port: from.port, tid: peer.tid }
}
