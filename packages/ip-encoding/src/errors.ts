/**
 * The one error class of `@hyperdht-ts/ip-encoding`.
 *
 * Every failure of this package is an {@link IpEncodingError} with a `code` from
 * {@link IpEncodingErrorCode}. Instances are recognisable across duplicate installs of the
 * package through a `Symbol.for` marker: use {@link IpEncodingError.isInstance} rather than
 * `instanceof` when the error may come from another copy of the package.
 */

/** Every code an {@link IpEncodingError} can carry. */
export type IpEncodingErrorCode =
  | 'INVALID_LENGTH'
  | 'INVALID_HOST'
  | 'INVALID_PORT'
  | 'INVALID_ID'
  | 'INVALID_ARGUMENT'

const MARKER: unique symbol = Symbol.for('hyperdht-ts.ip-encoding.error') as never

export class IpEncodingError extends Error {
  /** What went wrong, as a stable string code. */
  readonly code: IpEncodingErrorCode

  constructor (code: IpEncodingErrorCode, message: string, options?: { cause?: unknown }) {
    super(message, options)
    this.code = code
  }

  /** True for an {@link IpEncodingError} from any copy of this package. */
  static isInstance (value: unknown): value is IpEncodingError {
    return typeof value === 'object' && value !== null && (value as Record<symbol, unknown>)[MARKER] === true
  }

  /** A buffer that is truncated, not a whole number of entries, or of the wrong size. */
  static INVALID_LENGTH (message = 'invalid byte length', cause?: unknown): IpEncodingError {
    return create('INVALID_LENGTH', message, cause, IpEncodingError.INVALID_LENGTH)
  }

  /** A host that is not a valid address for the codec (malformed, wrong family, zone id). */
  static INVALID_HOST (message = 'invalid host', cause?: unknown): IpEncodingError {
    return create('INVALID_HOST', message, cause, IpEncodingError.INVALID_HOST)
  }

  /** A port that is not an integer in 1..65535 (port 0 included, on encode and on decode). */
  static INVALID_PORT (message = 'invalid port', cause?: unknown): IpEncodingError {
    return create('INVALID_PORT', message, cause, IpEncodingError.INVALID_PORT)
  }

  /** A node id that is not a `Uint8Array` of the codec's `idLength`. */
  static INVALID_ID (message = 'invalid node id', cause?: unknown): IpEncodingError {
    return create('INVALID_ID', message, cause, IpEncodingError.INVALID_ID)
  }

  /** An argument of the wrong type or an invalid option (family, idLength, offset, prefix). */
  static INVALID_ARGUMENT (message = 'invalid argument', cause?: unknown): IpEncodingError {
    return create('INVALID_ARGUMENT', message, cause, IpEncodingError.INVALID_ARGUMENT)
  }
}

Object.defineProperty(IpEncodingError.prototype, MARKER, { value: true })
Object.defineProperty(IpEncodingError.prototype, 'name', { value: 'IpEncodingError', writable: true, configurable: true })

function create (code: IpEncodingErrorCode, message: string, cause: unknown, factory: (...args: never[]) => unknown): IpEncodingError {
  const err = cause === undefined ? new IpEncodingError(code, message) : new IpEncodingError(code, message, { cause })
  if (typeof Error.captureStackTrace === 'function') Error.captureStackTrace(err, factory)
  return err
}
