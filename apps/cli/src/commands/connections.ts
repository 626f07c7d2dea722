// `hyperdht listen <key>`, `hyperdht connect <key>` and `hyperdht chat <topic>`: the two ends of
// a connection over a punched path (HyperDHT's `listen(key)` / `connect(key)`), and both at once.
import type { Peer } from '@hyperdht-ts/hyperdht'
import type { Command } from 'commander'
import { createInterface } from 'node:readline'
import { formatHostPort, parseHostPort } from '../address.js'
import { nodeOptions, outputFor, settingsFor, type Runtime } from '../context.js'
import { parseTopic, type ParsedKey } from '../keys.js'
import type { Output } from '../output.js'
import { reportKey } from '../ops.js'
import { runUntilSignal, stopsOnSignal, type Stop } from '../signals.js'
import { startNode } from '../start-node.js'

/** How a connection got through (the holepunch issue's `path`). */
export type ConnectionPath = 'direct' | 'lan' | 'holepunch'

/** A two-way message channel over a punched path (what `dht.connect()` resolves to). */
export interface Connection {
  readonly remoteAddress: Peer
  readonly path: ConnectionPath
  /** Round-trip time measured while connecting (ms). */
  readonly rtt: number
  /** Resolves once the other side acknowledged the message. */
  send: (data: Uint8Array) => Promise<void>
  /** Messages in order; ends when either side closes, throws a typed error if the peer is lost. */
  [Symbol.asyncIterator]: () => AsyncIterator<Uint8Array>
  close: () => Promise<void>
}

/** A key being listened on (what `dht.listen(key)` resolves to): announced until closed. */
export interface KeyServer extends AsyncIterable<Connection> {
  close: () => Promise<void>
}

/** The library API these commands need, on the node the command runs. */
export interface ConnectionApi {
  listen: (key: Uint8Array, opts?: { localAddress?: Peer | false, signal?: AbortSignal }) => Promise<KeyServer>
  connect: (key: Uint8Array, opts?: { signal?: AbortSignal }) => Promise<Connection>
}

/** Parsed arguments of the three commands (pure, testable without a network). */
export interface ConnectionArgs {
  key: ParsedKey
  /** `listen`/`chat`: our LAN address to share, `false` for `--no-local-address`, undefined = the library's default (the machine's LAN address). */
  localAddress: Peer | false | undefined
}

export function parseConnectionArgs (input: string, opts: { localAddress?: string | boolean }): ConnectionArgs {
  const key = parseTopic(input)
  const localAddress = opts.localAddress === false
    ? false
    : typeof opts.localAddress === 'string' ? parseHostPort(opts.localAddress, { allowZero: true }) : undefined
  return { key, localAddress }
}

/** Registers the three commands. `api` turns the running node into the connection API (the node itself; tests may wrap it). */
export function registerConnections (program: Command, rt: Runtime, api: (node: Awaited<ReturnType<typeof startNode>>['node']) => ConnectionApi): void {
  stopsOnSignal(nodeOptions(program
    .command('listen')
    .description('accept connections on a key (announced until Ctrl-C); prints each connection and the lines received')
    .argument('<key>', '64 hex characters, or any name (hashed with SHA-256)'))
    .option('--local-address <host:port>', 'LAN address to share with peers behind the same NAT (default: this machine\'s)')
    .option('--no-local-address', 'share no LAN address')
    .action(async (key: string, _o: unknown, cmd: Command) => await run('listen', key, cmd, rt, api)))
  stopsOnSignal(nodeOptions(program
    .command('connect')
    .description('connect to a peer listening on a key; lines typed on stdin are sent, lines received printed')
    .argument('<key>', '64 hex characters, or any name (hashed with SHA-256)'))
    .action(async (key: string, _o: unknown, cmd: Command) => await run('connect', key, cmd, rt, api)))
  stopsOnSignal(nodeOptions(program
    .command('chat')
    .description('listen and connect on a topic at once: a two-way chat with whoever joins it')
    .argument('<topic>', 'any name (hashed with SHA-256) or 64 hex characters'))
    .option('--local-address <host:port>', 'LAN address to share (default: this machine\'s)')
    .option('--no-local-address', 'share no LAN address')
    .action(async (key: string, _o: unknown, cmd: Command) => await run('chat', key, cmd, rt, api)))
}

async function run (kind: 'listen' | 'connect' | 'chat', input: string, cmd: Command, rt: Runtime, api: Parameters<typeof registerConnections>[2]): Promise<void> {
  const out = outputFor(cmd, rt)
  const args = parseConnectionArgs(input, cmd.opts<{ localAddress?: string | boolean }>())
  const settings = settingsFor(cmd, rt)
  await runUntilSignal(async (stop) => {
    const { node } = await startNode({ settings, out, client: true, signal: stop.signal })
    try {
      await converse(kind, args, api(node), rt, out, stop)
    } finally {
      await node.destroy()
    }
  })
}

/** Listens and/or connects on the running node, then passes lines both ways until the stop signal. */
async function converse (kind: 'listen' | 'connect' | 'chat', args: ConnectionArgs, dht: ConnectionApi, rt: Runtime, out: Output, stop: Stop): Promise<void> {
  const conns = new Set<Connection>()
  const unsent: string[] = []
  let server: KeyServer | null = null
  try {
    reportKey(out, args.key)
    const lines = createInterface({ input: rt.stdin, terminal: false })
    lines.on('line', (line) => {
      // typed (or piped) before anyone connected: kept for the first connection, not dropped
      if (conns.size === 0) {
        if (unsent.length < MAX_UNSENT_LINES) unsent.push(line)
        return
      }
      for (const c of conns) c.send(new TextEncoder().encode(line)).catch(() => {})
    })
    if (kind !== 'connect') {
      server = await dht.listen(args.key.key, { localAddress: args.localAddress, signal: stop.signal })
      out.result({ type: 'listening', key: args.key.hex }, `listening on ${args.key.hex.slice(0, 12)}… (Ctrl-C to stop)`)
      void (async () => {
        for await (const c of server) void pump(c, conns, out, unsent)
      })().catch(() => {})
    }
    if (kind === 'connect') {
      const c = await dht.connect(args.key.key, { signal: stop.signal })
      void pump(c, conns, out, unsent)
    } else if (kind === 'chat') {
      // a chat connects to whoever is on the topic already; the first one there (or one who
      // cannot reach those there) waits for the others to connect to it
      try {
        const c = await dht.connect(args.key.key, { signal: stop.signal })
        void pump(c, conns, out, unsent)
      } catch (err) {
        if (!stop.signal.aborted) reportWaiting(out, err)
      }
    }
    await stop.requested
  } finally {
    for (const c of conns) await c.close().catch(() => {})
    await server?.close().catch(() => {})
  }
}

/** Lines typed before the first connection that are kept for it; lines beyond these are dropped. */
const MAX_UNSENT_LINES = 100

/** A chat found nobody to connect to (or could not reach them): it keeps listening. */
function reportWaiting (out: Output, err: unknown): void {
  const code = (err as { code?: string }).code ?? null
  const message = (err as Error).message
  out.result(
    { type: 'waiting', code, message },
    code === 'PEER_NOT_FOUND' ? 'nobody else on the topic yet: waiting for someone to join (Ctrl-C to stop)' : `could not connect to the peers on the topic (${message}): waiting for someone to join (Ctrl-C to stop)`
  )
}

/** Prints a connection, then each line it receives, until it closes. */
async function pump (c: Connection, conns: Set<Connection>, out: Output, unsent: string[]): Promise<void> {
  conns.add(c)
  const remote = formatHostPort(c.remoteAddress)
  out.result({ type: 'connection', remoteAddress: c.remoteAddress, path: c.path, rtt: c.rtt }, `connected to ${remote} (${c.path}, ${c.rtt} ms)`)
  for (const line of unsent.splice(0)) c.send(new TextEncoder().encode(line)).catch(() => {})
  try {
    for await (const m of c) {
      const text = new TextDecoder().decode(m)
      out.result({ type: 'message', from: c.remoteAddress, text }, `${remote}> ${text}`)
    }
    out.result({ type: 'closed', remoteAddress: c.remoteAddress }, `${remote} closed the connection`)
  } catch (err) {
    out.result({ type: 'closed', remoteAddress: c.remoteAddress, code: (err as { code?: string }).code ?? null }, `lost ${remote}: ${(err as Error).message}`)
  } finally {
    conns.delete(c)
  }
}
