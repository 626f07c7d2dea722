// Runs the BUILT `hyperdht` binary as a child process, as a user would.
import { spawn, type ChildProcessWithoutNullStreams } from 'node:child_process'
import { createSocket } from 'node:dgram'
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { afterAll } from 'vitest'

export const BIN = fileURLToPath(new URL('../dist/bin.js', import.meta.url))

/** A home of its own, so no real config file or history is read or written. */
export const HOME = mkdtempSync(join(tmpdir(), 'hyperdht-cli-test-'))
// (registered on the suite of each test file that imports this module: one HOME per file)
afterAll(() => { rmSync(HOME, { recursive: true, force: true }) })

/** The environment of every run: no HYPERDHT_* from the caller, a private HOME. */
export function baseEnv (extra: Record<string, string> = {}): Record<string, string> {
  const env: Record<string, string> = {}
  for (const [k, v] of Object.entries(process.env)) {
    if (v !== undefined && !k.startsWith('HYPERDHT_') && k !== 'XDG_CONFIG_HOME') env[k] = v
  }
  return { ...env, HOME, NO_COLOR: '1', ...extra }
}

let hostCounter = 0
/**
 * A loopback address of its own for each run (127.150-199.x.y, offset by the worker's pid): the
 * nodes of a test network rate-limit per source IP as on the internet, and many runs in a row
 * from one address would be limited like one busy host.
 */
export function nextLoopbackHost (): string {
  const n = hostCounter++
  return `127.${150 + (process.pid % 50)}.${Math.floor(n / 250) % 256}.${1 + (n % 250)}`
}

/** `baseEnv` plus `HYPERDHT_HOST` of its own, unless `extra` names one. */
function runEnv (extra: Record<string, string> = {}): Record<string, string> {
  return baseEnv({ HYPERDHT_HOST: nextLoopbackHost(), ...extra })
}

export interface Result {
  code: number | null
  signal: NodeJS.Signals | null
  stdout: string
  stderr: string
  /** stdout parsed as JSON lines (lines that are not JSON are left out). */
  json: Array<Record<string, any>>
}

/** Runs `hyperdht ...args` to completion. */
export async function cli (args: string[], opts: { env?: Record<string, string>, input?: string, timeout?: number } = {}): Promise<Result> {
  const p = spawn(process.execPath, [BIN, ...args], { env: runEnv(opts.env), stdio: ['pipe', 'pipe', 'pipe'] })
  if (opts.input !== undefined) p.stdin.end(opts.input)
  else p.stdin.end()
  let stdout = ''
  let stderr = ''
  p.stdout.setEncoding('utf8').on('data', (d: string) => { stdout += d })
  p.stderr.setEncoding('utf8').on('data', (d: string) => { stderr += d })
  const timer = setTimeout(() => p.kill('SIGKILL'), opts.timeout ?? 30_000)
  const [code, signal] = await new Promise<[number | null, NodeJS.Signals | null]>((resolve) => p.on('close', (c, s) => resolve([c, s])))
  clearTimeout(timer)
  return { code, signal, stdout, stderr, json: parseLines(stdout) }
}

export function parseLines (text: string): Array<Record<string, any>> {
  const out: Array<Record<string, any>> = []
  for (const line of text.split('\n')) {
    if (!line.startsWith('{')) continue
    try {
      out.push(JSON.parse(line))
    } catch {}
  }
  return out
}

/** A long-running `hyperdht` process whose JSON lines can be waited for. */
export class Running {
  readonly proc: ChildProcessWithoutNullStreams
  readonly lines: Array<Record<string, any>> = []
  stdout = ''
  stderr = ''
  #waiters: Array<() => void> = []
  readonly exited: Promise<{ code: number | null, signal: NodeJS.Signals | null }>

  /** `netns`: run inside that network namespace (`ip netns exec`, which execs: signals reach the CLI itself). */
  constructor (args: string[], opts: { env?: Record<string, string>, netns?: string } = {}) {
    const [cmd, argv] = opts.netns === undefined
      ? [process.execPath, [BIN, ...args]]
      : ['ip', ['netns', 'exec', opts.netns, process.execPath, BIN, ...args]]
    // inside a namespace the host's loopback addresses mean nothing: bind all interfaces there
    const env = opts.netns === undefined ? runEnv(opts.env) : baseEnv(opts.env)
    if (opts.netns !== undefined) env.PATH = `${env.PATH ?? ''}:/usr/sbin:/sbin`
    this.proc = spawn(cmd, argv, { env, stdio: ['pipe', 'pipe', 'pipe'] })
    let buf = ''
    this.proc.stdout.setEncoding('utf8').on('data', (d: string) => {
      this.stdout += d
      buf += d
      let i
      while ((i = buf.indexOf('\n')) >= 0) {
        const line = buf.slice(0, i)
        buf = buf.slice(i + 1)
        const parsed = parseLines(line)
        if (parsed.length > 0) this.lines.push(parsed[0]!)
      }
      for (const w of this.#waiters) w()
    })
    this.proc.stderr.setEncoding('utf8').on('data', (d: string) => {
      this.stderr += d
      for (const w of this.#waiters) w()
    })
    this.exited = new Promise((resolve) => this.proc.on('close', (code, signal) => {
      for (const w of this.#waiters) w()
      resolve({ code, signal })
    }))
  }

  /** Resolves with the first JSON line matching `match`; rejects on timeout or exit. */
  async waitFor (match: (line: Record<string, any>) => boolean, timeout = 30_000): Promise<Record<string, any>> {
    return await new Promise((resolve, reject) => {
      const check = (): boolean => {
        const hit = this.lines.find(match)
        if (hit !== undefined) {
          done()
          resolve(hit)
          return true
        }
        if (this.proc.exitCode !== null || this.proc.signalCode !== null) {
          done()
          reject(new Error(`process exited (${this.proc.exitCode ?? this.proc.signalCode}) before the line came; stderr: ${this.stderr}`))
          return true
        }
        return false
      }
      const timer = setTimeout(() => {
        done()
        reject(new Error(`timed out waiting for a line; stdout: ${this.stdout}; stderr: ${this.stderr}`))
      }, timeout)
      const done = (): void => {
        clearTimeout(timer)
        this.#waiters = this.#waiters.filter((w) => w !== waiter)
      }
      const waiter = (): void => { check() }
      if (!check()) this.#waiters.push(waiter)
    })
  }

  /** Sends a signal and resolves with the exit code; kills after `timeout` ms. */
  async stop (signal: NodeJS.Signals = 'SIGINT', timeout = 15_000): Promise<{ code: number | null, signal: NodeJS.Signals | null, ms: number }> {
    const t0 = Date.now()
    if (this.proc.exitCode === null && this.proc.signalCode === null) this.proc.kill(signal)
    const timer = setTimeout(() => this.proc.kill('SIGKILL'), timeout)
    const res = await this.exited
    clearTimeout(timer)
    return { ...res, ms: Date.now() - t0 }
  }
}

/** A UDP port free right now on `host` (bound then released). */
export async function freeUdpPort (host: string): Promise<number> {
  const s = createSocket('udp4')
  await new Promise<void>((resolve, reject) => {
    s.once('error', reject)
    s.bind(0, host, () => resolve())
  })
  const { port } = s.address()
  await new Promise<void>((resolve) => s.close(() => resolve()))
  return port
}

/** Asserts the error contract: exactly one line on stderr, no stack trace. */
export function oneLine (stderr: string): string {
  const lines = stderr.split('\n').filter((l) => l !== '')
  if (lines.length !== 1) throw new Error(`expected one line on stderr, got ${lines.length}: ${JSON.stringify(stderr)}`)
  if (/\n\s+at /.test(stderr)) throw new Error(`stack trace on stderr: ${stderr}`)
  return lines[0]!
}
