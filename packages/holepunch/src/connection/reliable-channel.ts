// Reliable, ordered messages over an unreliable datagram path. Transport-agnostic: frames go out
// through the injected `send`, come in through `receive()`; time comes from the injected clock
// and scheduler. One message is one DATA frame; every frame carries a cumulative ack and a
// selective-ack bitmap, so acks ride on everything and a lost ack is repaired by the next frame.
import { EventEmitter } from 'node:events'
import type { Peer } from '@hyperdht-ts/ip-encoding'
import {
  CLOSE_TIMEOUT,
  IDLE_TIMEOUT,
  INITIAL_RTO,
  KEEPALIVE_INTERVAL,
  MAX_MESSAGE_SIZE,
  MAX_RTO,
  MAX_SEND_QUEUE,
  MIN_RTO,
  SEND_WINDOW
} from '../constants'
import { HolepunchError } from '../errors'
import { defaultClock, defaultSchedule } from '../timers'
import type { Cancel, Clock, Logger, Schedule } from '../types'
import { decodeFrame, encodeFrame, FRAME_HEADER_BYTES, FRAME_TYPE, unwrapSeq, type Frame, type FrameType } from './frame'
import { MessageQueue } from './message-queue'
import { RttEstimator } from './rtt'
import { SeqRing } from './seq-ring'

/** Options of {@link ReliableChannel}. */
export interface ReliableChannelOptions {
  /** The connection id both ends agreed on (uint32); frames with another id are not ours. */
  id: number
  /** Sends one frame to the peer. Must not throw (a throw counts as a lost datagram). */
  send: (frame: Uint8Array) => void
  /** The peer's address, for errors and `remoteAddress`. */
  remoteAddress?: Peer
  /** A round trip measured while punching (ms): the first RTT sample. */
  initialRtt?: number
  /**
   * Largest message (bytes); more rejects with `MESSAGE_TOO_LARGE`. Above
   * `MAX_DATAGRAM_SIZE - 22` the datagram may be fragmented by IP, which NATs often drop.
   * @default 1178
   */
  maxMessageSize?: number
  /**
   * Messages in flight (unacknowledged); also the receiver's reorder window. Both ends must use
   * the same value.
   * @default 64
   */
  window?: number
  /**
   * Messages that may wait for room in the window.
   * @default 1024
   */
  maxQueue?: number
  /** @default 1000 */
  initialRto?: number
  /** @default 200 */
  minRto?: number
  /** @default 4000 */
  maxRto?: number
  /**
   * Send a keepalive after this long without sending (ms).
   * @default 5000
   */
  keepaliveInterval?: number
  /**
   * Silence, or an unacknowledged frame, for this long (ms) means the peer is lost.
   * @default 15_000
   */
  idleTimeout?: number
  /**
   * How long `close()` waits for the peer to acknowledge the close (ms).
   * @default 5000
   */
  closeTimeout?: number
  /** @default Date.now */
  now?: Clock
  /** @default setTimeout (unref'ed) */
  schedule?: Schedule
  /** Receives dropped frames (debug) and the connection's end (debug). */
  logger?: Logger
}

/** Why a channel ended. */
export type CloseReason = 'local' | 'remote' | 'lost' | 'destroyed'

/** Payload of the `close` event. */
export interface ChannelClose {
  reason: CloseReason
  /** Set when the channel ended on an error (`CONNECTION_LOST`, or the error given to `destroy`). */
  error?: HolepunchError | Error
}

/** Events of {@link ReliableChannel}. */
export interface ReliableChannelEvents {
  /** A message from the peer, in order, exactly once. */
  message: [message: Uint8Array]
  /**
   * The channel ended on an error (emitted only when someone listens, then `close` follows; the
   * same error is thrown by the message iterator).
   */
  error: [error: HolepunchError | Error]
  /** The channel ended; nothing is sent or delivered after this. */
  close: [close: ChannelClose]
}

/** Counters of a {@link ReliableChannel}. */
export interface ChannelStats {
  framesSent: number
  framesReceived: number
  messagesSent: number
  messagesReceived: number
  retransmits: number
  duplicates: number
  /** Frames dropped: malformed, another connection id, or outside the window. */
  dropped: number
}

/** The state of a {@link ReliableChannel}. */
export type ChannelState = 'open' | 'closing' | 'closed'

interface Outgoing {
  payload: Uint8Array
  seq: number
  firstSentAt: number
  lastSentAt: number
  sends: number
  fastRetransmitted: boolean
  settled: boolean
  resolve: () => void
  reject: (err: unknown) => void
  signal: AbortSignal | undefined
  onAbort: (() => void) | undefined
}

const SACK_BITS = 32
const FAST_RETRANSMIT_THRESHOLD = 3

/**
 * A reliable, ordered, message-oriented channel over an unreliable datagram path:
 * - `send(bytes)` resolves once the peer acknowledged the message; messages are retransmitted
 *   with an RTO from the measured round trip (RFC 6298, Karn's rule, exponential backoff);
 * - the peer's messages are delivered in order, exactly once (`message` events and
 *   `messages()`), through a reorder buffer as large as the window;
 * - keepalives every `keepaliveInterval` of sending silence hold NAT mappings open;
 * - the peer is lost (`CONNECTION_LOST`) after `idleTimeout` of silence or of an unacknowledged
 *   frame; while it is silent we probe every RTO;
 * - `close()` drains what is in flight, then sends a close that the peer acknowledges and sees
 *   as `close` with reason `remote`.
 */
export class ReliableChannel extends EventEmitter<ReliableChannelEvents> {
  readonly id: number
  readonly remoteAddress: Peer | undefined
  readonly stats: ChannelStats = { framesSent: 0, framesReceived: 0, messagesSent: 0, messagesReceived: 0, retransmits: 0, duplicates: 0, dropped: 0 }

  readonly #send: (frame: Uint8Array) => void
  readonly #now: Clock
  readonly #schedule: Schedule
  readonly #logger: Logger | undefined
  readonly #rtt: RttEstimator
  readonly #maxMessageSize: number
  readonly #window: number
  readonly #maxQueue: number
  readonly #keepaliveInterval: number
  readonly #idleTimeout: number
  readonly #closeTimeout: number

  #state: ChannelState = 'open'
  #endError: HolepunchError | Error | undefined

  // sending
  #nextSeq = 0
  /** The oldest message not acknowledged yet (`#nextSeq` when none is in flight). */
  #una = 0
  /** Sent and not acknowledged, by seq: all within [#una, #nextSeq), a window's span. */
  readonly #inflight: SeqRing<Outgoing>
  readonly #queue: Outgoing[] = []
  #lastSendAt: number

  // receiving
  #rcvNext = 0
  /** Received ahead of `#rcvNext`, by seq: all within the window after it. */
  readonly #reorder: SeqRing<Uint8Array>

  // liveness: the last time the peer proved it receives our frames (a pong, an ack of new data)
  #lastProofAt: number

  // keepalive / liveness
  #nextPingId = 1
  readonly #pings = new Map<number, number>() // unanswered ping id -> sent at
  #unansweredPings = 0
  #lastPingAt = -Infinity

  // closing
  #closeSentAt: number | null = null
  #closeSends = 0
  #lastCloseAt = -Infinity
  #closeWaiters: Array<() => void> = []

  // timer
  #timer: Cancel | null = null
  #timerAt = Infinity

  readonly #iterators = new Set<MessageQueue<Uint8Array>>()

  constructor (options: ReliableChannelOptions) {
    super()
    if (!Number.isInteger(options?.id) || options.id < 0 || options.id > 0xffffffff) throw HolepunchError.INVALID_ARGUMENT('id must be a uint32')
    if (typeof options.send !== 'function') throw HolepunchError.INVALID_ARGUMENT('send must be a function')
    this.id = options.id
    this.remoteAddress = options.remoteAddress
    this.#send = options.send
    this.#now = options.now ?? defaultClock
    this.#schedule = options.schedule ?? defaultSchedule
    this.#logger = options.logger
    this.#maxMessageSize = positive(options.maxMessageSize ?? MAX_MESSAGE_SIZE, 'maxMessageSize')
    if (this.#maxMessageSize > 65507 - FRAME_HEADER_BYTES) throw HolepunchError.INVALID_ARGUMENT(`maxMessageSize must be at most ${65507 - FRAME_HEADER_BYTES} (one UDP datagram)`)
    this.#window = positive(options.window ?? SEND_WINDOW, 'window')
    if (this.#window > SACK_BITS * 1024) throw HolepunchError.INVALID_ARGUMENT('window is too large')
    this.#maxQueue = nonNegative(options.maxQueue ?? MAX_SEND_QUEUE, 'maxQueue')
    this.#inflight = new SeqRing(Math.ceil(this.#window) + 1)
    this.#reorder = new SeqRing(Math.ceil(this.#window) + 1)
    this.#keepaliveInterval = positive(options.keepaliveInterval ?? KEEPALIVE_INTERVAL, 'keepaliveInterval')
    this.#idleTimeout = positive(options.idleTimeout ?? IDLE_TIMEOUT, 'idleTimeout')
    this.#closeTimeout = positive(options.closeTimeout ?? CLOSE_TIMEOUT, 'closeTimeout')
    this.#rtt = new RttEstimator({
      initialRtt: options.initialRtt,
      initialRto: options.initialRto ?? INITIAL_RTO,
      minRto: options.minRto ?? MIN_RTO,
      maxRto: options.maxRto ?? MAX_RTO
    })
    const now = this.#now()
    this.#lastSendAt = now
    this.#lastProofAt = now
    this.#arm()
  }

  /** The smoothed round-trip time (ms), or `null` before anything was measured. */
  get rtt (): number | null {
    return this.#rtt.srtt
  }

  /** The current retransmission timeout (ms). */
  get rto (): number {
    return this.#rtt.rto
  }

  /** `open`, `closing` (draining, then waiting for the close ack) or `closed`. */
  get state (): ChannelState {
    return this.#state
  }

  /** True once the channel ended. */
  get closed (): boolean {
    return this.#state === 'closed'
  }

  /** Messages sent and not yet acknowledged. */
  get inflight (): number {
    return this.#inflight.size
  }

  /** Messages waiting for room in the window. */
  get queued (): number {
    return this.#queue.length
  }

  /** The largest message `send()` accepts (bytes). */
  get maxMessageSize (): number {
    return this.#maxMessageSize
  }

  /**
   * Sends one message; resolves when the peer acknowledged it. Rejects with `MESSAGE_TOO_LARGE`,
   * `QUEUE_FULL`, `CONNECTION_CLOSED` / `CONNECTION_LOST` / `DESTROYED` (the channel ended first;
   * the message may or may not have arrived) or `ABORTED` (the signal fired; a message already
   * on the wire is still delivered, only the caller stops waiting).
   */
  send (message: Uint8Array, options: { signal?: AbortSignal } = {}): Promise<void> {
    if (!(message instanceof Uint8Array)) return Promise.reject(HolepunchError.INVALID_ARGUMENT('message must be a Uint8Array'))
    if (message.byteLength > this.#maxMessageSize) return Promise.reject(HolepunchError.MESSAGE_TOO_LARGE(message.byteLength, this.#maxMessageSize))
    if (this.#state !== 'open') return Promise.reject(this.#endedError())
    const { signal } = options
    if (signal?.aborted === true) return Promise.reject(HolepunchError.ABORTED(signal.reason))
    if (this.#queue.length >= this.#maxQueue && this.#nextSeq - this.#una >= this.#window) return Promise.reject(HolepunchError.QUEUE_FULL(this.#maxQueue))

    return new Promise<void>((resolve, reject) => {
      const out: Outgoing = {
        payload: message.slice(), // the caller may reuse its buffer
        seq: -1,
        firstSentAt: 0,
        lastSentAt: 0,
        sends: 0,
        fastRetransmitted: false,
        settled: false,
        resolve,
        reject,
        signal,
        onAbort: undefined
      }
      if (signal !== undefined) {
        out.onAbort = () => {
          const i = this.#queue.indexOf(out)
          if (i !== -1) this.#queue.splice(i, 1)
          this.#settle(out, HolepunchError.ABORTED(signal.reason))
        }
        signal.addEventListener('abort', out.onAbort, { once: true })
      }
      this.#queue.push(out)
      this.#pump()
      this.#arm()
    })
  }

  /**
   * Hands the channel a datagram from the peer. Returns false when it is not a frame of this
   * connection (another id, or not a frame at all: the caller may route it elsewhere). Malformed
   * frames are counted in `stats.dropped` and never throw.
   */
  receive (datagram: Uint8Array): boolean {
    let frame: Frame
    try {
      frame = decodeFrame(datagram)
    } catch (err) {
      this.stats.dropped++
      this.#logger?.debug?.('holepunch: dropped a datagram that is not a valid frame', { id: this.id, error: (err as Error).message })
      return false
    }
    return this.receiveFrame(frame)
  }

  /** `receive` of a frame already decoded (the router decodes every frame to dispatch it). @internal */
  receiveFrame (frame: Frame): boolean {
    if (frame.id !== this.id) {
      this.stats.dropped++
      return false
    }
    if (this.#state === 'closed') {
      // keep answering a retransmitted close, in case our close ack was lost
      if (frame.type === FRAME_TYPE.CLOSE) this.#transmit(FRAME_TYPE.CLOSE_ACK, 0)
      return true
    }
    this.stats.framesReceived++
    this.#onAck(frame)
    switch (frame.type) {
      case FRAME_TYPE.DATA: this.#onData(frame); break
      case FRAME_TYPE.PING: this.#transmit(FRAME_TYPE.PONG, frame.seq); break
      case FRAME_TYPE.PONG: this.#onPong(frame.seq); break
      case FRAME_TYPE.CLOSE: this.#onClose(); break
      case FRAME_TYPE.CLOSE_ACK: if (this.#closeSentAt !== null) this.#end('local'); break
      default: break // ACK: handled by #onAck
    }
    if (!this.closed) { // a frame (or a listener) may have ended the channel
      this.#pump()
      this.#arm()
    }
    return true
  }

  /**
   * Closes gracefully: stops accepting sends, waits until what was sent is acknowledged, then
   * tells the peer, which sees `close` with reason `remote`. Resolves once closed (the peer
   * acknowledged, or `closeTimeout` passed, or the peer was lost). An aborted `signal` destroys
   * the channel and rejects with `ABORTED`.
   */
  close (options: { signal?: AbortSignal } = {}): Promise<void> {
    const { signal } = options
    if (this.#state === 'closed') return Promise.resolve()
    if (signal?.aborted === true) {
      this.destroy()
      return Promise.reject(HolepunchError.ABORTED(signal.reason))
    }
    const done = new Promise<void>((resolve, reject) => {
      let onAbort: (() => void) | undefined
      if (signal !== undefined) {
        onAbort = () => {
          reject(HolepunchError.ABORTED(signal.reason)) // first: destroy() resolves the waiters
          this.destroy()
        }
        signal.addEventListener('abort', onAbort, { once: true })
      }
      this.#closeWaiters.push(() => {
        if (onAbort !== undefined) signal?.removeEventListener('abort', onAbort)
        resolve()
      })
    })
    if (this.#state === 'open') {
      this.#state = 'closing'
      // queued messages that never got a sequence number will not be sent
      for (const out of this.#queue.splice(0)) this.#settle(out, HolepunchError.CONNECTION_CLOSED('Connection closing', this.remoteAddress))
      this.#maybeSendClose()
      this.#arm()
    }
    return done
  }

  /**
   * Ends the channel at once, without telling the peer (it will notice the silence). Pending
   * sends reject with `error` or `DESTROYED`; the iterator ends (throwing `error` if given).
   * Idempotent.
   */
  destroy (error?: HolepunchError | Error): void {
    if (this.#state === 'closed') return
    this.#end('destroyed', error)
  }

  /**
   * The peer's messages as an async iterable, from now on (subscribe before awaiting anything
   * else). Ends when the channel closes; throws `CONNECTION_LOST` (or the destroy error) when it
   * ended on an error; `break` or an aborted `signal` (throws `ABORTED`) stop it.
   */
  messages (options: { signal?: AbortSignal } = {}): AsyncIterableIterator<Uint8Array> {
    const queue: MessageQueue<Uint8Array> = new MessageQueue(() => this.#iterators.delete(queue), options.signal)
    if (this.#state === 'closed') queue.end(this.#endError)
    else this.#iterators.add(queue)
    return queue
  }

  [Symbol.asyncIterator] (): AsyncIterableIterator<Uint8Array> {
    return this.messages()
  }

  // ── sending ───────────────────────────────────────────────────────────────────────────────

  #pump (): void {
    while (this.#state !== 'closed' && this.#queue.length > 0 && this.#nextSeq - this.#una < this.#window) {
      const out = this.#queue.shift()!
      out.seq = this.#nextSeq++
      this.#inflight.set(out.seq, out)
      this.stats.messagesSent++
      this.#transmitData(out)
    }
    if (this.#state === 'closing') this.#maybeSendClose()
  }

  #transmitData (out: Outgoing): void {
    const now = this.#now()
    if (out.sends === 0) out.firstSentAt = now
    else this.stats.retransmits++
    out.sends++
    out.lastSentAt = now
    this.#transmit(FRAME_TYPE.DATA, out.seq, out.payload)
  }

  #transmit (type: FrameType, seq: number, payload?: Uint8Array): void {
    const frame = encodeFrame({ type, id: this.id, seq, ack: this.#rcvNext, sack: this.#sackBits(), payload })
    this.#lastSendAt = this.#now()
    this.stats.framesSent++
    try {
      this.#send(frame)
    } catch (err) {
      this.#logger?.debug?.('holepunch: send threw, counting the frame as lost', { id: this.id, error: (err as Error).message })
    }
  }

  #sackBits (): number {
    if (this.#reorder.size === 0) return 0
    let bits = 0
    for (let i = 0; i < SACK_BITS; i++) if (this.#reorder.has(this.#rcvNext + 1 + i)) bits |= 1 << i
    return bits >>> 0
  }

  #onAck (frame: Frame): void {
    const una = this.#una
    const ack = unwrapSeq(frame.ack, una)
    if (ack < una || ack > this.#nextSeq) return // stale or bogus
    const now = this.#now()
    let newest: Outgoing | undefined
    for (let seq = una; seq < ack; seq++) {
      const out = this.#inflight.get(seq)
      if (out === undefined) continue // acknowledged earlier, selectively
      this.#inflight.delete(seq)
      newest = out
      this.#settle(out)
    }
    for (let i = 0; frame.sack !== 0 && i < SACK_BITS; i++) {
      if ((frame.sack & (1 << i)) === 0) continue
      const out = this.#inflight.get(ack + 1 + i)
      if (out === undefined) continue
      this.#inflight.delete(out.seq)
      if (newest === undefined || out.lastSentAt > newest.lastSentAt) newest = out
      this.#settle(out)
    }
    while (this.#una < this.#nextSeq && !this.#inflight.has(this.#una)) this.#una++
    // Karn: only a message sent once gives an unambiguous round trip
    if (newest !== undefined && newest.sends === 1) this.#rtt.sample(now - newest.lastSentAt)
    if (newest !== undefined) this.#pingAnswered() // an ack of new data proves the path as well as a pong
    // fast retransmit: the peer holds several later messages but still misses this one
    const missing = this.#inflight.get(ack)
    if (missing !== undefined && !missing.fastRetransmitted && popcount(frame.sack) >= FAST_RETRANSMIT_THRESHOLD &&
      now - missing.lastSentAt >= (this.#rtt.srtt ?? 0)) {
      missing.fastRetransmitted = true
      this.#transmitData(missing)
    }
  }

  #settle (out: Outgoing, error?: unknown): void {
    if (out.settled) return
    out.settled = true
    if (out.onAbort !== undefined) out.signal?.removeEventListener('abort', out.onAbort)
    if (error === undefined) out.resolve()
    else out.reject(error)
  }

  // ── receiving ─────────────────────────────────────────────────────────────────────────────

  #onData (frame: Frame): void {
    const seq = unwrapSeq(frame.seq, this.#rcvNext)
    if (seq < this.#rcvNext || this.#reorder.has(seq)) {
      this.stats.duplicates++
    } else if (seq >= this.#rcvNext + this.#window) {
      this.stats.dropped++
    } else {
      this.#reorder.set(seq, frame.payload.slice()) // the datagram's buffer is not ours to keep
      while (this.#reorder.has(this.#rcvNext)) {
        const message = this.#reorder.get(this.#rcvNext)!
        this.#reorder.delete(this.#rcvNext)
        this.#rcvNext++
        this.stats.messagesReceived++
        this.#deliver(message)
        if (this.#state === 'closed') return // a listener destroyed the channel
      }
    }
    // acknowledge every DATA at once (duplicates too: our previous ack may have been lost)
    this.#transmit(FRAME_TYPE.ACK, 0)
  }

  #deliver (message: Uint8Array): void {
    for (const queue of this.#iterators) queue.push(message)
    this.emit('message', message)
  }

  #onPong (id: number): void {
    const sentAt = this.#pings.get(id)
    if (sentAt === undefined) return
    this.#rtt.sample(this.#now() - sentAt)
    this.#pingAnswered()
  }

  #pingAnswered (): void {
    this.#lastProofAt = this.#now()
    this.#pings.clear()
    this.#unansweredPings = 0
  }

  #onClose (): void {
    this.#transmit(FRAME_TYPE.CLOSE_ACK, 0)
    // a simultaneous close is still our close
    this.#end(this.#state === 'closing' ? 'local' : 'remote')
  }

  // ── closing ───────────────────────────────────────────────────────────────────────────────

  #maybeSendClose (): void {
    if (this.#state !== 'closing' || this.#closeSentAt !== null) return
    if (this.#inflight.size > 0 || this.#queue.length > 0) return
    this.#closeSentAt = this.#now()
    this.#sendClose()
  }

  #sendClose (): void {
    this.#closeSends++
    this.#lastCloseAt = this.#now()
    this.#transmit(FRAME_TYPE.CLOSE, this.#nextSeq)
  }

  #end (reason: CloseReason, error?: HolepunchError | Error): void {
    if (this.#state === 'closed') return
    this.#state = 'closed'
    this.#endError = error
    this.#cancelTimer()
    const pendingError = error ?? (reason === 'destroyed'
      ? HolepunchError.DESTROYED('Connection')
      : HolepunchError.CONNECTION_CLOSED(reason === 'remote' ? 'Connection closed by the peer' : 'Connection closed', this.remoteAddress))
    for (const out of this.#queue.splice(0)) this.#settle(out, pendingError)
    for (let seq = this.#una; seq < this.#nextSeq; seq++) {
      const out = this.#inflight.get(seq)
      if (out !== undefined) this.#settle(out, pendingError)
    }
    this.#inflight.clear()
    this.#una = this.#nextSeq
    this.#reorder.clear()
    this.#pings.clear()
    for (const queue of [...this.#iterators]) queue.end(error)
    this.#iterators.clear()
    for (const resolve of this.#closeWaiters.splice(0)) resolve()
    this.#logger?.debug?.('holepunch: connection ended', { id: this.id, reason, error: error?.message })
    if (error !== undefined && this.listenerCount('error') > 0) this.emit('error', error)
    this.emit('close', error === undefined ? { reason } : { reason, error })
  }

  #endedError (): HolepunchError | Error {
    if (this.#endError !== undefined) return this.#endError
    if (this.#state === 'closed') return HolepunchError.CONNECTION_CLOSED('Connection closed', this.remoteAddress)
    return HolepunchError.CONNECTION_CLOSED('Connection closing', this.remoteAddress)
  }

  // ── timers ────────────────────────────────────────────────────────────────────────────────

  /** The earliest time something must happen. */
  #deadline (): number {
    let at = Math.min(this.#lastProofAt + this.#idleTimeout, this.#nextPingAt())
    for (let seq = this.#una; seq < this.#nextSeq; seq++) {
      const out = this.#inflight.get(seq)
      if (out !== undefined) at = Math.min(at, out.firstSentAt + this.#idleTimeout, out.lastSentAt + this.#rtt.backoff(out.sends))
    }
    if (this.#closeSentAt !== null) at = Math.min(at, this.#closeSentAt + this.#closeTimeout, this.#lastCloseAt + this.#rtt.backoff(this.#closeSends))
    return at
  }

  /**
   * When the next ping is due: after `keepaliveInterval` without sending (keeps the NAT mapping
   * open), after `keepaliveInterval` without proof that the peer receives us (hearing the peer is
   * not enough: the path may be one-way), and while a ping is unanswered, again after the
   * backed-off RTO.
   */
  #nextPingAt (): number {
    const keepalive = this.#lastSendAt + this.#keepaliveInterval
    if (this.#pings.size > 0) return Math.min(keepalive, this.#lastPingAt + this.#rtt.backoff(this.#unansweredPings))
    return Math.min(keepalive, this.#lastProofAt + this.#keepaliveInterval)
  }

  #arm (): void {
    if (this.#state === 'closed') return
    const at = this.#deadline()
    // only move the timer earlier; a timer that fires early just re-arms
    if (this.#timer !== null && this.#timerAt <= at) return
    this.#cancelTimer()
    this.#timerAt = at
    // whole milliseconds, rounded up: a timer never fires before its deadline, and a deadline a
    // hair in the future can not spin the scheduler at one instant
    const now = this.#now()
    this.#timer = this.#schedule(() => this.#onTimer(), at <= now ? 0 : Math.ceil(at - now))
  }

  #cancelTimer (): void {
    if (this.#timer !== null) this.#timer()
    this.#timer = null
    this.#timerAt = Infinity
  }

  #onTimer (): void {
    this.#timer = null
    this.#timerAt = Infinity
    if (this.#state === 'closed') return
    const now = this.#now()

    // deadlines are compared exactly as #deadline() computes them (a + b <= now), so that a timer
    // set for a fractional time always finds its work due
    if (this.#lastProofAt + this.#idleTimeout <= now) return this.#lost(`the peer acknowledged nothing for ${now - this.#lastProofAt} ms`)
    for (let seq = this.#una; seq < this.#nextSeq; seq++) {
      const out = this.#inflight.get(seq)
      if (out !== undefined && out.firstSentAt + this.#idleTimeout <= now) return this.#lost(`message ${out.seq} unacknowledged for ${now - out.firstSentAt} ms`)
    }
    if (this.#closeSentAt !== null && this.#closeSentAt + this.#closeTimeout <= now) return this.#end('local')

    for (let seq = this.#una; seq < this.#nextSeq; seq++) {
      const out = this.#inflight.get(seq)
      if (out !== undefined && out.lastSentAt + this.#rtt.backoff(out.sends) <= now) this.#transmitData(out)
    }
    if (this.#closeSentAt !== null && this.#lastCloseAt + this.#rtt.backoff(this.#closeSends) <= now) this.#sendClose()
    if (now >= this.#nextPingAt()) this.#ping(now)
    this.#arm()
  }

  #ping (now: number): void {
    const id = this.#nextPingId
    this.#nextPingId = (this.#nextPingId + 1) >>> 0 || 1
    this.#pings.set(id, now)
    this.#unansweredPings++
    this.#lastPingAt = now
    this.#transmit(FRAME_TYPE.PING, id)
  }

  #lost (why: string): void {
    this.#end('lost', HolepunchError.CONNECTION_LOST(`Connection lost: ${why}`, this.remoteAddress))
  }
}

function popcount (bits: number): number {
  let n = 0
  for (let b = bits >>> 0; b !== 0; b &= b - 1) n++
  return n
}

function positive (value: number, name: string): number {
  if (typeof value !== 'number' || !(value > 0) || !Number.isFinite(value)) throw HolepunchError.INVALID_ARGUMENT(`${name} must be a positive number`)
  return value
}

function nonNegative (value: number, name: string): number {
  if (typeof value !== 'number' || !(value >= 0) || !Number.isFinite(value)) throw HolepunchError.INVALID_ARGUMENT(`${name} must be a non-negative number`)
  return value
}

