/** Every `code` a {@link BootstrapError} can carry. */
export type BootstrapErrorCode = 'USAGE' | 'ADDRESS_IN_USE' | 'LISTEN_FAILED' | 'HTTP_LISTEN_FAILED' | 'TRANSPORT_UNAVAILABLE'

const MARKER = Symbol.for('hyperdht-ts.bootstrap.error')

/** The one error class of the server. Its message is the one line printed before exiting. */
export class BootstrapError extends Error {
  readonly code: BootstrapErrorCode

  constructor (code: BootstrapErrorCode, message: string, options: { cause?: unknown } = {}) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause })
    this.name = 'BootstrapError'
    this.code = code
  }

  get [MARKER] (): true {
    return true
  }

  static isInstance (value: unknown): value is BootstrapError {
    return typeof value === 'object' && value !== null && (value as Record<symbol, unknown>)[MARKER] === true
  }

  static USAGE (message: string): BootstrapError {
    return new BootstrapError('USAGE', message)
  }

  static ADDRESS_IN_USE (what: string, host: string, port: number, cause?: unknown): BootstrapError {
    return new BootstrapError('ADDRESS_IN_USE', `${what} port ${port} is already in use on ${host}`, { cause })
  }

  static LISTEN_FAILED (host: string, port: number, why: string, cause?: unknown): BootstrapError {
    return new BootstrapError('LISTEN_FAILED', `cannot listen on ${host}:${port}: ${why}`, { cause })
  }

  static TRANSPORT_UNAVAILABLE (transport: string, why: string, cause?: unknown): BootstrapError {
    return new BootstrapError('TRANSPORT_UNAVAILABLE', `cannot use --transport ${transport}: ${why}`, { cause })
  }

  static HTTP_LISTEN_FAILED (host: string, port: number, why: string, cause?: unknown): BootstrapError {
    return new BootstrapError('HTTP_LISTEN_FAILED', `cannot start the HTTP admin endpoint on ${host}:${port}: ${why}`, { cause })
  }
}
