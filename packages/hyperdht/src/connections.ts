// Connections on top of announce and lookup: `listen(key)` announces us and accepts connections
// on the key; `connect(key)` looks the key up and punches through the node that answered with
// the peer (which stored its announce). The NAT work itself is @hyperdht-ts/holepunch's.
import { EventEmitter } from 'node:events'
import { SELF_PEER_MESSAGE, type Connection, type Holepuncher, type Listener } from '@hyperdht-ts/holepunch'
import type { Announcer } from './announcer.js'
import { HyperDHTError } from './errors.js'
import type { LookupResult, Peer } from './types.js'

/** How often a client-mode listener pings the nodes storing its announce, so that its NAT keeps the way open for their relays (ms). */
export const LISTEN_KEEPALIVE = 20_000

/** Events of a {@link Server}. */
export interface ServerEvents {
  connection: [conn: Connection]
  /** An announce of the key failed (the announcer retries). */
  'announce-failed': [err: HyperDHTError]
  close: []
}

/** What a server needs from its node. @internal */
export interface ServerContext {
  holepuncher: Holepuncher
  announcer: Announcer
  ping: (peer: Peer) => Promise<unknown>
  isClient: () => boolean
}

/**
 * Accepts connections on one key while it stays announced: iterate it (`for await (const conn
 * of server)`) or listen for `connection`. `close()` unannounces and stops accepting.
 */
export class Server extends EventEmitter<ServerEvents> implements AsyncIterable<Connection> {
  readonly key: Uint8Array
  readonly #ctx: ServerContext
  readonly #listener: Listener
  #storing: Peer[] = []
  #keepalive: NodeJS.Timeout
  #closed = false

  /** @internal */
  constructor (key: Uint8Array, listener: Listener, ctx: ServerContext) {
    super()
    this.key = key
    this.#ctx = ctx
    this.#listener = listener
    listener.on('connection', (c) => this.emit('connection', c))
    // the node was destroyed under us: nothing to unannounce (its announcers halted), but stop
    // the keepalive and say we are closed
    listener.on('close', () => {
      if (this.#closed) return
      this.#closed = true
      clearInterval(this.#keepalive)
      this.emit('close')
    })
    ctx.announcer.on('announced', (res) => {
      this.#storing = res.committed.map((n) => ({ host: n.host, port: n.port }))
    })
    ctx.announcer.on('announce-failed', (err) => { if (this.listenerCount('announce-failed') > 0) this.emit('announce-failed', err) })
    // Behind a NAT the storing nodes can only relay to us while our mapping towards them lives
    // (Linux forgets an idle UDP flow after 30 s): keep it alive.
    this.#keepalive = setInterval(() => {
      if (!ctx.isClient()) return
      for (const p of this.#storing) ctx.ping(p).catch(() => {})
    }, LISTEN_KEEPALIVE)
    this.#keepalive.unref()
  }

  get closed (): boolean {
    return this.#closed
  }

  /** The nodes that stored our latest announce. */
  get storing (): Peer[] {
    return [...this.#storing]
  }

  [Symbol.asyncIterator] (): AsyncIterator<Connection> {
    return this.#listener[Symbol.asyncIterator]()
  }

  /** Stops accepting and unannounces (open connections stay open). */
  async close (): Promise<void> {
    if (this.#closed) return
    this.#closed = true
    clearInterval(this.#keepalive)
    this.#listener.close()
    await this.#ctx.announcer.stop()
    this.emit('close')
  }
}

/** Failures that say the way to a host does not open now, whichever of its ports or referrers we try. */
const HOST_FAILURES = new Set(['HOLEPUNCH_FAILED', 'BOTH_NATS_RANDOM', 'RATE_LIMITED'])

/**
 * Tries the peers of a lookup, through the nodes that answered with them, until one connects.
 * Fails with `PEER_NOT_FOUND` (nobody announced, or no announced peer listens), or the last
 * punch failure (`HOLEPUNCH_FAILED`, `BOTH_NATS_RANDOM`, `RATE_LIMITED`).
 *
 * A host whose punch failed is not tried again under another port: a peer behind a random NAT
 * is stored under a different port at each node it announced to, and every try would repeat a
 * birthday attempt of many seconds. A peer that turns out to be this node is skipped.
 */
export async function connectToPeers (hp: Holepuncher, key: Uint8Array, results: AsyncIterable<LookupResult>, self: Peer | null, signal: AbortSignal | undefined): Promise<Connection> {
  const tried = new Set<string>()
  const failedHosts = new Set<string>()
  let lastError: unknown = null
  for await (const r of results) {
    if (r.node.id === null || r.token === null) continue // our own store: no referrer to punch through
    for (const peer of r.peers) {
      const id = `${peer.host}:${peer.port}`
      if (tried.has(id) || failedHosts.has(peer.host) || (self !== null && peer.host === self.host && peer.port === self.port)) continue
      tried.add(id)
      try {
        return await hp.connect({ key, peer, referrer: { host: r.node.host, port: r.node.port }, token: r.token, lanAddresses: r.localPeers }, { signal })
      } catch (err) {
        if (signal?.aborted === true) throw HyperDHTError.ABORTED(signal.reason)
        const code = (err as { code?: unknown }).code
        if (typeof code === 'string' && HOST_FAILURES.has(code)) failedHosts.add(peer.host)
        // "that peer is us" is not worth reporting when nobody else is found
        if (lastError === null || !isSelf(err)) lastError = err
      }
    }
  }
  if (lastError === null || isSelf(lastError)) throw new HyperDHTError('PEER_NOT_FOUND', 'No peer announced on that key', { details: { key: Buffer.from(key).toString('hex') } })
  throw HyperDHTError.from(lastError)
}

function isSelf (err: unknown): boolean {
  return err instanceof Error && (err as { code?: unknown }).code === 'PEER_NOT_FOUND' && err.message === SELF_PEER_MESSAGE
}
