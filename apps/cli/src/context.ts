import type { Command } from 'commander'
import { defaultConfigPath, loadConfigFile, resolveSettings, type Mode, type NodeFlags, type NodeSettings } from './config.js'
import { Output } from './output.js'

/** Options every command has (defined on the program, usable after the command name). */
export interface GlobalOptions {
  json?: boolean
  verbose?: boolean
  config?: string
}

/** What the process gives a command: its environment and streams (tests pass their own). */
export interface Runtime {
  env: Record<string, string | undefined>
  stdout: NodeJS.WriteStream
  stderr: NodeJS.WriteStream
  stdin: NodeJS.ReadStream
}

export function globals (cmd: Command): GlobalOptions {
  return cmd.optsWithGlobals<GlobalOptions>()
}

export function outputFor (cmd: Command, rt: Runtime): Output {
  const g = globals(cmd)
  return new Output({ json: g.json === true, verbose: g.verbose === true, stdout: rt.stdout, stderr: rt.stderr })
}

/**
 * The node settings of a command: its flags, then the environment, then the config file
 * (`--config`, `HYPERDHT_CONFIG` or the default path; only a file asked for by name must exist).
 */
export function settingsFor (cmd: Command, rt: Runtime, defaults: { mode?: Mode } = {}): NodeSettings {
  const g = globals(cmd)
  const o = cmd.opts<NodeFlags & { port?: string }>()
  const explicit = g.config !== undefined || (rt.env.HYPERDHT_CONFIG ?? '') !== ''
  const path = g.config ?? defaultConfigPath(rt.env)
  const file = loadConfigFile(path, explicit)
  return resolveSettings({ bootstrap: o.bootstrap, host: o.host, listenPort: o.listenPort, mode: o.mode, portMapping: o.portMapping }, rt.env, file, defaults)
}

/** Adds `--bootstrap` (repeatable, or comma-separated), `--no-bootstrap`, `--host`, `--listen-port`. */
export function nodeOptions (cmd: Command): Command {
  return cmd
    .option('-b, --bootstrap <host:port>', 'bootstrap node to join through (repeat or comma-separate for several; env HYPERDHT_BOOTSTRAP; default 127.0.0.1:49737, the local testnet)', collect)
    .option('--no-bootstrap', 'join no network: start a new one')
    .option('--host <address>', 'address our socket binds (env HYPERDHT_HOST; default: all interfaces)')
    .option('--listen-port <port>', 'port our socket binds (env HYPERDHT_LISTEN_PORT; default 0: any free port)')
}

/** Commander accumulator for repeatable, comma-separated values. */
export function collect (value: string, previous: string[] | boolean | undefined): string[] {
  const list = Array.isArray(previous) ? previous : []
  return [...list, ...value.split(',').map((s) => s.trim()).filter((s) => s !== '')]
}
