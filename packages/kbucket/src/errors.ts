import { KBUCKET_ERROR_MARKER } from './constants.js'

/** Every code a {@link KBucketError} can carry. */
export type KBucketErrorCode =
  | 'INVALID_OPTION'
  | 'INVALID_CONTACT'
  | 'INVALID_ID'
  | 'INVALID_COUNT'

export interface KBucketErrorOptions {
  cause?: unknown
}

/** The one error class of `@hyperdht-ts/kbucket`; branch on `code`. */
export class KBucketError extends Error {
  readonly code: KBucketErrorCode

  constructor (code: KBucketErrorCode, message: string, options: KBucketErrorOptions = {}) {
    super(message, 'cause' in options ? { cause: options.cause } : undefined)
    this.name = 'KBucketError'
    this.code = code
  }

  /** True for any `KBucketError`, even one created by another copy of this package. */
  static isInstance (value: unknown): value is KBucketError {
    return typeof value === 'object' && value !== null &&
      (value as Record<symbol, unknown>)[KBUCKET_ERROR_MARKER] === true
  }

  /** A constructor option has the wrong type or range. */
  static INVALID_OPTION (message = 'Invalid option', options?: KBucketErrorOptions): KBucketError {
    return new KBucketError('INVALID_OPTION', message, options)
  }

  /** `add()` was given something that is not an object with a `Uint8Array` id. */
  static INVALID_CONTACT (message = 'Invalid contact', options?: KBucketErrorOptions): KBucketError {
    return new KBucketError('INVALID_CONTACT', message, options)
  }

  /** `get()`, `remove()` or `closest()` was given an id that is not a `Uint8Array`. */
  static INVALID_ID (message = 'Invalid id', options?: KBucketErrorOptions): KBucketError {
    return new KBucketError('INVALID_ID', message, options)
  }

  /** `closest()` was given a count that is not a positive integer or `Infinity`. */
  static INVALID_COUNT (message = 'Invalid count', options?: KBucketErrorOptions): KBucketError {
    return new KBucketError('INVALID_COUNT', message, options)
  }
}

Object.defineProperty(KBucketError.prototype, KBUCKET_ERROR_MARKER, { value: true })
