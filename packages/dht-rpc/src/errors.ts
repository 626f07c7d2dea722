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

/** The one error class of dht-rpc. Recognise it across duplicate installs with `DHTError.isInstance(err)`. */
export class DHTError extends Error {
  readonly code: DHTErrorCode

  constructor (code: DHTErrorCode, message: string, options?: { cause?: unknown }) {
    super(message, options)
    this.name = 'DHTError'
    this.code = code
  }

  get [MARKER] (): true {
    return true
  }

  /** True for any `DHTError`, even one from another copy of this package. */
  static isInstance (err: unknown): err is DHTError {
    return typeof err === 'object' && err !== null && (err as Record<symbol, unknown>)[MARKER] === true
  }

  static NO_NODES_RESPONDED (): DHTError {
    return new DHTError('NO_NODES_RESPONDED', 'No nodes responded')
  }

  static NO_CLOSE_NODES_RESPONDED (): DHTError {
    return new DHTError('NO_CLOSE_NODES_RESPONDED', 'No close nodes responded')
  }

  static QUEUE_FULL (max: number): DHTError {
    return new DHTError('QUEUE_FULL', `Request queue is full (${max} waiting)`)
  }

  static DESTROYED (): DHTError {
    return new DHTError('DESTROYED', 'DHT was destroyed')
  }

  static INVALID_ARGUMENT (msg: string): DHTError {
    return new DHTError('INVALID_ARGUMENT', msg)
  }

  static REQUEST_TIMEOUT (cause?: unknown): DHTError {
    return new DHTError('REQUEST_TIMEOUT', 'Request timed out', { cause })
  }

  static REQUEST_CANCELLED (cause?: unknown): DHTError {
    return new DHTError('REQUEST_CANCELLED', 'Request cancelled', { cause })
  }

  static REQUEST_FAILED (cause?: unknown): DHTError {
    return new DHTError('REQUEST_FAILED', 'Request failed', { cause })
  }

  static INVALID_RESPONSE (msg: string): DHTError {
    return new DHTError('INVALID_RESPONSE', msg)
  }

  static ABORTED (cause?: unknown): DHTError {
    return new DHTError('ABORTED', 'Aborted', { cause })
  }

  /** Bootstrap nodes were configured and none answered; `cause` is the DNS error or `NO_NODES_RESPONDED`. */
  static BOOTSTRAP_FAILED (cause: unknown): DHTError {
    return new DHTError('BOOTSTRAP_FAILED', 'Bootstrap failed: no bootstrap node could be reached', { cause })
  }
}
