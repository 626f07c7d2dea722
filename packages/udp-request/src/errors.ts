import type { Peer } from './types.js'

/** Every error code this package produces. */
export type UDPRequestErrorCode =
  | 'REQUEST_TIMEOUT'
  | 'REQUEST_CANCELLED'
  | 'DESTROYED'
  | 'ADDRESS_IN_USE'
  | 'LISTEN_FAILED'
  | 'NOT_LISTENING'
  | 'INVALID_ARGUMENT'
  | 'TOO_MANY_REQUESTS'
  | 'ENCODE_FAILED'
  | 'SEND_FAILED'
  | 'MESSAGE_TOO_SHORT'
  | 'DECODE_FAILED'
  | 'WRONG_HOST'
  | 'SOCKET_ERROR'

const MARKER = Symbol.for('hyperdht-ts.udp-request.error')

export interface UDPRequestErrorOptions {
  cause?: unknown
  /** The remote peer the error is about, when there is one. */
  peer?: Peer
}

/**
 * The one error class of `@hyperdht-ts/udp-request`. Recognise it with `code`, and across
 * duplicate installs of the package with `UDPRequestError.isInstance(err)`.
 */
export class UDPRequestError extends Error {
  readonly code: UDPRequestErrorCode
  readonly peer: Peer | undefined

  constructor (code: UDPRequestErrorCode, message: string, options: UDPRequestErrorOptions = {}) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause })
    this.code = code
    this.peer = options.peer
  }

  override get name (): string {
    return 'UDPRequestError'
  }

  get [MARKER] (): true {
    return true
  }

  /** True for any `UDPRequestError`, even one created by another copy of this package. */
  static isInstance (value: unknown): value is UDPRequestError {
    return typeof value === 'object' && value !== null && (value as Record<symbol, unknown>)[MARKER] === true
  }

  static REQUEST_TIMEOUT (peer?: Peer): UDPRequestError {
    return new UDPRequestError('REQUEST_TIMEOUT', `Request timed out${at(peer)}`, { peer })
  }

  static REQUEST_CANCELLED (reason?: unknown, peer?: Peer): UDPRequestError {
    return new UDPRequestError('REQUEST_CANCELLED', 'Request cancelled', { cause: reason, peer })
  }

  static DESTROYED (): UDPRequestError {
    return new UDPRequestError('DESTROYED', 'UDPRequest was destroyed')
  }

  static ADDRESS_IN_USE (cause: unknown, port: number, host?: string): UDPRequestError {
    return new UDPRequestError('ADDRESS_IN_USE', `Address in use: ${host ?? '*'}:${port}`, { cause })
  }

  static LISTEN_FAILED (cause: unknown, port: number, host?: string): UDPRequestError {
    return new UDPRequestError('LISTEN_FAILED', `Could not listen on ${host ?? '*'}:${port}: ${messageOf(cause)}`, { cause })
  }

  static NOT_LISTENING (cause?: unknown): UDPRequestError {
    return new UDPRequestError('NOT_LISTENING', 'Socket is not bound', { cause })
  }

  static INVALID_ARGUMENT (message: string, cause?: unknown): UDPRequestError {
    return new UDPRequestError('INVALID_ARGUMENT', message, { cause })
  }

  static TOO_MANY_REQUESTS (): UDPRequestError {
    return new UDPRequestError('TOO_MANY_REQUESTS', 'Every transaction id is in use')
  }

  static ENCODE_FAILED (cause: unknown): UDPRequestError {
    return new UDPRequestError('ENCODE_FAILED', `Could not encode message: ${messageOf(cause)}`, { cause })
  }

  static SEND_FAILED (cause: unknown, peer?: Peer): UDPRequestError {
    return new UDPRequestError('SEND_FAILED', `Could not send${at(peer)}: ${messageOf(cause)}`, { cause, peer })
  }

  static MESSAGE_TOO_SHORT (length: number, peer?: Peer): UDPRequestError {
    return new UDPRequestError('MESSAGE_TOO_SHORT', `Dropped a ${length}-byte datagram${from(peer)}`, { peer })
  }

  static DECODE_FAILED (cause: unknown, peer?: Peer): UDPRequestError {
    return new UDPRequestError('DECODE_FAILED', `Dropped an undecodable datagram${from(peer)}: ${messageOf(cause)}`, { cause, peer })
  }

  static WRONG_HOST (peer: Peer, expected: Peer): UDPRequestError {
    return new UDPRequestError('WRONG_HOST', `Ignored a response${from(peer)} for a request sent to ${expected.host}:${expected.port}`, { peer })
  }

  static SOCKET_ERROR (cause: unknown): UDPRequestError {
    return new UDPRequestError('SOCKET_ERROR', `Socket error: ${messageOf(cause)}`, { cause })
  }
}

function at (peer?: Peer): string {
  return peer === undefined ? '' : ` (${peer.host}:${peer.port})`
}

function from (peer?: Peer): string {
  return peer === undefined ? '' : ` from ${peer.host}:${peer.port}`
}

function messageOf (err: unknown): string {
  return err instanceof Error ? err.message : String(err)
}
