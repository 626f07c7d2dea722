import type { Peer } from '@hyperdht-ts/ip-encoding'

const MARKER = Symbol.for('hyperdht-ts.dht-rpc.error')

/** Every error code this package produces. */
export type DHTErrorCode =
  | 'NO_NODES_RESPONDED'
  | 'NO_CLOSE_NODES_RESPONDED'
  | 'QUEUE_FULL'
  | 'DESTROYED'
  | 'INVALID_ARGUMENT'
  | 'REQUEST_TIMEOUT'
  | 'REQUEST_CANCELLED'
  | 'REQUEST_FAILED'
  | 'INVALID_RESPONSE'
  | 'ABORTED'
  | 'BOOTSTRAP_FAILED'
  | 'QUERY_FAILED'
  | 'ALREADY_ITERATED'
  | 'VALUE_TOO_LARGE'
  | 'SOCKET_ERROR'

export interface DHTErrorOptions {
  cause?: unknown
  /** The remote node the error is about, when there is one. */
  peer?: Peer
}

/** The one error class of dht-rpc. Recognise it across duplicate installs with `DHTError.isInstance(err)`. */
export class DHTError extends Error {
  readonly code: DHTErrorCode
  readonly peer: Peer | undefined

  constructor (code: DHTErrorCode, message: string, options: DHTErrorOptions = {}) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause })
    this.code = code
    this.peer = options.peer
  }

  override get name (): string {
    return 'DHTError'
  }

  get [MARKER] (): true {
    return true
  }

  /** True for any `DHTError`, even one from another copy of this package. */
  static isInstance (value: unknown): value is DHTError {
    return typeof value === 'object' && value !== null && (value as Record<symbol, unknown>)[MARKER] === true
  }

  /** Nobody answered; `cause` is an `AggregateError` of the per-node errors when there were any. */
  static NO_NODES_RESPONDED (cause?: unknown): DHTError {
    return new DHTError('NO_NODES_RESPONDED', 'No nodes responded', { cause })
  }

  static NO_CLOSE_NODES_RESPONDED (): DHTError {
    return new DHTError('NO_CLOSE_NODES_RESPONDED', 'No close nodes responded')
  }

  static QUEUE_FULL (max: number, peer?: Peer): DHTError {
    return new DHTError('QUEUE_FULL', `Request queue is full (${max} waiting)`, { peer })
  }

  static DESTROYED (): DHTError {
    return new DHTError('DESTROYED', 'DHT was destroyed')
  }

  static INVALID_ARGUMENT (message: string, cause?: unknown): DHTError {
    return new DHTError('INVALID_ARGUMENT', message, { cause })
  }

  static REQUEST_TIMEOUT (cause?: unknown, peer?: Peer): DHTError {
    return new DHTError('REQUEST_TIMEOUT', `Request timed out${at(peer)}`, { cause, peer })
  }

  static REQUEST_CANCELLED (cause?: unknown, peer?: Peer): DHTError {
    return new DHTError('REQUEST_CANCELLED', `Request cancelled${at(peer)}`, { cause, peer })
  }

  static REQUEST_FAILED (cause?: unknown, peer?: Peer): DHTError {
    return new DHTError('REQUEST_FAILED', `Request failed${at(peer)}: ${messageOf(cause)}`, { cause, peer })
  }

  static INVALID_RESPONSE (message: string, peer?: Peer): DHTError {
    return new DHTError('INVALID_RESPONSE', message, { peer })
  }

  static ABORTED (cause?: unknown): DHTError {
    return new DHTError('ABORTED', 'Aborted', { cause })
  }

  /** Bootstrap nodes were configured and none answered; `cause` is the DNS error or `NO_NODES_RESPONDED`. */
  static BOOTSTRAP_FAILED (cause: unknown): DHTError {
    return new DHTError('BOOTSTRAP_FAILED', 'Bootstrap failed: no bootstrap node could be reached', { cause })
  }

  /** Something in the query's own machinery threw (a `map` function, for example): `cause` says what. */
  static QUERY_FAILED (cause: unknown): DHTError {
    return new DHTError('QUERY_FAILED', `Query failed: ${messageOf(cause)}`, { cause })
  }

  /** A query runs once: its second iterator is refused (run `dht.query()` again instead). */
  static ALREADY_ITERATED (): DHTError {
    return new DHTError('ALREADY_ITERATED', 'A query can be iterated only once; call dht.query() again for a new run')
  }

  static VALUE_TOO_LARGE (size: number, max: number): DHTError {
    return new DHTError('VALUE_TOO_LARGE', `value is ${size} bytes, the limit is ${max}`)
  }

  /** The socket failed for good (not one datagram): the node was destroyed. */
  static SOCKET_ERROR (cause: unknown): DHTError {
    return new DHTError('SOCKET_ERROR', `Socket error: ${messageOf(cause)}`, { cause })
  }
}

function at (peer?: Peer): string {
  return peer === undefined ? '' : ` (${peer.host}:${peer.port})`
}

function messageOf (err: unknown): string {
  return err instanceof Error ? err.message : String(err)
}
