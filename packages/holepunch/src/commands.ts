// How the holepunch services register their dht-rpc commands: small objects of fields and
// prototype methods (dht-rpc calls handlers as methods), no closures per node.
import type { CommandHandlers, CommandReply, CommandRequest } from '@hyperdht-ts/dht-rpc'

/** Serves some dht-rpc commands: `update` says whether the request carried our roundtrip token. */
export interface CommandOwner {
  onCommand (q: CommandRequest, update: boolean): CommandReply | Promise<CommandReply>
}

/**
 * The handlers of point-to-point commands (`routing: false`) served by `owner.onCommand`. One
 * binding can serve several commands of the same flags (`q.command` tells which). An owner that
 * has no handler for a case returns `null`, which answers as dht-rpc does without one.
 */
export class CommandBinding implements CommandHandlers {
  readonly owner: CommandOwner
  /** Also answered in client mode. */
  readonly client: boolean

  constructor (owner: CommandOwner, client: boolean) {
    this.owner = owner
    this.client = client
  }

  get routing (): boolean {
    return false
  }

  query (q: CommandRequest): CommandReply | Promise<CommandReply> {
    return this.owner.onCommand(q, false)
  }

  update (q: CommandRequest): CommandReply | Promise<CommandReply> {
    return this.owner.onCommand(q, true)
  }
}
