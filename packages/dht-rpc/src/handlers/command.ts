import type { RequestPeer } from '@hyperdht-ts/udp-request'
import { validId } from '../bytes.js'
import { K } from '../constants.js'
import type { RequestMessage } from '../messages/codec.js'
import type { CommandReply, CommandRequest } from '../types.js'
import type { HandlerContext } from './context.js'

/**
 * An application command. With a valid roundtrip token it is an update, else a query. The
 * response carries the handler's value and our closest nodes to the target; a node without a
 * handler still answers with nodes, so unknown commands route. A throwing handler: no response.
 */
export function oncommand (ctx: HandlerContext, req: RequestMessage, peer: RequestPeer, update: boolean, proven: boolean): void {
  const handlers = ctx.commands.get(req.command)
  // a client answers only the commands that say they serve clients (holepunch signalling)
  if (ctx.ephemeral && handlers?.client !== true) {
    ctx.drop('clientMode', peer, req.command)
    return
  }
  const routing = handlers?.routing !== false
  const target = req.target ?? null
  if (routing ? !validId(target) : (target !== null && target.byteLength > 64)) {
    ctx.drop('invalidTarget', peer, req.command)
    return
  }
  if (!handlers || !(update ? handlers.update : handlers.query)) {
    reply(ctx, req, target, peer, null, routing, proven)
    return
  }
  const q: CommandRequest = {
    node: { id: validId(req.id) ? req.id : null, host: peer.host, port: peer.port },
    command: req.command,
    target: target ?? EMPTY,
    value: req.value ?? null
  }
  let out: CommandReply | Promise<CommandReply>
  try {
    // called as a method: one object (a class instance) can serve several commands
    out = update ? handlers.update!(q) : handlers.query!(q)
  } catch (err) {
    ctx.drop('handlerError', peer, req.command, err)
    return
  }
  if (out && typeof (out as Promise<CommandReply>).then === 'function') {
    ;(out as Promise<CommandReply>).then(
      (value) => reply(ctx, req, target, peer, value, routing, proven),
      (err: unknown) => ctx.drop('handlerError', peer, req.command, err)
    )
    return
  }
  reply(ctx, req, target, peer, out as CommandReply, routing, proven)
}

const EMPTY = new Uint8Array(0)

function reply (ctx: HandlerContext, req: RequestMessage, target: Uint8Array | null, peer: RequestPeer, value: CommandReply, routing: boolean, proven: boolean): void {
  if (ctx.destroyed) return
  if (value === false) return // the handler chose not to answer
  if (value != null && !(value instanceof Uint8Array)) {
    ctx.drop('handlerError', peer, req.command, new TypeError('handler returned something else than a Uint8Array'))
    return
  }
  ctx.respond(req.command, {
    id: ctx.queryId,
    value: value ?? null,
    nodes: routing && target !== null ? ctx.table.encodeClosest(target, K, ctx.codec) : null,
    roundtripToken: ctx.tokens.create(peer.host)
  }, peer, proven)
}
