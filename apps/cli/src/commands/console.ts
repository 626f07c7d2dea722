import { mkdirSync, readFileSync, writeFileSync } from 'node:fs'
import { dirname, join } from 'node:path'
import { createInterface } from 'node:readline'
import type { HyperDHT } from '@hyperdht-ts/hyperdht'
import { Option, type Command } from 'commander'
import { formatHostPort } from '../address.js'
import { configDir, MODES, type NodeSettings } from '../config.js'
import { HISTORY_FILE, HISTORY_SIZE } from '../constants.js'
import { nodeOptions, outputFor, settingsFor, type Runtime } from '../context.js'
import type { Output } from '../output.js'
import { Shell } from '../shell.js'
import { runUntilSignal, stopsOnSignal } from '../signals.js'
import { startNode } from '../start-node.js'

export function registerConsole (program: Command, rt: Runtime): void {
  stopsOnSignal(nodeOptions(program
    .command('console')
    .description('an interactive shell on a node of its own: info, table, diversity, stats, store, announce, lookup, put, get, ping (type help)'))
    .addOption(new Option('--mode <mode>', 'client, server or auto (client until reachability detection lands)').choices(MODES))
    .option('--no-history', 'do not read or write the history file')
    .addHelpText('after', `
Reads commands from stdin; on a terminal with line editing, tab completion and a history kept in
${join('$XDG_CONFIG_HOME (~/.config)', 'hyperdht', HISTORY_FILE)}. With --json every answer is one JSON line, so scripts can
pipe commands in: printf 'info\\nlookup my-topic\\n' | hyperdht console --json`)
    .action(async (_o: unknown, cmd: Command) => await runConsole(cmd, rt)))
}

async function runConsole (cmd: Command, rt: Runtime): Promise<void> {
  const out = outputFor(cmd, rt)
  const settings = settingsFor(cmd, rt)
  await runUntilSignal(async (stop) => {
    const { node } = await startNode({ settings, out, signal: stop.signal })
    await converse(node, settings, cmd, rt, out, stop.requested)
  })
}

/** Reads and runs commands on the started node until quit, the end of stdin or the stop signal. */
async function converse (node: HyperDHT, settings: NodeSettings, cmd: Command, rt: Runtime, out: Output, stopped: Promise<NodeJS.Signals>): Promise<void> {
  const shell = new Shell(node, out, { modeSetting: settings.mode, bootstrap: settings.bootstrap })
  const terminal = rt.stdin.isTTY === true && !out.json
  const historyPath = join(configDir(rt.env), HISTORY_FILE)
  const useHistory = terminal && cmd.opts<{ history: boolean }>().history
  const rl = createInterface({
    input: rt.stdin,
    ...(terminal
      ? {
          output: rt.stdout,
          terminal: true,
          completer: (line: string) => shell.complete(line),
          history: useHistory ? readHistory(historyPath) : [],
          historySize: HISTORY_SIZE,
          removeHistoryDuplicates: true,
          prompt: 'hyperdht> '
        }
      : { terminal: false })
  })
  if (useHistory) rl.on('history', (lines: string[]) => writeHistory(historyPath, lines))
  // Ctrl-C on the prompt quits like `quit` (a second one forces the exit: see signals.ts)
  rl.on('SIGINT', () => { process.emit('SIGINT', 'SIGINT') })
  void stopped.then(() => { rl.close() })

  if (terminal) {
    rt.stdout.write(`node ${formatHostPort(node.address())} joined ${settings.bootstrap.join(', ') || 'no network'}; type help, Tab completes, Ctrl-D quits\n`)
    rl.prompt()
  } else if (out.json) {
    out.result({ type: 'console', address: node.address(), bootstrap: settings.bootstrap }, '')
  }
  try {
    for await (const line of rl) {
      await shell.exec(line)
      if (shell.quitting) break
      if (terminal) rl.prompt()
    }
  } finally {
    rl.close()
    await shell.close()
    await node.destroy()
  }
}

function readHistory (path: string): string[] {
  try {
    // the file holds oldest first; readline wants newest first
    return readFileSync(path, 'utf8').split('\n').filter((l) => l !== '').slice(-HISTORY_SIZE).reverse()
  } catch {
    return []
  }
}

function writeHistory (path: string, newestFirst: string[]): void {
  try {
    mkdirSync(dirname(path), { recursive: true })
    writeFileSync(path, `${[...newestFirst].reverse().join('\n')}\n`, { mode: 0o600 })
  } catch {
    // a history that cannot be saved is not worth interrupting the session for
  }
}
