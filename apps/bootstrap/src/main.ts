import { Command, CommanderError, InvalidArgumentError, Option } from 'commander'
import type { LevelWithSilent } from 'pino'
import {
  DEFAULT_HOST,
  DEFAULT_HTTP_HOST,
  DEFAULT_LOG_LEVEL,
  DEFAULT_PORT,
  DEFAULT_RATE_BURST,
  DEFAULT_RATE_INTERVAL,
  DEFAULT_RATE_LIMIT,
  DEFAULT_SAVE_INTERVAL,
  DEFAULT_TRANSPORT,
  EXIT_FAILURE,
  EXIT_USAGE,
  LOG_LEVELS,
  MAX_RATE,
  SHUTDOWN_DEADLINE,
  TRANSPORTS
} from './constants.js'
import { BootstrapError } from './errors.js'
import { createLogger } from './logger.js'
import { BootstrapServer } from './server.js'

declare const __VERSION__: string | undefined

interface Flags {
  port: number
  host: string
  httpPort?: number
  httpHost: string
  stateFile?: string
  saveInterval: number
  rateInterval: number
  /** Requests a second per source IP, or false after `--no-rate-limit`. */
  rateLimit: number | false
  rateBurst: number
  logLevel: LevelWithSilent
  bootstrap: string[]
  pretty?: boolean
  transport: (typeof TRANSPORTS)[number]
}

const integer = (min: number, max: number) => (text: string): number => {
  if (!/^\d+$/.test(text) || Number(text) < min || Number(text) > max) throw new InvalidArgumentError(`expected a whole number from ${min} to ${max}`)
  return Number(text)
}

function program (): Command {
  return new Command('hyperdht-bootstrap')
    .description('A hyperdht-ts bootstrap server: a DHT node in server mode that new nodes join through, with an optional HTTP admin endpoint and a persisted routing table.')
    .version(typeof __VERSION__ === 'string' ? __VERSION__ : '0.0.0', '-V, --version')
    .option('-p, --port <port>', 'UDP port of the DHT node', integer(0, 65535), DEFAULT_PORT)
    .option('--host <address>', 'address the DHT node binds', DEFAULT_HOST)
    .option('--http-port <port>', 'serve /, /health, /metrics and /stats on this port (off by default)', integer(0, 65535))
    .option('--http-host <address>', 'address the HTTP admin endpoint binds', DEFAULT_HTTP_HOST)
    .option('--state-file <path>', 'keep the routing table in this file: written periodically and on shutdown, read at start')
    .option('--save-interval <seconds>', 'seconds between state-file writes', integer(1, 86_400), DEFAULT_SAVE_INTERVAL)
    .option('--rate-interval <ms>', 'milliseconds per point of the request-rate chart', integer(100, 3_600_000), DEFAULT_RATE_INTERVAL)
    .option('--rate-limit <requests/s>', 'requests a second one source IP may send, sustained: the excess is dropped and counted, and a source that keeps sending past it is ignored for minutes', integer(1, MAX_RATE), DEFAULT_RATE_LIMIT)
    .option('--rate-burst <n>', 'requests one source IP may send at once (the size of its bucket)', integer(1, MAX_RATE), DEFAULT_RATE_BURST)
    .option('--no-rate-limit', 'no per-source limit at all: for private networks only, never on the internet')
    .addOption(new Option('--transport <name>', 'UDP implementation: Node\'s dgram, or udx-native (a native module installed as an optional dependency; a few percent more requests answered a second)').choices(TRANSPORTS).default(DEFAULT_TRANSPORT))
    .addOption(new Option('--log-level <level>', 'least severe level logged').choices(LOG_LEVELS).default(DEFAULT_LOG_LEVEL))
    .option('--pretty', 'human-readable logs even when stdout is not a terminal')
    .option('-b, --bootstrap <host:port>', 'other bootstrap nodes to join through (repeat or comma-separate)', (v: string, prev: string[]) => [...prev, ...v.split(',').map((s) => s.trim()).filter((s) => s !== '')], [] as string[])
    .addHelpText('after', `
Logs are JSON lines on stdout (readable lines on a terminal). SIGINT or SIGTERM stops the node,
writes the state file and exits 0 within ${SHUTDOWN_DEADLINE / 1000} s. Exit codes: 1 on failure (busy port...), 2 on a bad flag.`)
    .showHelpAfterError(false)
    .configureOutput({ outputError: () => {} })
    .exitOverride()
}

/** Runs the server until SIGINT/SIGTERM; resolves with the exit code. */
export async function main (argv: string[]): Promise<number> {
  const cmd = program()
  try {
    cmd.parse(argv, { from: 'user' })
  } catch (err) {
    if (err instanceof CommanderError) {
      if (err.code === 'commander.helpDisplayed' || err.code === 'commander.version') return 0
      process.stderr.write(`hyperdht-bootstrap: ${err.message.replace(/^error: /, '').replace(/\s*\n\s*/g, ' ')} (see --help)\n`)
      return EXIT_USAGE
    }
    throw err
  }
  const flags = cmd.opts<Flags>()
  if (flags.rateLimit === false && cmd.getOptionValueSource('rateBurst') === 'cli') {
    process.stderr.write('hyperdht-bootstrap: --rate-burst has no effect with --no-rate-limit (see --help)\n')
    return EXIT_USAGE
  }
  const log = createLogger(flags.logLevel, flags.pretty === true ? { pretty: true } : {})

  // Listening before the node starts: a SIGTERM that arrives while it starts (or just after the
  // line a supervisor waits for) must stop it gracefully, not kill it with the default action.
  const signalled = new Promise<NodeJS.Signals>((resolve) => {
    process.once('SIGINT', resolve)
    process.once('SIGTERM', resolve)
  })

  let server: BootstrapServer
  try {
    server = await BootstrapServer.start({
      port: flags.port,
      host: flags.host,
      httpPort: flags.httpPort,
      httpHost: flags.httpHost,
      stateFile: flags.stateFile,
      saveInterval: flags.saveInterval,
      rateInterval: flags.rateInterval,
      rateLimit: flags.rateLimit === false ? false : { rate: flags.rateLimit, burst: flags.rateBurst },
      bootstrap: flags.bootstrap,
      transport: flags.transport,
      log
    })
  } catch (err) {
    const message = BootstrapError.isInstance(err) ? err.message : (err as Error).message
    log.fatal({ code: (err as { code?: string }).code }, message)
    // one human line on stderr too, whatever the log format
    process.stderr.write(`hyperdht-bootstrap: ${message}\n`)
    return EXIT_FAILURE
  }

  const signal = await signalled
  log.info({ signal }, 'shutting down: stop answering, write state')
  const deadline = setTimeout(() => {
    log.error({ deadline: SHUTDOWN_DEADLINE }, 'shutdown took too long: exiting anyway')
    process.exit(EXIT_FAILURE)
  }, SHUTDOWN_DEADLINE)
  deadline.unref()
  // a second signal while stopping exits at once
  const force = (): never => process.exit(EXIT_FAILURE)
  process.once('SIGINT', force)
  process.once('SIGTERM', force)
  await server.stop()
  clearTimeout(deadline)
  log.info('stopped')
  return 0
}
