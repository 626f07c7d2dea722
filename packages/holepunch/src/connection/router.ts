// Routes the frames of every port: punch probes to the punch attempts waiting for them (and an
// answer to every probe), OPEN to the listeners, everything else to its connection by id.
import { RateLimiter } from '@hyperdht-ts/dht-rpc'
import { PROBE_ANSWER_BURST, PROBE_ANSWER_RATE } from '../constants'
import type { DatagramPort } from '../io/port'
import type { Peer } from '../types'
import type { Connection } from './connection'
import { decodeFrame, encodeFrame, FRAME_TYPE, type Frame } from './frame'

/** A probe or probe answer for a connection id: who, on which port, with which nonce. */
export type ProbeListener = (kind: 'probe' | 'ack', from: Peer, port: DatagramPort, nonce: number) => void
/** The answer to our OPEN. */
export type OpenListener = (accepted: boolean, from: Peer, port: DatagramPort) => void
/** Decides on an OPEN for a connection we do not have: returns the new connection, or null to refuse. */
export type Acceptor = (id: number, key: Uint8Array, from: Peer, port: DatagramPort) => Connection | null

export interface RouterStats {
  /** Frames received, by what happened to them. */
  frames: number
  dropped: { invalid: number, unknownConnection: number, rateLimited: number }
  probesAnswered: number
}

export class FrameRouter {
  readonly stats: RouterStats = { frames: 0, dropped: { invalid: 0, unknownConnection: 0, rateLimited: 0 }, probesAnswered: 0 }
  // created on first use: most nodes never punch nor connect
  #connections: Map<number, Connection> | null = null
  /**
   * Ended connections, kept for a while: the peer that closed resends CLOSE until it hears our
   * CLOSE_ACK, and an ended channel still answers it. Without this, a lost CLOSE_ACK left the
   * closing side waiting out its whole close timeout.
   */
  #lingering: Map<number, { conn: Connection, timer: ReturnType<typeof setTimeout> }> | null = null
  #probes: Map<number, Set<ProbeListener>> | null = null
  #opens: Map<number, OpenListener> | null = null
  /** Created by the first probe answered. */
  #answers: RateLimiter | null = null
  #acceptor: Acceptor

  constructor (acceptor: Acceptor) {
    this.#acceptor = acceptor
  }

  /** Connections open now. */
  get size (): number {
    return this.#connections?.size ?? 0
  }

  has (id: number): boolean {
    return this.#connections?.has(id) === true || this.#lingering?.has(id) === true || this.#probes?.has(id) === true || this.#opens?.has(id) === true
  }

  add (conn: Connection): void {
    (this.#connections ??= new Map()).set(conn.id, conn)
  }

  /** Forgets an ended connection; with `lingerMs`, still hands it its frames that long. */
  remove (conn: Connection, lingerMs = 0): void {
    if (this.#connections?.get(conn.id) !== conn) return
    this.#connections.delete(conn.id)
    if (lingerMs <= 0) return
    this.#unlinger(conn.id)
    const timer = setTimeout(() => { this.#unlinger(conn.id) }, lingerMs)
    timer.unref?.()
    ;(this.#lingering ??= new Map()).set(conn.id, { conn, timer })
  }

  /** Stops every lingering connection's timer (the owner is closing). */
  clear (): void {
    if (this.#lingering === null) return
    for (const id of [...this.#lingering.keys()]) this.#unlinger(id)
  }

  #unlinger (id: number): void {
    const entry = this.#lingering?.get(id)
    if (entry === undefined) return
    clearTimeout(entry.timer)
    this.#lingering!.delete(id)
  }

  /** Every connection (to close them all). */
  connections (): Connection[] {
    return this.#connections === null ? [] : [...this.#connections.values()]
  }

  /** Listens for probes and probe answers of connection `id`; returns how to stop. */
  onProbe (id: number, fn: ProbeListener): () => void {
    const probes = this.#probes ??= new Map()
    let set = probes.get(id)
    if (set === undefined) probes.set(id, set = new Set())
    set.add(fn)
    return () => {
      set.delete(fn)
      if (set.size === 0 && probes.get(id) === set) probes.delete(id)
    }
  }

  /** Waits for the answer to our OPEN of `id`; returns how to stop. */
  onOpen (id: number, fn: OpenListener): () => void {
    const opens = this.#opens ??= new Map()
    opens.set(id, fn)
    return () => { if (opens.get(id) === fn) opens.delete(id) }
  }

  /** A frame arrived on `port` from `from`. Never throws: malformed frames are counted. */
  receive = (bytes: Uint8Array, from: Peer, port: DatagramPort): void => {
    this.stats.frames++
    let frame: Frame
    try {
      frame = decodeFrame(bytes)
    } catch {
      this.stats.dropped.invalid++
      return
    }
    switch (frame.type) {
      case FRAME_TYPE.PROBE:
        // Answered whoever sends it (it is how a path is proven), at a bounded rate per host:
        // the answer is no larger than the probe, so it amplifies nothing.
        this.#answers ??= new RateLimiter({ rate: PROBE_ANSWER_RATE, burst: PROBE_ANSWER_BURST })
        if (!this.#answers.take(from.host, Date.now())) {
          this.stats.dropped.rateLimited++
          return
        }
        this.stats.probesAnswered++
        port.send(encodeFrame({ type: FRAME_TYPE.PROBE_ACK, id: frame.id, seq: frame.seq, ack: 0 }), from)
        this.#notifyProbe(frame.id, 'probe', from, port, frame.seq)
        return
      case FRAME_TYPE.PROBE_ACK:
        this.#notifyProbe(frame.id, 'ack', from, port, frame.seq)
        return
      case FRAME_TYPE.OPEN: {
        if (this.#connections?.has(frame.id) === true) {
          // our OPEN_ACK was lost: say it again
          port.send(encodeFrame({ type: FRAME_TYPE.OPEN_ACK, id: frame.id, seq: 0, ack: 0 }), from)
          return
        }
        const conn = frame.payload.byteLength === 32 ? this.#acceptor(frame.id, new Uint8Array(frame.payload), from, port) : null
        if (conn !== null) (this.#connections ??= new Map()).set(frame.id, conn)
        port.send(encodeFrame({ type: conn !== null ? FRAME_TYPE.OPEN_ACK : FRAME_TYPE.REFUSE, id: frame.id, seq: 0, ack: 0 }), from)
        return
      }
      case FRAME_TYPE.OPEN_ACK:
      case FRAME_TYPE.REFUSE:
        this.#opens?.get(frame.id)?.(frame.type === FRAME_TYPE.OPEN_ACK, from, port)
        return
      default: {
        const conn = this.#connections?.get(frame.id) ?? this.#lingering?.get(frame.id)?.conn
        if (conn === undefined) {
          this.stats.dropped.unknownConnection++
          return
        }
        conn.receive(frame)
      }
    }
  }

  #notifyProbe (id: number, kind: 'probe' | 'ack', from: Peer, port: DatagramPort, nonce: number): void {
    const set = this.#probes?.get(id)
    if (set === undefined) return
    for (const fn of [...set]) fn(kind, from, port, nonce)
  }
}
