import type { Peer } from '@hyperdht-ts/ip-encoding'

/** Every `code` a {@link HolepunchError} can carry. */
export type HolepunchErrorCode =
  | 'PEER_NOT_FOUND'
  | 'HOLEPUNCH_FAILED'
  | 'BOTH_NATS_RANDOM'
  | 'ABORTED'
  | 'TIMEOUT'
  | 'CONNECTION_LOST'
  | 'CONNECTION_CLOSED'
  | 'DESTROYED'
  | 'INVALID_ARGUMENT'
  | 'RATE_LIMITED'
  | 'MESSAGE_TOO_LARGE'
  | 'QUEUE_FULL'
  | 'INVALID_FRAME'
  | 'PORT_MAPPING_UNAVAILABLE'
  | 'PORT_MAPPING_FAILED'

/** Options of the {@link HolepunchError} constructor. */
export interface HolepunchErrorOptions {
  cause?: unknown
  /** The remote peer the error is about, when there is one. */
  peer?: Peer
  /** With `RATE_LIMITED`: ms until the other side expects to accept again, when it said. */
  retryAfter?: number
}

const MARKER = Symbol.for('hyperdht-ts.holepunch.error')

/**
 * The one error class of `@hyperdht-ts/holepunch`. Recognise it with `code`, and across
 * duplicate installs of the package with `HolepunchError.isInstance(err)`.
 */
export class HolepunchError extends Error {
  /** What went wrong, as a stable string code. */
  readonly code: HolepunchErrorCode
  /** The remote peer the error is about, when there is one. */
  readonly peer: Peer | undefined
  /** With `RATE_LIMITED`: ms until the other side expects to accept again, when it said. */
  readonly retryAfter: number | undefined

  constructor (code: HolepunchErrorCode, message: string, options: HolepunchErrorOptions = {}) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause })
    this.code = code
    this.peer = options.peer
    this.retryAfter = options.retryAfter
  }

  override get name (): string {
    return 'HolepunchError'
  }

  get [MARKER] (): true {
    return true
  }

  /** True for any `HolepunchError`, even one created by another copy of this package. */
  static isInstance (value: unknown): value is HolepunchError {
    return typeof value === 'object' && value !== null && (value as Record<symbol, unknown>)[MARKER] === true
  }

  /** No peer announces the key, or the lookup found none that answered. */
  static PEER_NOT_FOUND (message = 'No peer found', peer?: Peer): HolepunchError {
    return new HolepunchError('PEER_NOT_FOUND', message, { peer })
  }

  /** Every attempt of the punch plan failed (or the plan had none left). */
  static HOLEPUNCH_FAILED (message = 'Hole punching failed', options: HolepunchErrorOptions = {}): HolepunchError {
    return new HolepunchError('HOLEPUNCH_FAILED', message, options)
  }

  /** Both peers have a random (symmetric) NAT mapping: no bounded punch can connect them. */
  static BOTH_NATS_RANDOM (peer?: Peer): HolepunchError {
    return new HolepunchError('BOTH_NATS_RANDOM', 'Both peers are behind NATs with random port mappings', { peer })
  }

  /** The caller's `AbortSignal` fired; `cause` is its reason. */
  static ABORTED (reason?: unknown): HolepunchError {
    return new HolepunchError('ABORTED', 'Operation aborted', { cause: reason })
  }

  /** An operation did not finish in its time budget. */
  static TIMEOUT (message = 'Operation timed out', peer?: Peer): HolepunchError {
    return new HolepunchError('TIMEOUT', message, { peer })
  }

  /** The remote peer went silent (or stopped acknowledging) for longer than the idle timeout. */
  static CONNECTION_LOST (message = 'Connection lost', peer?: Peer): HolepunchError {
    return new HolepunchError('CONNECTION_LOST', message, { peer })
  }

  /** The connection was closed (locally or by the remote peer) before the operation finished. */
  static CONNECTION_CLOSED (message = 'Connection closed', peer?: Peer): HolepunchError {
    return new HolepunchError('CONNECTION_CLOSED', message, { peer })
  }

  /** The object was destroyed. */
  static DESTROYED (what = 'Object'): HolepunchError {
    return new HolepunchError('DESTROYED', `${what} was destroyed`)
  }

  /** An argument or option is of the wrong type or out of range. */
  static INVALID_ARGUMENT (message: string, cause?: unknown): HolepunchError {
    return new HolepunchError('INVALID_ARGUMENT', message, { cause })
  }

  /** A limiter refused: too many attempts in the window, or one is already running. */
  static RATE_LIMITED (message = 'Rate limited', peer?: Peer, retryAfter?: number): HolepunchError {
    return new HolepunchError('RATE_LIMITED', message, { peer, retryAfter })
  }

  /** A message is larger than the connection's `maxMessageSize`. */
  static MESSAGE_TOO_LARGE (size: number, max: number): HolepunchError {
    return new HolepunchError('MESSAGE_TOO_LARGE', `Message is ${size} bytes, the limit is ${max}`)
  }

  /** The send queue of a connection is full (`maxQueue` messages wait for the window). */
  static QUEUE_FULL (max: number): HolepunchError {
    return new HolepunchError('QUEUE_FULL', `Send queue is full (${max} messages)`)
  }

  /** Bytes that are not a valid connection frame. */
  static INVALID_FRAME (message: string): HolepunchError {
    return new HolepunchError('INVALID_FRAME', message)
  }

  /** Port mapping is on but its optional library (`@achingbrain/nat-port-mapper`) cannot be loaded. */
  static PORT_MAPPING_UNAVAILABLE (cause?: unknown): HolepunchError {
    return new HolepunchError('PORT_MAPPING_UNAVAILABLE', 'Port mapping needs the optional dependency @achingbrain/nat-port-mapper (npm install @achingbrain/nat-port-mapper)', { cause })
  }

  /** No gateway granted a port mapping (none answered, or each refused); `cause` is the last refusal. */
  static PORT_MAPPING_FAILED (message = 'Port mapping failed', cause?: unknown): HolepunchError {
    return new HolepunchError('PORT_MAPPING_FAILED', message, { cause })
  }
}
