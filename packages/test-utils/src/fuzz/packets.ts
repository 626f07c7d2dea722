// Whole-packet fuzzing of a live node: a deterministic stream of datagrams (valid seeds, mutated
// seeds, noise) sent from many loopback source addresses, paced so that the kernel does not drop
// them en masse. Every choice comes from the stream's Prng: the same seed and count send the same
// bytes in the same order from the same source addresses.
import { createSocket, type Socket } from 'node:dgram'
import { once } from 'node:events'
import { mutate } from './mutate.js'
import type { Prng } from './prng.js'
import { udpCounters } from './system.js'

/** Source addresses of the fuzzer: distinct /16s (127.200-249.x.1), never a testnet node's (127.n.0.1). */
export function fuzzSourceHost (i: number): string {
  if (!Number.isInteger(i) || i < 0 || i >= 50 * 254) throw new RangeError(`fuzz source ${i} out of range`)
  return `127.${200 + (i % 50)}.${1 + Math.floor(i / 50)}.1`
}

/** True for an address the fuzzer sends from. */
export function isFuzzSourceHost (host: string): boolean {
  const m = /^127\.(\d+)\.(\d+)\.1$/.exec(host)
  return m !== null && Number(m[1]) >= 200 && Number(m[1]) < 250 && Number(m[2]) >= 1
}

export interface DatagramStreamOptions {
  /** Share of pure noise (random bytes of random length, empty and 1-byte included). @default 0.08 */
  noise?: number
  /** Share of seeds sent unmodified. @default 0.04 */
  verbatim?: number
  /** At most this many mutations stacked on one seed. @default 4 */
  maxOps?: number
}

export interface FuzzDatagram {
  index: number
  bytes: Uint8Array
  /** `noise`, `verbatim`, or the mutations applied to seed `#n`. */
  how: string
}

/**
 * The i-th datagram of the stream, for i = 0, 1, 2, ...: each call draws from `rand` only, so
 * calling it `n` times on a fresh `Prng(seed)` always yields the same datagrams.
 */
export function datagramStream (rand: Prng, seeds: readonly Uint8Array[], opts: DatagramStreamOptions = {}): () => FuzzDatagram {
  if (seeds.length === 0) throw new RangeError('datagramStream needs at least one seed')
  const noise = opts.noise ?? 0.08
  const verbatim = opts.verbatim ?? 0.04
  let index = 0
  return () => {
    const i = index++
    const r = rand.float()
    if (r < noise) return { index: i, bytes: rand.bytes(rand.length(1400)), how: 'noise' }
    const s = rand.int(seeds.length)
    if (r < noise + verbatim) return { index: i, bytes: seeds[s]!, how: `verbatim #${s}` }
    const m = mutate(rand, seeds[s]!, { donors: seeds, headerBytes: 2, maxOps: opts.maxOps ?? 4 })
    return { index: i, bytes: m.bytes, how: `#${s} ${m.ops.join(', ')}` }
  }
}

export interface PacketFuzzOptions {
  /** The node under test. */
  target: { host: string, port: number }
  /** Produces the datagrams (e.g. {@link datagramStream}). */
  next: () => FuzzDatagram
  /** Datagrams to send. */
  count: number
  /** Stop earlier once `Date.now()` passes this. */
  deadline?: number
  /**
   * Source addresses for datagrams with the request bit (and for those under 2 bytes). A per-IP
   * rate limiter lets a few packets per second through from each: more sources, more of the
   * stream reaches the decoders. @default 64
   */
  sources?: number
  /**
   * Source addresses for datagrams without the request bit. Separate from the request sources,
   * so no response can ever come from an address the node sent a request to (the node pings
   * senders of requests to verify them, and the fuzzer must never answer). @default sources / 4
   */
  responseSources?: number
  /** Datagrams sent per event-loop turn (libuv reads 32 per poll: stay below). @default 16 */
  batch?: number
  /** Rewrites a datagram just before it is sent (e.g. to keep forward fields on loopback). */
  confine?: (bytes: Uint8Array) => Uint8Array
  /** Called every 10,000 datagrams. */
  onProgress?: (sent: number) => void
  /** Keep the last this many datagrams sent (as sent, after `confine`), for a failure report. @default 256 */
  keepLast?: number
}

export interface PacketFuzzResult {
  sent: number
  /** Sent from request sources / response sources. */
  requests: number
  responses: number
  /** What the fuzzer's sockets received: requests and responses from the target, anything from elsewhere. */
  received: { requests: number, responses: number, fromOthers: number }
  /** The request sources' and response sources' addresses. */
  requestHosts: string[]
  responseHosts: string[]
  elapsedMs: number
  sendErrors: number
  /** Kernel receive-buffer drops during the run, system-wide (null where unknown). */
  kernelDrops: number | null
  /** The last `keepLast` datagrams sent, oldest first. */
  lastSent: FuzzDatagram[]
}

/** Binds the fuzzer's sockets, sends `count` datagrams at `target`, closes the sockets. */
export async function fuzzPackets (opts: PacketFuzzOptions): Promise<PacketFuzzResult> {
  const nReq = opts.sources ?? 64
  const nRes = opts.responseSources ?? Math.max(1, Math.floor(nReq / 4))
  if (!Number.isInteger(nReq) || nReq < 1 || !Number.isInteger(nRes) || nRes < 1) throw new RangeError('sources must be positive integers')
  const batch = opts.batch ?? 16
  const keepLast = opts.keepLast ?? 256
  const ring: FuzzDatagram[] = []
  const received = { requests: 0, responses: 0, fromOthers: 0 }
  const { host, port } = opts.target

  const open = async (i: number): Promise<Socket> => {
    const s = createSocket('udp4')
    s.on('message', (msg, rinfo) => {
      if (rinfo.address !== host || rinfo.port !== port) received.fromOthers++
      else if (msg.length >= 2 && (msg[0]! & 0x80) !== 0) received.requests++
      else received.responses++
    })
    s.on('error', () => {}) // a transient send error is counted through the send callback
    s.bind(0, fuzzSourceHost(i))
    await once(s, 'listening')
    return s
  }
  const reqSockets = await Promise.all(Array.from({ length: nReq }, async (_, i) => await open(i)))
  const resSockets = await Promise.all(Array.from({ length: nRes }, async (_, i) => await open(nReq + i)))

  let sent = 0
  let requests = 0
  let responses = 0
  let sendErrors = 0
  const before = udpCounters()
  const started = performance.now()
  try {
    const pending: Array<Promise<void>> = []
    const send = (s: Socket, b: Uint8Array): Promise<void> => new Promise((resolve) => {
      s.send(b, port, host, (err) => {
        if (err) sendErrors++
        resolve()
      })
    })
    while (sent < opts.count && (opts.deadline === undefined || Date.now() < opts.deadline)) {
      const n = Math.min(batch, opts.count - sent)
      for (let k = 0; k < n; k++) {
        const d = opts.next()
        let bytes = d.bytes
        if (opts.confine) bytes = opts.confine(bytes)
        if (keepLast > 0) {
          if (ring.length >= keepLast) ring.shift()
          ring.push(bytes === d.bytes ? d : { ...d, bytes, how: d.how + ' (confined)' })
        }
        // round robin within each pool: every source sends its share, the choice is deterministic
        const isResponse = bytes.length >= 2 && (bytes[0]! & 0x80) === 0
        const s = isResponse ? resSockets[responses++ % nRes]! : reqSockets[requests++ % nReq]!
        pending.push(send(s, bytes))
      }
      sent += n
      await Promise.all(pending)
      pending.length = 0
      await new Promise((resolve) => setImmediate(resolve))
      if (opts.onProgress && Math.floor(sent / 10_000) !== Math.floor((sent - n) / 10_000)) opts.onProgress(sent)
    }
    // let the target read what is still queued in its socket
    await new Promise((resolve) => setTimeout(resolve, 100))
  } finally {
    await Promise.all([...reqSockets, ...resSockets].map(async (s) => await new Promise<void>((resolve) => s.close(() => resolve()))))
  }
  const after = udpCounters()
  return {
    sent,
    requests,
    responses,
    received,
    requestHosts: reqSockets.map((_, i) => fuzzSourceHost(i)),
    responseHosts: resSockets.map((_, i) => fuzzSourceHost(nReq + i)),
    elapsedMs: Math.round(performance.now() - started),
    sendErrors,
    kernelDrops: before !== null && after !== null ? after.rcvbufErrors - before.rcvbufErrors : null,
    lastSent: ring
  }
}
