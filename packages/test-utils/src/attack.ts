// Hostile peers for the security tests and benchmarks (docs/security.md): bare UDP sockets on
// loopback addresses of their own that send hand-made datagrams at a live node and count what
// comes back, as an attacker (or a spoofed stream's victim) would see it. Structural only: the
// caller encodes the messages (this package depends on no package of the workspace).
import { createSocket, type Socket } from 'node:dgram'
import { once } from 'node:events'

export interface Endpoint {
  host: string
  port: number
}

type MessageListener = (msg: Buffer, from: Endpoint) => void

/**
 * A bare `udp4` socket bound on `host`: it sends what it is told and never answers anything
 * unless a listener does. `bytesIn` / `datagramsIn` count everything that reached it (responses,
 * and requests such as verification pings), `bytesOut` / `datagramsOut` what it sent.
 */
export class RawPeer {
  readonly socket: Socket
  readonly host: string
  readonly port: number
  bytesIn = 0
  datagramsIn = 0
  bytesOut = 0
  datagramsOut = 0
  sendErrors = 0
  #listeners = new Set<MessageListener>()
  #closed = false

  private constructor (socket: Socket, host: string, port: number) {
    this.socket = socket
    this.host = host
    this.port = port
    socket.on('message', (msg, rinfo) => {
      this.bytesIn += msg.byteLength
      this.datagramsIn++
      const from = { host: rinfo.address, port: rinfo.port }
      for (const fn of this.#listeners) fn(msg, from)
    })
    socket.on('error', () => { this.sendErrors++ })
  }

  /** Binds a new socket on `host` (port 0: any). */
  static async bind (host: string, port = 0): Promise<RawPeer> {
    const s = createSocket('udp4')
    s.bind(port, host)
    await once(s, 'listening')
    return new RawPeer(s, host, s.address().port)
  }

  /** Binds one socket on each host. */
  static async bindAll (hosts: readonly string[]): Promise<RawPeer[]> {
    return await Promise.all(hosts.map(async (h) => await RawPeer.bind(h)))
  }

  get address (): Endpoint {
    return { host: this.host, port: this.port }
  }

  /** Sends `bytes` to `to`; resolves once the kernel took it (a failed send is counted, not thrown). */
  async send (bytes: Uint8Array, to: Endpoint): Promise<void> {
    if (this.#closed) return
    this.bytesOut += bytes.byteLength
    this.datagramsOut++
    await new Promise<void>((resolve) => {
      this.socket.send(bytes, to.port, to.host, (err) => {
        if (err) this.sendErrors++
        resolve()
      })
    })
  }

  /** Calls `fn` for every datagram received; returns the function that removes it. */
  onMessage (fn: MessageListener): () => void {
    this.#listeners.add(fn)
    return () => { this.#listeners.delete(fn) }
  }

  /** The next datagram matching `filter`, or null after `ms`. */
  async next (filter: (msg: Buffer, from: Endpoint) => boolean, ms = 1000): Promise<{ msg: Buffer, from: Endpoint } | null> {
    return await new Promise((resolve) => {
      const timer = setTimeout(() => { off(); resolve(null) }, ms)
      const off = this.onMessage((msg, from) => {
        if (!filter(msg, from)) return
        clearTimeout(timer)
        off()
        resolve({ msg, from })
      })
    })
  }

  async close (): Promise<void> {
    if (this.#closed) return
    this.#closed = true
    this.#listeners.clear()
    await new Promise<void>((resolve) => this.socket.close(() => resolve()))
  }
}

/** Closes every peer. */
export async function closeAll (peers: Iterable<RawPeer>): Promise<void> {
  await Promise.all([...peers].map(async (p) => await p.close()))
}

// udp-request framing: a 2-byte header, the top bit set on requests, then a 15-bit tid.

/** A request datagram: header (request bit, `tid`) + `body`. */
export function requestFrame (tid: number, body: Uint8Array): Buffer {
  const out = Buffer.allocUnsafe(2 + body.byteLength)
  out.writeUInt16BE(0x8000 | (tid & 0x7fff), 0)
  out.set(body, 2)
  return out
}

/** A response datagram: header (`tid`) + `body`. */
export function responseFrame (tid: number, body: Uint8Array): Buffer {
  const out = Buffer.allocUnsafe(2 + body.byteLength)
  out.writeUInt16BE(tid & 0x7fff, 0)
  out.set(body, 2)
  return out
}

export function isRequestFrame (msg: Uint8Array): boolean {
  return msg.byteLength >= 2 && (msg[0]! & 0x80) !== 0
}

export function frameTid (msg: Uint8Array): number {
  return ((msg[0]! & 0x7f) << 8) | msg[1]!
}

/** The body of a datagram (after the 2-byte header). */
export function frameBody (msg: Uint8Array): Uint8Array {
  return msg.subarray(2)
}

export interface PacedStreamOptions {
  peers: readonly RawPeer[]
  to: Endpoint
  /** The datagram a peer sends as its `n`-th (0-based). */
  next: (peer: RawPeer, n: number, index: number) => Uint8Array
  /** Datagrams a second per peer after the burst. */
  rate: number
  /** Datagrams each peer sends at the start on top of the rate (spread over the first turns). @default 0 */
  burst?: number
  /** How long to send. */
  seconds: number
  /** Most datagrams one peer sends in one turn (spreads a burst so no receive buffer overflows). @default 8 */
  perTurn?: number
}

/**
 * Every peer sends at `to` at a steady `rate` (after an optional `burst`) for `seconds`, as a
 * patient attacker keeping at a node's rate limit would; timer-paced, so load on the machine
 * makes it send late, never faster. Resolves with what each peer sent.
 */
export async function pacedStream (opts: PacedStreamOptions): Promise<number[]> {
  const { peers, to, next, rate, seconds } = opts
  const burst = opts.burst ?? 0
  const perTurn = opts.perTurn ?? 8
  const sent = peers.map(() => 0)
  const started = performance.now()
  for (;;) {
    const elapsed = (performance.now() - started) / 1000
    const done = elapsed >= seconds
    const due = burst + Math.floor(Math.min(elapsed, seconds) * rate)
    const sends: Array<Promise<void>> = []
    peers.forEach((p, i) => {
      for (let k = 0; k < perTurn && sent[i]! < due; k++) {
        sends.push(p.send(next(p, sent[i]!, i), to))
        sent[i]!++
      }
    })
    await Promise.all(sends)
    if (done && peers.every((_, i) => sent[i]! >= due)) return sent
    await new Promise((resolve) => setTimeout(resolve, 20))
  }
}

/** The median of `values` (NaN when empty). */
export function median (values: readonly number[]): number {
  if (values.length === 0) return NaN
  const s = [...values].sort((a, b) => a - b)
  const m = s.length >> 1
  return s.length % 2 === 1 ? s[m]! : (s[m - 1]! + s[m]!) / 2
}

export interface ReflectionOptions {
  /** The sources: one bare socket each, never answering anything. */
  peers: readonly RawPeer[]
  to: Endpoint
  /** The `n`-th request datagram of a source (a fresh tid each time). */
  request: (n: number, peer: RawPeer) => Uint8Array
  /** Requests a second per source after the burst (the node's rate limit, to stay within it). */
  rate: number
  /** Requests per source at the start on top of the rate (the rate limit's burst). */
  burst: number
  /** How long the sustained stream lasts. */
  seconds: number
  /** How long to wait for answers after the first request and after the last. @default 500 */
  settleMs?: number
}

export interface ReflectionSource {
  host: string
  /** Bytes this source sent (datagrams, header included). */
  in: number
  /** Bytes the node sent it (answers and any request, such as a verification ping). */
  out: number
  requests: number
  /** Datagrams the node sent it. */
  received: number
}

export interface ReflectionResult {
  /** The first request of a source and what came back before its second: largest over the sources. */
  first: { in: number, out: number }
  sources: ReflectionSource[]
  /** From the first request to the end of the measurement (s): the time the node's budgets refilled. */
  seconds: number
}

/**
 * What a node reflects to addresses that never proved they receive there: every source sends
 * one request and waits (the first-request ratio), then keeps sending at `rate` (after `burst`)
 * for `seconds`, as a spoofed stream at the rate limit would, never answering anything. The
 * byte counts are the datagrams' sizes (udp-request header included), as the node's own budget
 * counts them.
 */
export async function reflection (opts: ReflectionOptions): Promise<ReflectionResult> {
  const { peers, to, request } = opts
  const settleMs = opts.settleMs ?? 500
  const base = peers.map((p) => ({ in: p.bytesOut, out: p.bytesIn, sent: p.datagramsOut, got: p.datagramsIn }))
  const started = performance.now()
  await Promise.all(peers.map(async (p) => await p.send(request(0, p), to)))
  await sleep(settleMs)
  const first = { in: 0, out: 0 }
  peers.forEach((p, i) => {
    first.in = Math.max(first.in, p.bytesOut - base[i]!.in)
    first.out = Math.max(first.out, p.bytesIn - base[i]!.out)
  })
  await pacedStream({
    peers,
    to,
    rate: opts.rate,
    burst: Math.max(0, opts.burst - 1),
    seconds: opts.seconds,
    perTurn: 2,
    next: (p, n) => request(n + 1, p)
  })
  await sleep(settleMs)
  const seconds = (performance.now() - started) / 1000
  return {
    first,
    seconds,
    sources: peers.map((p, i) => ({
      host: p.host,
      in: p.bytesOut - base[i]!.in,
      out: p.bytesIn - base[i]!.out,
      requests: p.datagramsOut - base[i]!.sent,
      received: p.datagramsIn - base[i]!.got
    }))
  }
}

async function sleep (ms: number): Promise<void> {
  await new Promise((resolve) => setTimeout(resolve, ms))
}

/** The part of udp-request's in-memory network that forging needs (structural). */
export interface ForgingNetwork {
  /** The network's own way to forge a source address (when it has one). */
  inject? (datagram: { from: Endpoint, to: Endpoint, bytes: Uint8Array }): void
  /** Its internal send: from any address to any address. */
  _send? (from: { address: string, port: number }, msg: Uint8Array, port: number, host: string): void
}

/**
 * Delivers `bytes` to `to` on an in-memory network as if `from` had sent them: a forged source
 * address, which nobody needs to hold. Uses the network's `inject` where it exists, else its
 * internal send (the same delivery path every socket of that network takes).
 */
export function forge (network: ForgingNetwork, from: Endpoint, to: Endpoint, bytes: Uint8Array): void {
  if (typeof network.inject === 'function') network.inject({ from, to, bytes })
  else if (typeof network._send === 'function') network._send({ address: from.host, port: from.port }, bytes, to.port, to.host)
  else throw new TypeError('forge: this network cannot forge source addresses')
}
