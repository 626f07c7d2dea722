import { EXIT_FAILURE, EXIT_INTERRUPTED, EXIT_USAGE } from './constants.js'

/** Every `code` a {@link CLIError} can carry. */
export type CLIErrorCode =
  | 'USAGE'
  | 'BAD_KEY'
  | 'BAD_ADDRESS'
  | 'BAD_VALUE'
  | 'BAD_CONFIG'
  | 'BAD_KEY_FILE'
  | 'FILE_EXISTS'
  | 'BOOTSTRAP_FAILED'
  | 'ADDRESS_IN_USE'
  | 'LISTEN_FAILED'
  | 'NOT_FOUND'
  | 'NO_ANSWER'
  | 'FAILED'
  | 'INTERRUPTED'

export interface CLIErrorOptions {
  cause?: unknown
}

const MARKER = Symbol.for('hyperdht-ts.cli.error')

/** Codes that mean "the command line was wrong" (exit 2); the others mean "it failed" (exit 1). */
const USAGE_CODES = new Set<CLIErrorCode>(['USAGE', 'BAD_KEY', 'BAD_ADDRESS', 'BAD_VALUE', 'BAD_CONFIG', 'BAD_KEY_FILE', 'FILE_EXISTS'])

/**
 * The one error class of the command. Its message is the one line printed on stderr, so it says
 * what went wrong in the user's terms (flags, addresses), not the library's.
 */
export class CLIError extends Error {
  readonly code: CLIErrorCode

  constructor (code: CLIErrorCode, message: string, options: CLIErrorOptions = {}) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause })
    this.name = 'CLIError'
    this.code = code
  }

  get [MARKER] (): true {
    return true
  }

  /** The process exit code for this error. */
  get exitCode (): number {
    if (this.code === 'INTERRUPTED') return EXIT_INTERRUPTED
    return USAGE_CODES.has(this.code) ? EXIT_USAGE : EXIT_FAILURE
  }

  static isInstance (value: unknown): value is CLIError {
    return typeof value === 'object' && value !== null && (value as Record<symbol, unknown>)[MARKER] === true
  }

  static USAGE (message: string): CLIError {
    return new CLIError('USAGE', message)
  }

  static BAD_KEY (what: string, input: string, expected: string): CLIError {
    return new CLIError('BAD_KEY', `bad ${what} "${clip(input)}": expected ${expected}`)
  }

  static BAD_ADDRESS (input: string, why: string): CLIError {
    return new CLIError('BAD_ADDRESS', `bad address "${clip(input)}": ${why}`)
  }

  static BAD_VALUE (message: string): CLIError {
    return new CLIError('BAD_VALUE', message)
  }

  static BAD_CONFIG (file: string, why: string, cause?: unknown): CLIError {
    return new CLIError('BAD_CONFIG', `config file ${file}: ${why}`, { cause })
  }

  static BAD_KEY_FILE (file: string, why: string, cause?: unknown): CLIError {
    return new CLIError('BAD_KEY_FILE', `key file ${file}: ${why}`, { cause })
  }

  static FILE_EXISTS (file: string): CLIError {
    return new CLIError('FILE_EXISTS', `${file} already exists (use --force to overwrite it)`)
  }

  static BOOTSTRAP_FAILED (why: string, cause?: unknown): CLIError {
    return new CLIError('BOOTSTRAP_FAILED', `could not join the network: ${why}`, { cause })
  }

  static ADDRESS_IN_USE (host: string | undefined, port: number, cause?: unknown): CLIError {
    return new CLIError('ADDRESS_IN_USE', `port ${port} is already in use on ${host ?? 'this machine'} (pick another with --listen-port/--port, or 0 for any)`, { cause })
  }

  static LISTEN_FAILED (host: string | undefined, port: number, why: string, cause?: unknown): CLIError {
    return new CLIError('LISTEN_FAILED', `cannot listen on ${host ?? '*'}:${port}: ${why}`, { cause })
  }

  static NOT_FOUND (message: string): CLIError {
    return new CLIError('NOT_FOUND', message)
  }

  static NO_ANSWER (message: string, cause?: unknown): CLIError {
    return new CLIError('NO_ANSWER', message, { cause })
  }

  static FAILED (message: string, cause?: unknown): CLIError {
    return new CLIError('FAILED', message, { cause })
  }

  /**
   * SIGINT or SIGTERM stopped the command: the reason of the abort that stops a long-running
   * command (see signals.ts), which treats it as a clean stop rather than printing it.
   */
  static INTERRUPTED (signal: NodeJS.Signals): CLIError {
    return new CLIError('INTERRUPTED', `stopped by ${signal}`)
  }
}

/** Shortens user input quoted in a one-line message. */
function clip (input: string): string {
  return input.length > 80 ? `${input.slice(0, 77)}...` : input
}
