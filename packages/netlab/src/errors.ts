/** Every error code this package produces. */
export type NetlabErrorCode =
  | 'UNSUPPORTED'
  | 'COMMAND_FAILED'
  | 'TIMEOUT'
  | 'ABORTED'
  | 'PROCESS_EXITED'
  | 'DESTROYED'
  | 'INVALID_ARGUMENT'
  | 'TEARDOWN_FAILED'

const MARKER = Symbol.for('hyperdht-ts.netlab.error')

export interface NetlabErrorOptions {
  cause?: unknown
}

/**
 * The one error class of `@hyperdht-ts/netlab`. Recognise it with `code`, and across duplicate
 * copies of the package with `NetlabError.isInstance(err)`.
 */
export class NetlabError extends Error {
  readonly code: NetlabErrorCode

  constructor (code: NetlabErrorCode, message: string, options: NetlabErrorOptions = {}) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause })
    this.code = code
  }

  override get name (): string {
    return 'NetlabError'
  }

  get [MARKER] (): true {
    return true
  }

  /** True for any `NetlabError`, even one created by another copy of this package. */
  static isInstance (value: unknown): value is NetlabError {
    return typeof value === 'object' && value !== null && (value as Record<symbol, unknown>)[MARKER] === true
  }

  /** Not root, or a needed tool (`ip netns`, `iptables`) is missing: the reason says which. */
  static UNSUPPORTED (reason: string): NetlabError {
    return new NetlabError('UNSUPPORTED', `Network lab unavailable: ${reason}`)
  }

  static COMMAND_FAILED (command: string, detail: string, cause?: unknown): NetlabError {
    return new NetlabError('COMMAND_FAILED', `Command failed: ${command}: ${detail}`, { cause })
  }

  static TIMEOUT (what: string, ms: number, detail = ''): NetlabError {
    return new NetlabError('TIMEOUT', `Timed out after ${ms} ms waiting for ${what}${detail === '' ? '' : `\n${detail}`}`)
  }

  static ABORTED (reason?: unknown): NetlabError {
    return new NetlabError('ABORTED', 'Aborted', { cause: reason })
  }

  static PROCESS_EXITED (what: string, detail = ''): NetlabError {
    return new NetlabError('PROCESS_EXITED', `${what}${detail === '' ? '' : `\n${detail}`}`)
  }

  static DESTROYED (cause?: unknown): NetlabError {
    return new NetlabError('DESTROYED', 'The lab was destroyed', { cause })
  }

  static INVALID_ARGUMENT (message: string): NetlabError {
    return new NetlabError('INVALID_ARGUMENT', message)
  }

  static TEARDOWN_FAILED (errors: unknown[]): NetlabError {
    const lines = errors.map((err) => `- ${err instanceof Error ? err.message : String(err)}`)
    return new NetlabError('TEARDOWN_FAILED', `Teardown left errors:\n${lines.join('\n')}`, { cause: errors })
  }
}
