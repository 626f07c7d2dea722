import { CLIError } from './errors.js'

/** What the command was doing, so an error can be told in the user's terms. */
export interface ErrorContext {
  /** Bootstrap addresses in use. */
  bootstrap?: string[]
  /** The socket we tried to bind. */
  host?: string
  port?: number
}

/**
 * Turns any error (ours, a library's `code`d error, a system error) into a {@link CLIError}
 * whose message is one human line. Library errors are recognised by their stable `code`.
 */
export function explain (err: unknown, ctx: ErrorContext = {}): CLIError {
  if (CLIError.isInstance(err)) return err
  const code = codeOf(err)
  const message = firstLine(err)
  switch (code) {
    case 'ADDRESS_IN_USE':
    case 'EADDRINUSE':
      return CLIError.ADDRESS_IN_USE(ctx.host, ctx.port ?? 0, err)
    case 'LISTEN_FAILED':
    case 'EADDRNOTAVAIL':
    case 'EACCES':
      return CLIError.LISTEN_FAILED(ctx.host, ctx.port ?? 0, causeMessage(err), err)
    case 'BOOTSTRAP_FAILED':
      return CLIError.BOOTSTRAP_FAILED(bootstrapWhy(err, ctx.bootstrap ?? []), err)
    case 'NO_NODES_RESPONDED':
      return CLIError.NO_ANSWER('no node of the network answered', err)
    case 'NO_CLOSE_NODES_RESPONDED':
      return CLIError.NO_ANSWER('none of the closest nodes answered the update', err)
    case 'NOT_STORED':
      return CLIError.FAILED(`${message} (do the nodes of this network store values?)`, err)
    case 'REQUEST_TIMEOUT':
      return CLIError.NO_ANSWER('no answer (request timed out)', err)
    case 'ENOTFOUND':
    case 'EAI_AGAIN':
      return CLIError.BAD_ADDRESS(hostnameOf(err) ?? 'host', 'the host name does not resolve')
    case 'INVALID_ARGUMENT':
    case 'VALUE_TOO_LARGE':
      return CLIError.BAD_VALUE(message)
    default:
      return CLIError.FAILED(message, err)
  }
}

function bootstrapWhy (err: unknown, bootstrap: string[]): string {
  const cause = (err as { cause?: unknown }).cause
  const list = bootstrap.join(', ')
  const code = codeOf(cause)
  if (code === 'ENOTFOUND' || code === 'EAI_AGAIN' || cause instanceof AggregateError) {
    return `the bootstrap host${bootstrap.length > 1 ? 's' : ''} ${list} did not resolve`
  }
  return `no bootstrap node answered (${list}; is \`hyperdht testnet\` or a bootstrap server running there?)`
}

function codeOf (err: unknown): string | undefined {
  const code = (err as { code?: unknown } | null)?.code
  return typeof code === 'string' ? code : undefined
}

function hostnameOf (err: unknown): string | undefined {
  const h = (err as { hostname?: unknown } | null)?.hostname
  return typeof h === 'string' ? h : undefined
}

function causeMessage (err: unknown): string {
  const cause = (err as { cause?: unknown }).cause
  const c = codeOf(cause)
  if (c === 'EADDRNOTAVAIL') return 'that address is not on this machine'
  if (c === 'EACCES') return 'permission denied'
  return firstLine(cause ?? err)
}

/** The first line of an error's message (library messages are one line already). */
export function firstLine (err: unknown): string {
  const msg = err instanceof Error ? err.message : String(err)
  return (msg.split('\n')[0] ?? '').trim() || 'unknown error'
}
