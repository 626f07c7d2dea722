import { readFileSync } from 'node:fs'
import { homedir } from 'node:os'
import { join } from 'node:path'
import { parseHostPort, parsePort } from './address.js'
import { CONFIG_DIR, CONFIG_FILE, DEFAULT_BOOTSTRAP, ENV } from './constants.js'
import { CLIError } from './errors.js'

/** How a node runs: `client` is ephemeral (nobody adds it to a routing table), `server` is not. */
export type Mode = 'auto' | 'client' | 'server'
export const MODES: readonly Mode[] = ['auto', 'client', 'server']

/** What the config file may hold (every field optional). */
export interface ConfigFile {
  /** Bootstrap nodes, `host:port`. An empty list starts a new network. */
  bootstrap?: string[]
  /** Address our socket binds. */
  host?: string
  /** Port our socket binds (0: any). */
  listenPort?: number
  /** `auto`, `client` or `server` (commands that take `--mode`). */
  mode?: Mode
  /**
   * Timers and sizes of NAT traversal (the library's `holepunch` options, in ms where a time):
   * `promoteAfter`, `demoteAfter`, `minDwell`, `stallThreshold`, `reachInterval`,
   * `reachFirstDelay`, `reachHelpers`, `dialbackWait`, `confirmations`, `minRemotes`,
   * `punchTimeout`. For tests and unusual networks; the defaults suit the internet.
   */
  holepunch?: HolepunchSettings
  /**
   * Ask the home router for a UDP port mapping (NAT-PMP, then UPnP) so that strangers can reach
   * the node (`hyperdht node` only; `--port-mapping` / `--no-port-mapping` win over it). @default false
   */
  portMapping?: boolean
}

/** The numeric holepunch options the config file may set. */
export const HOLEPUNCH_SETTINGS = ['promoteAfter', 'demoteAfter', 'minDwell', 'stallThreshold', 'reachInterval', 'reachFirstDelay',
  'reachHelpers', 'dialbackWait', 'confirmations', 'minRemotes', 'punchTimeout'] as const
export type HolepunchSettings = Partial<Record<typeof HOLEPUNCH_SETTINGS[number], number>>

/** Node settings as flags give them: `undefined` when the flag was not used. */
export interface NodeFlags {
  /** `false` from `--no-bootstrap`. */
  bootstrap?: string[] | false
  host?: string
  listenPort?: string
  mode?: string
  /** `true` from `--port-mapping`, `false` from `--no-port-mapping`. */
  portMapping?: boolean
}

/** Where a setting came from. */
export type Source = 'flag' | 'env' | 'config' | 'default'

export interface NodeSettings {
  bootstrap: string[]
  host: string | undefined
  listenPort: number
  mode: Mode
  /** From the config file only. */
  holepunch: HolepunchSettings
  /** Ask the router for a port mapping (the flag, else the config file; off by default). */
  portMapping: boolean
  sources: { bootstrap: Source, host: Source, listenPort: Source, mode: Source, portMapping: Source }
}

/**
 * Settings of the node a command runs, by precedence: flags, then the environment
 * (`HYPERDHT_BOOTSTRAP`, `HYPERDHT_HOST`, `HYPERDHT_LISTEN_PORT`, `HYPERDHT_MODE`), then the
 * config file, then the defaults. Pure: the environment and file come in as arguments.
 */
export function resolveSettings (flags: NodeFlags, env: Record<string, string | undefined>, file: ConfigFile | null, defaults: { mode?: Mode } = {}): NodeSettings {
  const pick = <T>(fromFlag: T | undefined, fromEnv: T | undefined, fromFile: T | undefined, fallback: T): [T, Source] => {
    if (fromFlag !== undefined) return [fromFlag, 'flag']
    if (fromEnv !== undefined) return [fromEnv, 'env']
    if (fromFile !== undefined) return [fromFile, 'config']
    return [fallback, 'default']
  }
  const envText = (name: string): string | undefined => {
    const v = env[name]
    return v === undefined || v.trim() === '' ? undefined : v.trim()
  }
  const envBootstrap = envText(ENV.bootstrap)
  const [bootstrap, bSource] = pick<string[]>(
    flags.bootstrap === false ? [] : flags.bootstrap,
    envBootstrap === undefined ? undefined : envBootstrap === 'none' ? [] : envBootstrap.split(/[\s,]+/).filter((s) => s !== ''),
    file?.bootstrap,
    DEFAULT_BOOTSTRAP
  )
  for (const b of bootstrap) parseHostPort(b)
  const [host, hSource] = pick<string | undefined>(flags.host, envText(ENV.host), file?.host, undefined)
  const envPort = envText(ENV.listenPort)
  const [listenPort, pSource] = pick<number>(
    flags.listenPort === undefined ? undefined : parsePort(flags.listenPort, '--listen-port', true),
    envPort === undefined ? undefined : parsePort(envPort, ENV.listenPort, true),
    file?.listenPort,
    0
  )
  const [mode, mSource] = pick<Mode>(
    flags.mode === undefined ? undefined : checkMode(flags.mode, '--mode'),
    envText(ENV.mode) === undefined ? undefined : checkMode(envText(ENV.mode)!, ENV.mode),
    file?.mode,
    defaults.mode ?? 'client'
  )
  const [portMapping, pmSource] = pick<boolean>(flags.portMapping, undefined, file?.portMapping, false)
  return {
    bootstrap, host, listenPort, mode, holepunch: file?.holepunch ?? {}, portMapping,
    sources: { bootstrap: bSource, host: hSource, listenPort: pSource, mode: mSource, portMapping: pmSource }
  }
}

function checkMode (value: string, label: string): Mode {
  if ((MODES as string[]).includes(value)) return value as Mode
  throw CLIError.BAD_VALUE(`${label} must be one of ${MODES.join(', ')} (got "${value}")`)
}

/** `$HYPERDHT_CONFIG`, else `$XDG_CONFIG_HOME/hyperdht/config.json`, else `~/.config/hyperdht/config.json`. */
export function defaultConfigPath (env: Record<string, string | undefined>, home = homedir()): string {
  const explicit = env[ENV.config]
  if (explicit !== undefined && explicit !== '') return explicit
  return join(configDir(env, home), CONFIG_FILE)
}

export function configDir (env: Record<string, string | undefined>, home = homedir()): string {
  const xdg = env.XDG_CONFIG_HOME
  return join(xdg !== undefined && xdg !== '' ? xdg : join(home, '.config'), CONFIG_DIR)
}

/**
 * Reads and checks the config file. A missing file is fine unless it was asked for by name
 * (`--config` or `HYPERDHT_CONFIG`); a file that is not valid JSON or holds unknown or
 * mistyped fields is an error (a typo should not be silently ignored).
 */
export function loadConfigFile (path: string, required: boolean): ConfigFile | null {
  let text: string
  try {
    text = readFileSync(path, 'utf8')
  } catch (err) {
    if (!required && (err as { code?: string }).code === 'ENOENT') return null
    throw CLIError.BAD_CONFIG(path, (err as { code?: string }).code === 'ENOENT' ? 'no such file' : 'cannot be read', err)
  }
  let raw: unknown
  try {
    raw = JSON.parse(text)
  } catch (err) {
    throw CLIError.BAD_CONFIG(path, 'not valid JSON', err)
  }
  return checkConfig(raw, path)
}

/** Validates a parsed config object (pure). */
export function checkConfig (raw: unknown, path: string): ConfigFile {
  if (typeof raw !== 'object' || raw === null || Array.isArray(raw)) throw CLIError.BAD_CONFIG(path, 'expected a JSON object')
  const out: ConfigFile = {}
  for (const [k, v] of Object.entries(raw as Record<string, unknown>)) {
    switch (k) {
      case 'bootstrap':
        if (!Array.isArray(v) || !v.every((s) => typeof s === 'string')) throw CLIError.BAD_CONFIG(path, '"bootstrap" must be a list of "host:port" strings')
        for (const s of v as string[]) parseHostPort(s)
        out.bootstrap = v as string[]
        break
      case 'host':
        if (typeof v !== 'string') throw CLIError.BAD_CONFIG(path, '"host" must be a string')
        out.host = v
        break
      case 'listenPort':
        if (!Number.isInteger(v) || (v as number) < 0 || (v as number) > 65535) throw CLIError.BAD_CONFIG(path, '"listenPort" must be a port number (0-65535)')
        out.listenPort = v as number
        break
      case 'mode':
        if (typeof v !== 'string' || !(MODES as string[]).includes(v)) throw CLIError.BAD_CONFIG(path, `"mode" must be one of ${MODES.join(', ')}`)
        out.mode = v as Mode
        break
      case 'holepunch': {
        if (typeof v !== 'object' || v === null || Array.isArray(v)) throw CLIError.BAD_CONFIG(path, '"holepunch" must be an object')
        const hp: HolepunchSettings = {}
        for (const [name, value] of Object.entries(v as Record<string, unknown>)) {
          if (!(HOLEPUNCH_SETTINGS as readonly string[]).includes(name)) throw CLIError.BAD_CONFIG(path, `unknown field "holepunch.${name}" (known: ${HOLEPUNCH_SETTINGS.join(', ')})`)
          if (typeof value !== 'number' || !Number.isFinite(value) || value < 0) throw CLIError.BAD_CONFIG(path, `"holepunch.${name}" must be a non-negative number`)
          hp[name as typeof HOLEPUNCH_SETTINGS[number]] = value
        }
        out.holepunch = hp
        break
      }
      case 'portMapping':
        if (typeof v !== 'boolean') throw CLIError.BAD_CONFIG(path, '"portMapping" must be true or false')
        out.portMapping = v
        break
      default:
        throw CLIError.BAD_CONFIG(path, `unknown field "${k}" (known: bootstrap, host, listenPort, mode, holepunch, portMapping)`)
    }
  }
  return out
}
