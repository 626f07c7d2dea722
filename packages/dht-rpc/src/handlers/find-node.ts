import type { RequestPeer } from '@hyperdht-ts/udp-request'
import { validId } from '../bytes.js'
import { FIND_NODE, K } from '../constants.js'
import type { RequestMessage } from '../messages/codec.js'
import type { HandlerContext } from './context.js'

/** `_find_node`: our closest nodes to a 32-byte target. Other targets are dropped. */
export function onfindnode (ctx: HandlerContext, req: RequestMessage, peer: RequestPeer, proven: boolean): void {
  const target = req.target
  if (!validId(target)) {
    ctx.drop('invalidTarget', peer, FIND_NODE)
    return
  }
  ctx.respond(FIND_NODE, {
    id: ctx.queryId,
    nodes: ctx.table.encodeClosest(target, K, ctx.codec),
    roundtripToken: ctx.tokens.peek(peer.host) // encoded before anything else asks for a token
  }, peer, proven)
}
