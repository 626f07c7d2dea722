// How the holepunch services register their dht-rpc commands: small objects of fields and
// prototype methods (dht-rpc calls handlers as methods), no closures per node.
import type { CommandHandlers, CommandReply, CommandRequest, DHT } from '@hyperdht-ts/dht-rpc'

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

/** Commands of one service, as registered: to take exactly those off the DHT again. */
export type CommandSet = Array<[name: string, binding: CommandBinding]>

/** Registers `commands` on `dht`; returns them, for {@link unregisterCommands}. */
export function registerCommands (dht: DHT, commands: CommandSet): CommandSet {
  for (const [name, binding] of commands) dht.command(name, binding)
  return commands
}

/** Takes `commands` off `dht`, where they are still ours (the service ends, the DHT may live on). */
export function unregisterCommands (dht: DHT, commands: CommandSet): void {
  for (const [name, binding] of commands) dht.removeCommand(name, binding)
}
