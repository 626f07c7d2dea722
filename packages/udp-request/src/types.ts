import type { UDPRequestError } from './errors.js'
import type { Peer } from '@hyperdht-ts/ip-encoding'

/**
 * A value codec. The default encoding passes bytes through unchanged. An encoding that also has
 * `encodingLength` and `encodeInto` is framing-aware: a message is written straight into its
 * datagram (no second copy), and `decode` is handed the whole datagram with the offset of the
 * body (no subarray). A plain encoding's `decode` gets a view of the body alone.
 */
export interface Encoding<T> {
  encode (value: T): Uint8Array
  /** The message in `bytes[offset..end]` (a framing-aware encoding is called with all three). */
  decode (bytes: Uint8Array, offset?: number, end?: number): T
  /** Optional: bytes `value` encodes to. */
  encodingLength? (value: T): number
  /** Optional (with `encodingLength`): writes `value` at `buf[offset..]`, returns the offset after it. */
  encodeInto? (value: T, buf: Uint8Array, offset: number): number
}

/**
 * Sees every datagram before it is parsed (for protocols sharing the socket, such as punched
 * connections). Returning `true` consumes the datagram: udp-request then ignores it.
 */
export type Interceptor = (message: Uint8Array, from: RemoteInfo) => boolean


/** A remote UDP endpoint `{ host, port }` (ip-encoding's `Peer`, the one type of the whole stack). */
export type { Peer }

/** A remote endpoint plus the transaction id of the message it sent or should receive. */
export interface RequestPeer extends Peer {
  tid: number
}

/** What a datagram socket reports about the sender of a message. */
export interface RemoteInfo {
  address: string
  port: number
}

/**
 * The subset of `node:dgram`'s `Socket` that `UDPRequest` uses. A `dgram.Socket` satisfies it,
 * and so can an in-memory transport.
 *
 * - `send` must call `callback(err)` once, with `null` on success; it must not emit `'error'`
 *   for a failed send when a callback is given (dgram's behaviour).
 * - `bind` reports success with `'listening'` and failure (e.g. `EADDRINUSE`) with `'error'`.
 * - `close` emits `'close'` once.
 */
export interface DatagramSocket {
  send (msg: Uint8Array, port: number, address: string, callback?: (err: Error | null) => void): void
  bind (port: number, address: string | undefined, callback?: () => void): unknown
  address (): { address: string, port: number, family: string }
  close (callback?: () => void): unknown
  on (event: 'message', listener: (msg: Uint8Array, rinfo: RemoteInfo) => void): unknown
  on (event: 'error', listener: (err: Error) => void): unknown
  on (event: 'listening' | 'close', listener: () => void): unknown
  off (event: 'message', listener: (msg: Uint8Array, rinfo: RemoteInfo) => void): unknown
  off (event: 'error', listener: (err: Error) => void): unknown
  off (event: 'listening' | 'close', listener: () => void): unknown
  /** Optional: lets the process exit while the socket is open (see `UDPRequest#unref`). */
  unref? (): unknown
}

/** Extra structured data of a log entry. */
export type LogFields = Record<string, unknown>

/**
 * An optional logger (the library never prints). Structural: `console` fits, and so does any
 * object with some of these methods; a missing method means that level is not logged. Messages
 * are short and stable (`'udp-request: datagram dropped'`), details go in `fields`.
 */
export interface Logger {
  debug? (msg: string, fields?: LogFields): void
  info? (msg: string, fields?: LogFields): void
  warn? (msg: string, fields?: LogFields): void
}

export interface UDPRequestOptions<Req, Res> {
  /** Socket to use instead of a new `dgram` socket. It is closed by `destroy()`. */
  socket?: DatagramSocket
  /** Codec of request bodies. @default passthrough (bytes in, bytes out) */
  requestEncoding?: Encoding<Req>
  /** Codec of response bodies. @default passthrough (bytes in, bytes out) */
  responseEncoding?: Encoding<Res>
  /** Request timeout in ms; the retry/timeout tick is `timeout / 4`. @default 1000 */
  timeout?: number
  /** Retry requests (3 retransmissions, see `RETRY_TICKS`) unless a request says otherwise. @default false */
  retry?: boolean
  /** Create a `udp6` socket instead of `udp4` (ignored when `socket` is given). @default false */
  ipv6?: boolean
  /** First transaction id (0 - 32766). Random by default; useful for tests and simulations. */
  firstTid?: number
  /**
   * Where to log dropped datagrams (debug) and failed sends and transient socket errors (warn).
   * @default none: nothing is logged
   */
  logger?: Logger
  /**
   * Decides, before decoding, whether an incoming request of `bytes` from `host` is handled:
   * `false` drops it (counted in `stats.dropped.refused`). For rate limits. Responses to our
   * own requests are never asked about. @default every request is handled
   */
  admit?: (host: string, bytes: number) => boolean
}

export interface RequestOptions {
  /** Overrides the instance's `retry` option for this request. */
  retry?: boolean
  /** Cancels the request with `REQUEST_CANCELLED`. */
  signal?: AbortSignal
  /**
   * Time out after about this many ms instead of the instance's `timeout` (rounded up to the
   * tick, `timeout / 4` of the instance; with `retry`, the retransmissions are spread over the
   * same proportions). @default the instance's timeout
   */
  timeout?: number
  /**
   * The request goes to a host that forwards it (`forwardRequest`), so the response may come from
   * a third host: match it on the transaction id alone, like the reference. This is how
   * holepunching works (a `_ping` sent to a referrer is answered by the target). By default a
   * response must come from the host and port the request was sent to. @default false
   */
  forwarded?: boolean
  /**
   * The destination answered us lately, so a send to it is unlikely to fail: on a Node dgram
   * socket the request then goes without a send callback, but for one in 64 sampled sends (as
   * responses do; see `response()`). A send failure it meets shows as `REQUEST_TIMEOUT` instead of
   * `SEND_FAILED`. Saves a `process.nextTick` per datagram. Ignored for requests over 1,232 bytes
   * and on other sockets. @default false
   */
  knownRoute?: boolean
}

export interface RequestResult<Res> {
  value: Res
  peer: RequestPeer
}

/**
 * Where `sendRequest()` reports how a request ended: exactly one of the two is called, once.
 * `withResolvers()` makes a promise with such a handler; a layer above can pass an object of its
 * own that keeps its per-request state, so that a request through both costs one promise (its
 * own) and no closures. The methods must not throw: they
 * run inside the socket's `message` event, a timer or an abort listener.
 */
export interface ResponseHandler<Res> {
  resolve: (result: RequestResult<Res>) => void
  reject: (err: Error) => void
}

/** Bound address of the socket. */
export interface LocalAddress {
  host: string
  port: number
  family: string
}

/** Counters since the instance was created (a snapshot; mutating it changes nothing). */
export interface UDPRequestStats {
  /** Requests sent by `request()` (first transmissions). */
  requestsSent: number
  /** Requests received and decoded (emitted as `request`). */
  requestsReceived: number
  /** Responses sent by `response()`. */
  responsesSent: number
  /** Responses received and decoded, matched or not (only matched ones are emitted as `response`). */
  responsesReceived: number
  /** Retransmissions of pending requests. */
  retries: number
  /** Requests that failed with `REQUEST_TIMEOUT`. */
  timeouts: number
  /** Requests cancelled by their `AbortSignal`. */
  cancelled: number
  /** Requests sent by `forwardRequest()`. */
  forwardedRequests: number
  /** Responses sent by `forwardResponse()`. */
  forwardedResponses: number
  /** Sends the socket reported as failed (e.g. `EHOSTUNREACH`); of responses and `knownRoute` requests, only the sampled ones (see `response()`). */
  sendErrors: number
  /** Raw datagrams sent by `send()`. */
  datagramsSent: number
  /** Datagrams consumed by the interceptor (see `intercept()`). */
  intercepted: number
  /** Datagrams dropped, by reason. */
  dropped: {
    /** Shorter than the 2-byte header. */
    tooShort: number
    /** The encoding's `decode` threw. */
    undecodable: number
    /** A response whose tid matches no pending request (e.g. a late answer after a retry). */
    unmatchedResponse: number
    /** A response whose tid matches a request sent to another host or port. */
    wrongHost: number
    /** A request the `admit` option refused (a rate limit). */
    refused: number
  }
}

/** Events of `UDPRequest` (a typed Node `EventEmitter`). */
export interface UDPRequestEvents<Req, Res> {
  /** A request arrived; answer it with `rpc.response(value, peer)`. */
  request: [value: Req, peer: RequestPeer]
  /**
   * A response matched a pending request (tid and sender, or tid alone for `forwarded`
   * requests) and is about to resolve it. Unsolicited or mismatched responses are only counted
   * (`stats.dropped`), never emitted.
   */
  response: [value: Res, peer: RequestPeer]
  /**
   * A decoded response whose tid matches no pending request: what a relay built on
   * `forwardResponse` listens to. Nothing about the sender is verified (anyone can send one).
   */
  'unmatched-response': [value: Res, peer: RequestPeer]
  /** A datagram was dropped or a send failed; never fatal. */
  warning: [err: UDPRequestError]
  /** A fatal socket error (outside `listen()`, which rejects instead). */
  error: [err: Error]
  listening: []
  close: []
}
