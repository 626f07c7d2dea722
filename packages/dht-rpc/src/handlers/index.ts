import type { RequestPeer } from '@hyperdht-ts/udp-request'
import { FIND_NODE, PING } from '../constants.js'
import type { RequestMessage } from '../messages/codec.js'
import { oncommand } from './command.js'
import type { HandlerContext } from './context.js'
import { onfindnode } from './find-node.js'
import { forwardedFrom, onforwardrequest } from './forward.js'
import { onping } from './ping.js'

export type { HandlerContext } from './context.js'

/**
 * Dispatches a decoded request, as the reference does. `update`: it carried a roundtrip token we
 * issued to its host; `proven`: that, or a valid `proof` (both checked by the caller).
 */
export function handleRequest (ctx: HandlerContext, req: RequestMessage, peer: RequestPeer, update: boolean, proven: boolean): void {
  if (req.forwardRequest) {
    onforwardrequest(ctx, req, peer)
    return
  }
  if (req.forwardResponse) {
    const from = forwardedFrom(ctx, req, peer)
    if (!from) return
    peer = from
    proven = false // the answer goes to the requester the referrer named, not to the sender
  }

  switch (req.command) {
    case PING: return onping(ctx, peer, proven)
    case FIND_NODE:
      // a client is in nobody's routing table: it does not route lookups
      if (ctx.ephemeral) return ctx.drop('clientMode', peer, FIND_NODE)
      return onfindnode(ctx, req, peer, proven)
    default: return oncommand(ctx, req, peer, update, proven)
  }
}
