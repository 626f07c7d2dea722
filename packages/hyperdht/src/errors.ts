/** Every `code` a {@link HyperDHTError} can carry. */
export type HyperDHTErrorCode =
  | 'INVALID_ARGUMENT'
  | 'VALUE_TOO_LARGE'
  | 'SEQ_TOO_LOW'
  | 'INVALID_SIGNATURE'
  | 'NOT_STORED'
  | 'NO_NODES_RESPONDED'
  | 'NO_CLOSE_NODES_RESPONDED'
  | 'QUERY_FAILED'
  | 'ABORTED'
  | 'DESTROYED'

const MARKER = Symbol.for('hyperdht-ts.hyperdht.error')

/**
 * The one error class of `@hyperdht-ts/hyperdht`. Recognisable across duplicate installs with
 * {@link HyperDHTError.isInstance}.
 */
export class HyperDHTError extends Error {
  readonly code: HyperDHTErrorCode
  /** Extra machine-readable details (for example the newer `seq` that refused a put). */
  readonly details: Readonly<Record<string, unknown>> | undefined

  constructor (code: HyperDHTErrorCode, message: string, options: { cause?: unknown, details?: Record<string, unknown> } = {}) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause })
    this.name = 'HyperDHTError'
    this.code = code
    this.details = options.details
  }

  get [MARKER] (): true {
    return true
  }

  /** True for any `HyperDHTError`, even one created by another copy of this package. */
  static isInstance (value: unknown): value is HyperDHTError {
    return typeof value === 'object' && value !== null && (value as Record<symbol, unknown>)[MARKER] === true
  }

  static invalidArgument (message: string): HyperDHTError {
    return new HyperDHTError('INVALID_ARGUMENT', message)
  }

  static valueTooLarge (size: number, max: number, what = 'value'): HyperDHTError {
    return new HyperDHTError('VALUE_TOO_LARGE', `${what} is ${size} bytes, the limit is ${max}`, { details: { size, max } })
  }

  static seqTooLow (seq: number, current: number): HyperDHTError {
    return new HyperDHTError('SEQ_TOO_LOW', `seq ${seq} is not higher than the stored seq ${current} of a different value`, { details: { seq, current } })
  }

  static invalidSignature (): HyperDHTError {
    return new HyperDHTError('INVALID_SIGNATURE', 'a signature made with keyPair.secretKey does not verify against keyPair.publicKey')
  }

  static notStored (what: string): HyperDHTError {
    return new HyperDHTError('NOT_STORED', `no node stored the ${what}`)
  }

  static aborted (cause?: unknown): HyperDHTError {
    return new HyperDHTError('ABORTED', 'operation aborted', { cause })
  }

  static destroyed (): HyperDHTError {
    return new HyperDHTError('DESTROYED', 'node is destroyed')
  }

  /** Wraps an error of the dht-rpc layer, keeping its `NO_*` codes. */
  static fromQuery (cause: unknown): HyperDHTError {
    if (HyperDHTError.isInstance(cause)) return cause
    const code = (cause as { code?: unknown } | null)?.code
    const name = (cause as { name?: unknown } | null)?.name
    if (code === 'NO_NODES_RESPONDED') return new HyperDHTError('NO_NODES_RESPONDED', 'no nodes responded', { cause })
    if (code === 'NO_CLOSE_NODES_RESPONDED') return new HyperDHTError('NO_CLOSE_NODES_RESPONDED', 'no close nodes responded', { cause })
    if (code === 'DESTROYED') return new HyperDHTError('DESTROYED', 'node is destroyed', { cause })
    if (name === 'AbortError' || code === 'ABORT_ERR' || code === 'ABORTED' || code === 'REQUEST_CANCELLED') return HyperDHTError.aborted(cause)
    const message = cause instanceof Error ? cause.message : String(cause)
    return new HyperDHTError('QUERY_FAILED', `query failed: ${message}`, { cause })
  }
}
