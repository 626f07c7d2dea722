// (imported: the global `Buffer` is an accessor on Node 20, about 6 ns more a use)
import { Buffer } from 'node:buffer'
import { createSocket, Socket as DgramSocket } from 'node:dgram'
import { EventEmitter } from 'node:events'
import { hostKey } from '@hyperdht-ts/ip-encoding'
import {
  DEFAULT_TIMEOUT, HEADER_BYTES, INITIAL_TICKS, RETRY_TICKS, SUBTICKS, TICKS_PER_TIMEOUT, TID_LIMIT
} from './constants.js'
import { passthrough } from './encoding.js'
import { ipLookup } from './ip-lookup.js'
import { PendingTable } from './pending-table.js'
import { withResolvers } from './resolvers.js'
import { UDPRequestError } from './errors.js'
import { frame, isRequest, tidOf, writeHeader } from './header.js'
import type {
  DatagramSocket, Encoding, Interceptor, LocalAddress, Logger, Peer, RemoteInfo, RequestOptions, RequestPeer,
  RequestResult, ResponseHandler, UDPRequestEvents, UDPRequestOptions, UDPRequestStats
} from './types.js'

/** Socket errors that concern one datagram, not the socket: reported as `warning`. */
const TRANSIENT_ERRORS = new Set([
  'EHOSTUNREACH', 'ENETUNREACH', 'ENETDOWN', 'EHOSTDOWN', 'ECONNREFUSED', 'ECONNRESET',
  'EMSGSIZE', 'ENOBUFS', 'EAGAIN', 'EWOULDBLOCK', 'EINTR', 'ENOTFOUND', 'EAI_AGAIN'
])

const HOST_CACHE_SIZE = 4096
const NO_OPTIONS: RequestOptions = Object.freeze({})

/**
 * On a Node dgram socket, responses (and requests marked `knownRoute`) are sent without a send
 * callback, but for one in CHECK_EVERY of them. Node calls a send callback through
 * process.nextTick even when the datagram left at once, and on Node 20 that tick is one more pass
 * of the tick queue (with its unhandled-rejection pass, which allocates a Map): measured, ~1.5 µs
 * of a server's ~13 µs per answer, and ~6 µs per client `_ping` (26 vs 32 µs, both ends in one
 * process). A response goes to the address its request just came from, and a `knownRoute`
 * request to one that answered lately, so they seldom fail; the sampled ones (the first, the
 * 65th, ...) keep a lasting failure (an egress firewall, a full send buffer) visible in
 * `stats.sendErrors` and warnings. A datagram too large for some path (over CHECKED_BYTES, the
 * IPv6 minimum MTU less headers) is always checked: EMSGSIZE concerns that one datagram.
 */
const CHECK_EVERY = 64
const CHECKED_BYTES = 1232

/**
 * One string per sender host, shared process-wide: every datagram brings a fresh copy of its
 * sender's address, and the tables keyed by host (rate limits, tokens, contacts, routing) would
 * each keep another copy of it. Bounded: full, it starts over (a host then just gets a new copy).
 * Exported for the same use on hosts decoded from messages.
 */
const HOSTS = new Map<string, string>()
const MAX_HOSTS = 8192

/** The last host interned: a datagram's sender is often the previous one's (one hashing of a fresh string spared). */
let lastHost = ''

export function internHost (host: string): string {
  if (host === lastHost) return lastHost
  const known = HOSTS.get(host)
  if (known !== undefined) return (lastHost = known)
  if (HOSTS.size >= MAX_HOSTS) HOSTS.clear()
  HOSTS.set(host, host)
  return (lastHost = host)
}

/** One request waiting for its response. */
class Pending<Res> {
  /** Timer ticks left before the next retry or the timeout. */
  ticks = INITIAL_TICKS * SUBTICKS
  /** Index into RETRY_TICKS of the next retry; RETRY_TICKS.length when none are left. */
  tries: number
  onAbort: (() => void) | null = null
  /** Send callback, shared by the first transmission and the retries; null: unchecked (see CHECK_EVERY). */
  onSent: ((err: Error | null) => void) | null = null

  constructor (
    readonly tid: number,
    readonly message: Uint8Array,
    readonly host: string,
    readonly hostKey: string | null,
    readonly port: number,
    retry: boolean,
    /** Accept the response from any sender (the request is forwarded by its destination). */
    readonly anySender: boolean,
    /** This request's timeout relative to the instance's (1 = the instance's own timing). */
    readonly scale: number,
    readonly handler: ResponseHandler<Res>,
    readonly signal: AbortSignal | undefined
  ) {
    this.tries = retry ? 0 : RETRY_TICKS.length
    if (scale !== 1) this.ticks = Math.ceil(INITIAL_TICKS * SUBTICKS * scale)
  }
}

interface PendingListen {
  port: number
  host: string | undefined
  resolve: () => void
  reject: (err: Error) => void
}

/**
 * Request/response over one UDP socket, wire-compatible with `udp-request@1.4.0`: every datagram
 * is a 2-byte header (request bit + 15-bit transaction id) followed by the encoded body.
 */
export class UDPRequest<Req = Uint8Array, Res = Uint8Array> extends EventEmitter<UDPRequestEvents<Req, Res>> {
  readonly socket: DatagramSocket
  readonly requestEncoding: Encoding<Req>
  readonly responseEncoding: Encoding<Res>
  readonly timeout: number
  readonly retry: boolean

  /** Requests waiting for their response, by tid; dropped when none are (an idle node keeps no table). */
  #pending: PendingTable<Pending<Res>> | null = null
  /** Created for the first host whose key is not itself. */
  #hostKeys: Map<string, string | null> | null = null
  #nextTid: number
  #tickMs: number
  #interval: NodeJS.Timeout | null = null
  #unrefed = false
  #destroyed = false
  #socketClosed = false
  #closed: Promise<void> | null = null
  #resolveClosed: (() => void) | null = null
  #listen: PendingListen | null = null
  #intercept: Interceptor | null = null
  #admit: ((host: string, bytes: number) => boolean) | null
  /** See CHECK_EVERY: true for a Node dgram socket (other sockets report errors otherwise). */
  readonly #samplesChecks: boolean
  #sinceCheck = 0
  #log: Logger | null
  #stats: UDPRequestStats = {
    requestsSent: 0,
    requestsReceived: 0,
    responsesSent: 0,
    responsesReceived: 0,
    retries: 0,
    timeouts: 0,
    cancelled: 0,
    forwardedRequests: 0,
    forwardedResponses: 0,
    datagramsSent: 0,
    intercepted: 0,
    sendErrors: 0,
    dropped: { tooShort: 0, undecodable: 0, unmatchedResponse: 0, wrongHost: 0, refused: 0 }
  }

  constructor (options: UDPRequestOptions<Req, Res> = {}) {
    super()
    const timeout = options.timeout ?? DEFAULT_TIMEOUT
    if (typeof timeout !== 'number' || !Number.isFinite(timeout) || timeout <= 0) {
      throw UDPRequestError.INVALID_ARGUMENT(`timeout must be a positive number, got ${String(timeout)}`)
    }
    const firstTid = options.firstTid ?? Math.floor(Math.random() * TID_LIMIT)
    if (!Number.isInteger(firstTid) || firstTid < 0 || firstTid >= TID_LIMIT) {
      throw UDPRequestError.INVALID_ARGUMENT(`firstTid must be an integer in [0, ${TID_LIMIT}), got ${String(firstTid)}`)
    }
    this.timeout = timeout
    this.retry = options.retry ?? false
    this.#tickMs = Math.max(1, Math.floor(timeout / (TICKS_PER_TIMEOUT * SUBTICKS)))
    this.#nextTid = firstTid
    this.requestEncoding = options.requestEncoding ?? (passthrough as unknown as Encoding<Req>)
    this.responseEncoding = options.responseEncoding ?? (passthrough as unknown as Encoding<Res>)
    this.#log = options.logger ?? null
    this.#admit = options.admit ?? null
    this.socket = options.socket ?? (createSocket({ type: options.ipv6 === true ? 'udp6' : 'udp4', lookup: ipLookup }) as unknown as DatagramSocket)

    this.#samplesChecks = this.socket instanceof DgramSocket
    this.socket.on('message', this.#onMessage)
    this.socket.on('error', this.#onError)
    this.socket.on('listening', this.#onListening)
    this.socket.on('close', this.#onClose)
  }

  /** Number of requests waiting for a response. */
  get inflight (): number {
    return this.#pending?.size ?? 0
  }

  /** True once `destroy()` was called or the socket closed. */
  get destroyed (): boolean {
    return this.#destroyed
  }

  /** A snapshot of the counters. */
  get stats (): UDPRequestStats {
    return { ...this.#stats, dropped: { ...this.#stats.dropped } }
  }

  /** Binds the socket. Rejects with `ADDRESS_IN_USE` or `LISTEN_FAILED` (never an `error` event). */
  async listen (port = 0, host?: string): Promise<void> {
    if (this.#destroyed) throw UDPRequestError.DESTROYED()
    if (!isPort(port, true)) throw UDPRequestError.INVALID_ARGUMENT(`port must be an integer in [0, 65535], got ${String(port)}`)
    if (host !== undefined && (typeof host !== 'string' || host === '')) {
      throw UDPRequestError.INVALID_ARGUMENT(`host must be a non-empty string, got ${String(host)}`)
    }
    if (this.#listen !== null) throw UDPRequestError.LISTEN_FAILED(new Error('listen() already in progress'), port, host)

    await new Promise<void>((resolve, reject) => {
      this.#listen = { port, host, resolve, reject }
      try {
        this.socket.bind(port, host)
      } catch (err) {
        this.#listen = null
        reject(bindError(err, port, host))
      }
    })
  }

  /** The bound address; throws `NOT_LISTENING` before the socket is bound. */
  address (): LocalAddress {
    let a: { address: string, port: number, family: string }
    try {
      a = this.socket.address()
    } catch (err) {
      throw UDPRequestError.NOT_LISTENING(err)
    }
    return { host: a.address, port: a.port, family: a.family }
  }

  /**
   * Sends a request and resolves with the first response from the same host and port carrying
   * its transaction id (from any host with `{ forwarded: true }`). Rejects with `REQUEST_TIMEOUT`, `REQUEST_CANCELLED`, `DESTROYED`,
   * `SEND_FAILED`, `ENCODE_FAILED`, `TOO_MANY_REQUESTS` or `INVALID_ARGUMENT`.
   */
  request (value: Req, to: Peer, options: RequestOptions = {}): Promise<RequestResult<Res>> {
    const settle = withResolvers<RequestResult<Res>>()
    this.sendRequest(value, to, options, settle)
    return settle.promise
  }

  /**
   * `request()` without its promise: the outcome goes to `handler` (see {@link ResponseHandler}),
   * with the same results and errors. For layers that make a promise of their own per request.
   * Throws only for a handler without the two functions (there is nowhere else to report that);
   * a request that cannot be sent (a bad argument, a destroyed instance, a send failing at once)
   * is rejected before this returns.
   */
  sendRequest (value: Req, to: Peer, options: RequestOptions | undefined, handler: ResponseHandler<Res>): void {
    if (handler === null || typeof handler !== 'object' || typeof handler.resolve !== 'function' || typeof handler.reject !== 'function') {
      throw UDPRequestError.INVALID_ARGUMENT('handler must be an object with resolve and reject functions')
    }
    options ??= NO_OPTIONS
    if (this.#destroyed) return handler.reject(UDPRequestError.DESTROYED())
    const invalid = checkPeer(to)
    if (invalid !== null) return handler.reject(invalid)
    const { signal } = options
    if (signal?.aborted === true) {
      this.#stats.cancelled++
      return handler.reject(UDPRequestError.REQUEST_CANCELLED(signal.reason, to))
    }
    if ((this.#pending?.size ?? 0) >= TID_LIMIT) return handler.reject(UDPRequestError.TOO_MANY_REQUESTS())
    let scale = 1
    if (options.timeout !== undefined) {
      if (typeof options.timeout !== 'number' || !(options.timeout > 0) || !Number.isFinite(options.timeout)) {
        return handler.reject(UDPRequestError.INVALID_ARGUMENT(`timeout must be a positive number, got ${String(options.timeout)}`))
      }
      scale = options.timeout / this.timeout
    }

    let message: Uint8Array
    const tid = this.#allocateTid()
    try {
      message = this.#frame(true, tid, value, this.requestEncoding)
    } catch (err) {
      return handler.reject(err as Error)
    }

    const req = new Pending<Res>(tid, message, to.host, this.#hostKey(to.host), to.port, options.retry ?? this.retry,
      options.forwarded === true, scale, handler, signal)
    ;(this.#pending ??= new PendingTable()).add(req)
    // Bound functions, not arrow closures kept on the request that capture it (through their
    // context): with those, requests still survived into the old generation after a full GC
    // (test/promotion.test.ts: up to 1.9 MB for 20,000 requests, against 17-35 KB), though much
    // less than through the Map of pending requests this table replaced.
    if (options.knownRoute !== true || this.#checkDue(message)) req.onSent = this.#onRequestSent.bind(this, req)
    if (signal !== undefined) {
      req.onAbort = this.#onRequestAborted.bind(this, req)
      signal.addEventListener('abort', req.onAbort, { once: true })
    }
    this.#startTicking()
    this.#stats.requestsSent++
    this.#transmit(req)
  }

  #onRequestSent (req: Pending<Res>, err: Error | null | undefined): void {
    if (err === null || err === undefined) return
    this.#stats.sendErrors++
    if (this.#pending?.get(req.tid) !== req) return
    this.#settle(req)
    const error = UDPRequestError.SEND_FAILED(err, { host: req.host, port: req.port })
    if (this.#log !== null) this.#logError('warn', 'udp-request: send failed', error)
    req.handler.reject(error)
  }

  #onRequestAborted (req: Pending<Res>): void {
    if (this.#pending?.get(req.tid) !== req) return
    this.#stats.cancelled++
    this.#settle(req)
    req.handler.reject(UDPRequestError.REQUEST_CANCELLED(req.signal?.reason, { host: req.host, port: req.port }))
  }

  /** Answers a received request; `peer` is the one from the `request` event (it carries the tid). */
  response (value: Res, peer: RequestPeer): void {
    this.#sendFramed(false, value, peer, peer, 'responsesSent')
  }

  /** Sends a request to `to`, reusing the transaction id of `from` (e.g. a received request). */
  forwardRequest (value: Req, from: { tid: number }, to: Peer): void {
    this.#sendFramed(true, value, from, to, 'forwardedRequests')
  }

  /** Sends a response to `to`, reusing the transaction id of `from` (e.g. a received response). */
  forwardResponse (value: Res, from: { tid: number }, to: Peer): void {
    this.#sendFramed(false, value, from, to, 'forwardedResponses')
  }

  /**
   * Sends raw bytes (no header, no encoding) from this socket: for protocols that share it, such
   * as punch probes and connection frames. A failed send is a `warning`. A no-op after `destroy()`.
   */
  send (bytes: Uint8Array, to: Peer): void {
    if (this.#destroyed) return
    const invalid = checkPeer(to)
    if (invalid !== null) throw invalid
    if (!(bytes instanceof Uint8Array)) throw UDPRequestError.INVALID_ARGUMENT('bytes must be a Uint8Array')
    this.#stats.datagramsSent++
    this.#send(bytes, to.port, to.host, this.#onReplySent)
  }

  /**
   * Installs (or with `null` removes) the one interceptor: it sees every datagram first and
   * consumes those it returns `true` for (counted in `stats.intercepted`).
   */
  intercept (fn: Interceptor | null): void {
    if (fn !== null && typeof fn !== 'function') throw UDPRequestError.INVALID_ARGUMENT('interceptor must be a function or null')
    this.#intercept = fn
  }

  /**
   * Lets the process exit while this instance is open: unrefs the socket (when it supports it)
   * and the tick interval. Pending requests then no longer keep the process alive either.
   */
  unref (): this {
    this.#unrefed = true
    this.socket.unref?.()
    this.#interval?.unref()
    return this
  }

  /**
   * Cancels every pending request with `DESTROYED`, stops the tick and closes the socket.
   * Idempotent: every call returns the same promise, resolved once the socket has closed.
   */
  destroy (): Promise<void> {
    if (this.#closed !== null) return this.#closed
    this.#closed = new Promise<void>((resolve) => { this.#resolveClosed = resolve })
    this.#teardown()
    if (this.#socketClosed) {
      this.#finishClose()
    } else {
      try {
        this.socket.close()
      } catch {
        // Already closed (or never usable): there will be no 'close' event.
        this.#socketClosed = true
        this.#finishClose()
      }
    }
    return this.#closed
  }

  #teardown (): void {
    if (this.#destroyed) return
    this.#destroyed = true
    this.#stopTicking()
    const listen = this.#listen
    this.#listen = null
    listen?.reject(UDPRequestError.DESTROYED())
    const pending = this.#pending === null ? [] : this.#pending.drain()
    this.#pending = null
    for (const req of pending) {
      this.#removeAbort(req)
      req.handler.reject(UDPRequestError.DESTROYED())
    }
  }

  #finishClose (): void {
    const resolve = this.#resolveClosed
    if (resolve === null) return
    this.#resolveClosed = null
    this.socket.off('message', this.#onMessage)
    this.socket.off('listening', this.#onListening)
    this.socket.off('close', this.#onClose)
    this.socket.off('error', this.#onError)
    this.emit('close')
    resolve()
  }

  /**
   * ip-encoding's `hostKey` with a small cache for the hosts whose key is not themselves
   * (IPv6, IPv4-mapped): a dotted quad is its own key, and checking that is cheaper than a
   * cache entry per IPv4 host.
   */
  #hostKey (host: string): string | null {
    let key = this.#hostKeys?.get(host)
    if (key === undefined) {
      key = hostKey(host)
      if (key === host) return key
      const keys = this.#hostKeys ??= new Map()
      if (keys.size >= HOST_CACHE_SIZE) keys.clear()
      keys.set(host, key)
    }
    return key
  }

  #allocateTid (): number {
    // Skip ids still in use, so a wrapped counter never shadows a pending request (and those
    // whose slot in the table is taken: the table keeps at least half its slots free).
    for (;;) {
      if (this.#nextTid >= TID_LIMIT) this.#nextTid = 0
      const tid = this.#nextTid++
      if (this.#pending === null || this.#pending.isFree(tid)) return tid
    }
  }

  #transmit (req: Pending<Res>): void {
    const onSent = req.onSent
    this.#send(req.message, req.port, req.host, onSent ?? this.#onReplySent, onSent !== null)
  }

  #sendFramed (request: boolean, value: Req | Res, from: { tid: number }, to: Peer,
    counter: 'responsesSent' | 'forwardedRequests' | 'forwardedResponses'): void {
    if (this.#destroyed) return
    if (from === null || typeof from !== 'object' || !Number.isInteger(from.tid) || from.tid < 0 || from.tid > 0x7fff) {
      throw UDPRequestError.INVALID_ARGUMENT(`peer.tid must be an integer in [0, 32767], got ${String(from?.tid)}`)
    }
    const invalid = checkPeer(to)
    if (invalid !== null) throw invalid
    const message = request
      ? this.#frame(true, from.tid, value as Req, this.requestEncoding)
      : this.#frame(false, from.tid, value as Res, this.responseEncoding)
    this.#stats[counter]++
    this.#send(message, to.port, to.host, this.#onReplySent, counter !== 'responsesSent' || this.#checkDue(message))
  }

  /** Header and body in one buffer: written in place when the encoding can, else copied after encoding. */
  #frame<T> (request: boolean, tid: number, value: T, encoding: Encoding<T>): Uint8Array {
    if (encoding.encodeInto === undefined || encoding.encodingLength === undefined) return frame(request, tid, encode(encoding, value))
    let message: Uint8Array
    try {
      message = Buffer.allocUnsafe(HEADER_BYTES + encoding.encodingLength(value))
      writeHeader(message, request, tid)
      encoding.encodeInto(value, message, HEADER_BYTES)
    } catch (err) {
      throw UDPRequestError.ENCODE_FAILED(err)
    }
    return message
  }

  /**
   * Send callback of responses, forwards and raw sends, and where an unchecked send that throws
   * reports (an unchecked request then times out): a failure is a warning (dgram errors carry
   * address and port).
   */
  #onReplySent = (err: Error | null): void => {
    if (err === null || err === undefined) return
    this.#stats.sendErrors++
    const { address, port } = err as Error & { address?: unknown, port?: unknown }
    const peer = typeof address === 'string' && typeof port === 'number' ? { host: address, port } : undefined
    this.#warn('warn', 'udp-request: send failed', () => UDPRequestError.SEND_FAILED(err, peer))
  }

  /**
   * Emits a `warning` and logs it at `level` (a dropped datagram is routine: debug). The error is
   * only built when someone listens or logs: junk datagrams must cost what counting them costs.
   */
  #warn (level: 'debug' | 'warn', msg: string, make: () => UDPRequestError): void {
    const listened = this.listenerCount('warning') > 0
    const logged = this.#log !== null && this.#log[level] !== undefined
    if (!listened && !logged) return
    const err = make()
    if (logged) this.#logError(level, msg, err)
    if (listened) this.emit('warning', err)
  }

  #logError (level: 'debug' | 'warn', msg: string, err: UDPRequestError): void {
    const cause = err.cause instanceof Error ? err.cause.message : undefined
    this.#log?.[level]?.(msg, { code: err.code, host: err.peer?.host, port: err.peer?.port, error: err.message, cause })
  }

  /**
   * Sends a datagram; `done(err)` reports a failure, including one thrown synchronously. Unless
   * `checked`, dgram is given no callback and only a synchronous failure is seen (see
   * CHECK_EVERY).
   */
  #send (message: Uint8Array, port: number, host: string, done: (err: Error | null) => void, checked = true): void {
    try {
      if (checked) this.socket.send(message, port, host, done)
      else this.socket.send(message, port, host)
    } catch (err) {
      const error = err instanceof Error ? err : new Error(String(err))
      Object.assign(error, { address: host, port })
      done(error)
    }
  }

  /** Whether a send that may go unchecked is checked all the same (see CHECK_EVERY). */
  #checkDue (message: Uint8Array): boolean {
    if (!this.#samplesChecks || message.length > CHECKED_BYTES) return true
    const n = this.#sinceCheck
    this.#sinceCheck = n + 1 === CHECK_EVERY ? 0 : n + 1
    return n === 0
  }

  #settle (req: Pending<Res>): void {
    this.#pending?.delete(req)
    this.#removeAbort(req)
  }

  #removeAbort (req: Pending<Res>): void {
    if (req.onAbort !== null) {
      req.signal?.removeEventListener('abort', req.onAbort)
      req.onAbort = null
    }
  }

  #startTicking (): void {
    if (this.#interval !== null) return
    this.#interval = setInterval(this.#tick, this.#tickMs)
    if (this.#unrefed) this.#interval.unref()
  }

  #stopTicking (): void {
    if (this.#interval === null) return
    clearInterval(this.#interval)
    this.#interval = null
  }

  /** One scan of the pending requests per tick (the reference's counters, in a table by tid instead of its arrays). */
  #tick = (): void => {
    const pending = this.#pending
    if (pending === null || pending.size === 0) {
      this.#stopTicking()
      this.#pending = null
      return
    }
    for (const req of pending.snapshot()) {
      // settled by an earlier one's handler, or the instance destroyed there
      if (this.#pending?.get(req.tid) !== req) continue
      if (req.ticks > 0) {
        req.ticks--
      } else if (req.tries < RETRY_TICKS.length) {
        const ticks = RETRY_TICKS[req.tries++]! * SUBTICKS
        req.ticks = req.scale === 1 ? ticks : Math.ceil(ticks * req.scale)
        this.#stats.retries++
        this.#transmit(req)
      } else {
        this.#stats.timeouts++
        this.#settle(req)
        req.handler.reject(UDPRequestError.REQUEST_TIMEOUT({ host: req.host, port: req.port }))
      }
    }
  }

  #onMessage = (message: Uint8Array, rinfo: RemoteInfo): void => {
    if (this.#destroyed) return
    if (this.#intercept !== null && this.#intercept(message, rinfo)) {
      this.#stats.intercepted++
      return
    }
    // (`length` rather than `byteLength` throughout: the same on a Uint8Array, and on a Buffer
    // V8 in Node 20 calls the byteLength getter instead of inlining it)
    if (message.length < HEADER_BYTES) {
      this.#stats.dropped.tooShort++
      this.#warn('debug', 'udp-request: datagram dropped', () => UDPRequestError.MESSAGE_TOO_SHORT(message.length, { host: rinfo.address, port: rinfo.port }))
      return
    }
    const request = isRequest(message)
    const host = internHost(rinfo.address)
    if (request && this.#admit !== null && !this.#admit(host, message.length)) {
      this.#stats.dropped.refused++
      return // not even decoded: a flood costs what it costs to count it
    }
    const peer: RequestPeer = { host, port: rinfo.port, tid: tidOf(message) }

    if (request) {
      let value: Req
      try {
        value = decodeBody(this.requestEncoding, message)
      } catch (err) {
        this.#dropUndecodable(err, peer)
        return
      }
      this.#stats.requestsReceived++
      this.emit('request', value, peer)
      return
    }

    let value: Res
    try {
      value = decodeBody(this.responseEncoding, message)
    } catch (err) {
      this.#dropUndecodable(err, peer)
      return
    }
    this.#stats.responsesReceived++

    const req = this.#pending?.get(peer.tid)
    if (req === undefined) {
      this.#stats.dropped.unmatchedResponse++
      // for relays (forwardResponse); never a source of knowledge about the sender
      if (this.listenerCount('unmatched-response') > 0) this.emit('unmatched-response', value, peer)
      return
    }
    if (!req.anySender && (req.port !== peer.port || (req.hostKey !== null && req.host !== peer.host && req.hostKey !== this.#hostKey(peer.host)))) {
      this.#stats.dropped.wrongHost++
      this.#warn('debug', 'udp-request: datagram dropped', () => UDPRequestError.WRONG_HOST({ host: peer.host, port: peer.port }, { host: req.host, port: req.port }))
      return
    }
    this.#settle(req)
    // Only a response that answers one of our requests is reported: an unsolicited one must not
    // teach a listener anything (a routing table learning from it would be poisoned).
    this.emit('response', value, peer)
    req.handler.resolve({ value, peer })
  }

  #dropUndecodable (err: unknown, peer: RequestPeer): void {
    this.#stats.dropped.undecodable++
    this.#warn('debug', 'udp-request: datagram dropped', () => UDPRequestError.DECODE_FAILED(err, { host: peer.host, port: peer.port }))
  }

  #onListening = (): void => {
    const listen = this.#listen
    this.#listen = null
    listen?.resolve()
    this.emit('listening')
  }

  #onError = (err: Error): void => {
    const listen = this.#listen
    if (listen !== null) {
      this.#listen = null
      listen.reject(bindError(err, listen.port, listen.host))
      return
    }
    const code = (err as NodeJS.ErrnoException).code
    if (code !== undefined && TRANSIENT_ERRORS.has(code)) {
      this.#warn('warn', 'udp-request: socket error', () => UDPRequestError.SOCKET_ERROR(err))
      return
    }
    this.emit('error', err)
  }

  #onClose = (): void => {
    this.#socketClosed = true
    if (this.#closed === null) {
      // Closed from outside: behave as if destroy() was called.
      this.#closed = new Promise<void>((resolve) => { this.#resolveClosed = resolve })
      this.#teardown()
    }
    this.#finishClose()
  }
}

function encode<T> (encoding: Encoding<T>, value: T): Uint8Array {
  let bytes: Uint8Array
  try {
    bytes = encoding.encode(value)
  } catch (err) {
    throw UDPRequestError.ENCODE_FAILED(err)
  }
  if (!(bytes instanceof Uint8Array)) throw UDPRequestError.ENCODE_FAILED(new TypeError('encode() must return a Uint8Array'))
  return bytes
}

/**
 * The body after the header. A framing-aware encoding (one with `encodeInto`) reads it in place
 * from the datagram; a plain one gets a view of the body, as it always did.
 */
function decodeBody<T> (encoding: Encoding<T>, message: Uint8Array): T {
  return encoding.encodeInto !== undefined
    ? encoding.decode(message, HEADER_BYTES, message.length)
    : encoding.decode(message.subarray(HEADER_BYTES))
}

function isPort (port: unknown, allowZero: boolean): port is number {
  return typeof port === 'number' && Number.isInteger(port) && port >= (allowZero ? 0 : 1) && port <= 65535
}

function checkPeer (peer: Peer): UDPRequestError | null {
  if (peer === null || typeof peer !== 'object') return UDPRequestError.INVALID_ARGUMENT('peer must be an object { host, port }')
  if (typeof peer.host !== 'string' || peer.host === '') {
    return UDPRequestError.INVALID_ARGUMENT(`peer.host must be a non-empty string, got ${String(peer.host)}`)
  }
  if (!isPort(peer.port, false)) return UDPRequestError.INVALID_ARGUMENT(`peer.port must be an integer in [1, 65535], got ${String(peer.port)}`)
  return null
}

function bindError (err: unknown, port: number, host: string | undefined): UDPRequestError {
  const code = (err as NodeJS.ErrnoException | null)?.code
  if (code === 'EADDRINUSE') return UDPRequestError.ADDRESS_IN_USE(err, port, host)
  return UDPRequestError.LISTEN_FAILED(err, port, host)
}
