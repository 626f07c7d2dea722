import { Command, CommanderError } from 'commander'
import { registerAnnounce } from './commands/announce.js'
import { registerConnections } from './commands/connections.js'
import { registerConsole } from './commands/console.js'
import { registerLookup } from './commands/lookup.js'
import { registerNode } from './commands/node.js'
import { registerPing } from './commands/ping.js'
import { registerTestnet } from './commands/testnet.js'
import { registerValues } from './commands/values.js'
import { EXIT_FAILURE, EXIT_OK, EXIT_USAGE } from './constants.js'
import type { Runtime } from './context.js'
import { CLIError } from './errors.js'
import { explain } from './explain.js'
import { Output } from './output.js'
import { beforeAction } from './signals.js'

declare const __VERSION__: string | undefined

/** Builds the `hyperdht` program on a runtime (the real process, or a test's). */
export function createProgram (rt: Runtime): Command {
  const program = new Command('hyperdht')
    .description('Find and reach peers on a Kademlia DHT (hyperdht-ts). Start a local network with `hyperdht testnet`, then try the other commands against it.')
    .version(typeof __VERSION__ === 'string' ? __VERSION__ : '0.0.0', '-V, --version')
    .option('--json', 'one JSON object per line on stdout (errors too), for scripts')
    .option('-v, --verbose', 'print stack traces with errors')
    .option('--config <file>', 'config file (default: $HYPERDHT_CONFIG or ~/.config/hyperdht/config.json)')
    .showHelpAfterError(false)
    .configureHelp({ showGlobalOptions: true, sortSubcommands: false })
    .configureOutput({
      writeOut: (s) => rt.stdout.write(s),
      writeErr: (s) => rt.stderr.write(s),
      // usage errors are printed by run() as one line
      outputError: () => {}
    })
    .exitOverride()
    // SIGINT/SIGTERM end one-shot commands at once; long-running ones stop gracefully (signals.ts)
    .hook('preAction', (_program, command) => { beforeAction(command) })
  registerTestnet(program, rt)
  registerNode(program, rt)
  registerAnnounce(program, rt)
  registerLookup(program, rt)
  registerValues(program, rt)
  registerPing(program, rt)
  registerConnections(program, rt, (node) => node)
  registerConsole(program, rt)
  program.addHelpText('after', `
Configuration: flags win over the environment (HYPERDHT_BOOTSTRAP, HYPERDHT_HOST,
HYPERDHT_LISTEN_PORT, HYPERDHT_MODE), which wins over the config file. Exit codes: 0 success,
1 failure (unreachable network, busy port, nothing found), 2 bad command line.`)
  return program
}

/**
 * Runs the command line and resolves with the exit code. Every failure becomes one human line
 * on stderr (plus an error object on stdout with --json); stack traces only with --verbose.
 */
export async function run (argv: string[], rt: Runtime): Promise<number> {
  const program = createProgram(rt)
  if (argv.length === 0) {
    program.outputHelp()
    return EXIT_OK
  }
  try {
    await program.parseAsync(argv, { from: 'user' })
    return EXIT_OK
  } catch (err) {
    if (err instanceof CommanderError) {
      if (err.code === 'commander.helpDisplayed' || err.code === 'commander.version' || err.code === 'commander.help') return EXIT_OK
      const message = err.message.replace(/^error: /, '').replace(/\s*\n\s*/g, ' ')
      fallbackOutput(argv, rt).error(CLIError.USAGE(`${message} (see hyperdht --help)`))
      return EXIT_USAGE
    }
    const e = explain(err)
    fallbackOutput(argv, rt).error(e)
    return e.exitCode ?? EXIT_FAILURE
  }
}

/** Output for errors raised before (or outside) a command's own: flags read from argv as given. */
function fallbackOutput (argv: string[], rt: Runtime): Output {
  const before = argv.slice(0, argv.includes('--') ? argv.indexOf('--') : argv.length)
  return new Output({ json: before.includes('--json'), verbose: before.includes('--verbose') || before.includes('-v'), stdout: rt.stdout, stderr: rt.stderr })
}
