import { DHTError, type DHTErrorCode, type Peer } from '@hyperdht-ts/dht-rpc'
import { HolepunchError, type HolepunchErrorCode } from '@hyperdht-ts/holepunch'

/**
 * Every `code` a {@link HyperDHTError} can carry: its own, and every dht-rpc and holepunch code,
 * kept as is when such an error is wrapped (`REQUEST_TIMEOUT` stays `REQUEST_TIMEOUT`,
 * `BOTH_NATS_RANDOM` stays `BOTH_NATS_RANDOM`).
 */
export type HyperDHTErrorCode =
  | DHTErrorCode
  | HolepunchErrorCode
  | 'VALUE_TOO_LARGE'
  | 'SEQ_TOO_LOW'
  | 'INVALID_SIGNATURE'
  | 'NOT_STORED'
  | 'QUERY_FAILED'

export interface HyperDHTErrorOptions {
  cause?: unknown
  /** The remote node the error is about, when there is one. */
  peer?: Peer
  /** Extra machine-readable details (for example the newer `seq` that refused a put). */
  details?: Record<string, unknown>
  /** `RATE_LIMITED`: milliseconds to wait before trying the same peer again, when it said. */
  retryAfter?: number
}

const MARKER = Symbol.for('hyperdht-ts.hyperdht.error')

/**
 * The one error class of `@hyperdht-ts/hyperdht`. Recognisable across duplicate installs with
 * {@link HyperDHTError.isInstance}.
 */
export class HyperDHTError extends Error {
  readonly code: HyperDHTErrorCode
  readonly peer: Peer | undefined
  readonly details: Readonly<Record<string, unknown>> | undefined
  /** `RATE_LIMITED`: milliseconds to wait before trying the same peer again, when it said. */
  readonly retryAfter: number | undefined

  constructor (code: HyperDHTErrorCode, message: string, options: HyperDHTErrorOptions = {}) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause })
    this.code = code
    this.peer = options.peer
    this.details = options.details
    this.retryAfter = options.retryAfter
  }

  override get name (): string {
    return 'HyperDHTError'
  }

  get [MARKER] (): true {
    return true
  }

  /** True for any `HyperDHTError`, even one created by another copy of this package. */
  static isInstance (value: unknown): value is HyperDHTError {
    return typeof value === 'object' && value !== null && (value as Record<symbol, unknown>)[MARKER] === true
  }

  static INVALID_ARGUMENT (message: string, cause?: unknown): HyperDHTError {
    return new HyperDHTError('INVALID_ARGUMENT', message, { cause })
  }

  static VALUE_TOO_LARGE (size: number, max: number, what = 'value'): HyperDHTError {
    return new HyperDHTError('VALUE_TOO_LARGE', `${what} is ${size} bytes, the limit is ${max}`, { details: { size, max } })
  }

  static SEQ_TOO_LOW (seq: number, current: number): HyperDHTError {
    return new HyperDHTError('SEQ_TOO_LOW', `seq ${seq} is not higher than the stored seq ${current} of a different value`, { details: { seq, current } })
  }

  static INVALID_SIGNATURE (): HyperDHTError {
    return new HyperDHTError('INVALID_SIGNATURE', 'a signature made with keyPair.secretKey does not verify against keyPair.publicKey')
  }

  static NOT_STORED (what: string): HyperDHTError {
    return new HyperDHTError('NOT_STORED', `no node stored the ${what}`)
  }

  static ABORTED (cause?: unknown): HyperDHTError {
    return new HyperDHTError('ABORTED', 'operation aborted', { cause })
  }

  static DESTROYED (cause?: unknown): HyperDHTError {
    return new HyperDHTError('DESTROYED', 'node is destroyed', { cause })
  }

  /**
   * Wraps an error of the layers below. A dht-rpc or holepunch error keeps its code, message and
   * peer (and a holepunch `retryAfter`; the original is the `cause`); an `AbortError` becomes `ABORTED`; anything else
   * `QUERY_FAILED`.
   */
  static from (cause: unknown): HyperDHTError {
    if (HyperDHTError.isInstance(cause)) return cause
    if (DHTError.isInstance(cause)) return new HyperDHTError(cause.code, cause.message, { cause, peer: cause.peer })
    if (HolepunchError.isInstance(cause)) return new HyperDHTError(cause.code, cause.message, { cause, peer: cause.peer, retryAfter: cause.retryAfter })
    const name = (cause as { name?: unknown } | null)?.name
    const code = (cause as { code?: unknown } | null)?.code
    if (name === 'AbortError' || code === 'ABORT_ERR') return HyperDHTError.ABORTED(cause)
    const message = cause instanceof Error ? cause.message : String(cause)
    return new HyperDHTError('QUERY_FAILED', `query failed: ${message}`, { cause })
  }
}
