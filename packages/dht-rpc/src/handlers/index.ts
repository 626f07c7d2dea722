import type { RequestPeer } from '@hyperdht-ts/udp-request'
import { FIND_NODE, PING } from '../constants.js'
import type { RequestMessage } from '../messages/codec.js'
import { oncommand } from './command.js'
import type { HandlerContext } from './context.js'
import { onfindnode } from './find-node.js'
import { forwardedFrom, onforwardrequest } from './forward.js'
import { onping } from './ping.js'

export type { HandlerContext } from './context.js'

/** Dispatches a decoded request (after the sender was added to the table), as the reference does. */
export function handleRequest (ctx: HandlerContext, req: RequestMessage, peer: RequestPeer): void {
  const update = ctx.tokens.verify(req.roundtripToken, peer.host)
  if (!update) req.roundtripToken = null

  if (req.forwardRequest) {
    onforwardrequest(ctx, req, peer)
    return
  }
  if (req.forwardResponse) {
    const from = forwardedFrom(ctx, req, peer)
    if (!from) return
    peer = from
  }

  switch (req.command) {
    case PING: return onping(ctx, peer)
    case FIND_NODE: return onfindnode(ctx, req, peer)
    default: return oncommand(ctx, req, peer, update)
  }
}
