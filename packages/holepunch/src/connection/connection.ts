// A connection to a peer over a punched path: application messages with acknowledgement, retry
// and in-order delivery (the ReliableChannel), plus what the punch found (path, address, rtt).
import { EventEmitter } from 'node:events'
import type { HolepunchError } from '../errors'
import type { DatagramPort } from '../io/port'
import type { ConnectionPath, Logger, Peer } from '../types'
import type { Frame } from './frame'
import { ReliableChannel, type ChannelClose, type ReliableChannelOptions } from './reliable-channel'

/** Events of a {@link Connection}. */
export interface ConnectionEvents {
  /** A message from the peer, in order, exactly once. */
  message: [message: Uint8Array]
  /** The connection ended on an error (`CONNECTION_LOST`); `close` follows. Emitted only when listened to. */
  error: [error: HolepunchError | Error]
  /** The connection ended: closed by either side, lost, or destroyed. */
  close: [close: ChannelClose]
}

/** What a connection was made from. @internal */
export interface ConnectionInit {
  id: number
  key: Uint8Array
  port: DatagramPort
  remoteAddress: Peer
  path: ConnectionPath
  rtt: number
  initiator: boolean
  channel?: Partial<ReliableChannelOptions>
  logger?: Logger
  /** Called once when the connection ended (the mux forgets it). */
  onend: (c: Connection) => void
}

/**
 * Two-way messaging with a peer (`conn.send()`, `for await (const msg of conn)`), designed so that
 * an encrypted handshake can later run before the first message without changing this API.
 */
export class Connection extends EventEmitter<ConnectionEvents> implements AsyncIterable<Uint8Array> {
  /** The connection id both ends agreed on. */
  readonly id: number
  /** The key the listener listens on. */
  readonly key: Uint8Array
  /** The peer's address on the path in use. */
  readonly remoteAddress: Peer
  /** How the path was found: `direct` (the peer is open), `lan` (same NAT), or `holepunch`. */
  readonly path: ConnectionPath
  /** Whether we opened it (`connect`) or accepted it (`listen`). */
  readonly initiator: boolean
  readonly #channel: ReliableChannel
  readonly #port: DatagramPort
  readonly #punchRtt: number
  /**
   * Messages that arrived before anyone iterated: the first iterator gets them first, so that a
   * connection accepted (or opened) a moment before reading loses nothing. Bounded.
   */
  #early: Uint8Array[] | null = []

  constructor (init: ConnectionInit) {
    super()
    this.id = init.id
    this.key = init.key
    this.remoteAddress = init.remoteAddress
    this.path = init.path
    this.initiator = init.initiator
    this.#port = init.port
    this.#punchRtt = init.rtt
    this.#channel = new ReliableChannel({
      ...init.channel,
      id: init.id,
      remoteAddress: init.remoteAddress,
      initialRtt: init.rtt > 0 ? init.rtt : undefined,
      send: (frame) => init.port.send(frame, init.remoteAddress),
      logger: init.logger
    })
    this.#channel.on('message', (m) => {
      if (this.#early !== null && this.#early.length < EARLY_MESSAGES) this.#early.push(m)
      this.emit('message', m)
    })
    this.#channel.on('error', (err) => { if (this.listenerCount('error') > 0) this.emit('error', err) })
    this.#channel.on('close', (c) => {
      // an extra socket (birthday attempt) belongs to this connection alone
      if (this.#port.kind === 'extra') this.#port.close()
      init.onend(this)
      this.emit('close', c)
    })
  }

  /** The smoothed round-trip time (ms): measured while punching, then on every acknowledgement. */
  get rtt (): number {
    return this.#channel.rtt ?? this.#punchRtt
  }

  /** True once the connection ended. */
  get closed (): boolean {
    return this.#channel.closed
  }

  /** Largest message `send()` accepts (bytes). */
  get maxMessageSize (): number {
    return this.#channel.maxMessageSize
  }

  /**
   * Sends one message; resolves when the peer acknowledged it. Rejects with `MESSAGE_TOO_LARGE`,
   * `QUEUE_FULL`, `CONNECTION_CLOSED`, `CONNECTION_LOST` or `ABORTED`.
   */
  async send (message: Uint8Array, opts: { signal?: AbortSignal } = {}): Promise<void> {
    await this.#channel.send(message, opts)
  }

  /**
   * The peer's messages, in order; ends when the connection closes, throws `CONNECTION_LOST`.
   * The first iterator also gets the messages that arrived before it (up to 1024).
   */
  messages (opts: { signal?: AbortSignal } = {}): AsyncIterableIterator<Uint8Array> {
    const early = this.#early
    this.#early = null
    const later = this.#channel.messages(opts)
    if (early === null || early.length === 0) return later
    return withEarly(early, later)
  }

  [Symbol.asyncIterator] (): AsyncIterator<Uint8Array> {
    return this.messages()
  }

  /** Closes gracefully: what was sent is delivered first, and the peer sees the close. */
  async close (opts: { signal?: AbortSignal } = {}): Promise<void> {
    await this.#channel.close(opts)
  }

  /** Ends at once, without telling the peer (it notices by silence). */
  destroy (error?: HolepunchError | Error): void {
    this.#channel.destroy(error)
  }

  /** Hands over a frame of this connection that arrived (decoded by the router). @internal */
  receive (frame: Frame): boolean {
    return this.#channel.receiveFrame(frame)
  }
}

/** Messages kept for the first iterator. */
const EARLY_MESSAGES = 1024

async function * withEarly (early: Uint8Array[], later: AsyncIterableIterator<Uint8Array>): AsyncGenerator<Uint8Array> {
  try {
    yield * early
    yield * later
  } finally {
    await later.return?.()
  }
}
