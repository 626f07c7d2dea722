// Runs the BUILT `hyperdht-bootstrap` binary as a child process and reads its JSON log lines.
import { spawn, type ChildProcessWithoutNullStreams } from 'node:child_process'
import { createSocket } from 'node:dgram'
import { existsSync, mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'

export const BIN = fileURLToPath(new URL('../dist/bin.js', import.meta.url))

export class Server {
  readonly proc: ChildProcessWithoutNullStreams
  readonly logs: Array<Record<string, any>> = []
  stdout = ''
  stderr = ''
  readonly exited: Promise<{ code: number | null, signal: NodeJS.Signals | null }>
  #waiters: Array<() => void> = []

  constructor (args: string[]) {
    this.proc = spawn(process.execPath, [BIN, ...args], { stdio: ['pipe', 'pipe', 'pipe'], env: { ...process.env, NO_COLOR: '1' } })
    this.proc.stdin.end()
    let buf = ''
    this.proc.stdout.setEncoding('utf8').on('data', (d: string) => {
      this.stdout += d
      buf += d
      let i
      while ((i = buf.indexOf('\n')) >= 0) {
        const line = buf.slice(0, i)
        buf = buf.slice(i + 1)
        try {
          this.logs.push(JSON.parse(line))
        } catch {}
      }
      this.#wake()
    })
    this.proc.stderr.setEncoding('utf8').on('data', (d: string) => { this.stderr += d })
    this.exited = new Promise((resolve) => this.proc.on('close', (code, signal) => {
      this.#wake()
      resolve({ code, signal })
    }))
  }

  #wake (): void {
    for (const w of [...this.#waiters]) w()
  }

  /** The first log entry whose `msg` matches; rejects if the process exits first or on timeout. */
  async waitLog (msg: RegExp, timeout = 30_000): Promise<Record<string, any>> {
    return await new Promise((resolve, reject) => {
      const timer = setTimeout(() => { done(); reject(new Error(`no log ${msg} within ${timeout} ms; stdout: ${this.stdout}; stderr: ${this.stderr}`)) }, timeout)
      const done = (): void => {
        clearTimeout(timer)
        this.#waiters = this.#waiters.filter((w) => w !== check)
      }
      const check = (): void => {
        const hit = this.logs.find((l) => typeof l.msg === 'string' && msg.test(l.msg))
        if (hit !== undefined) {
          done()
          resolve(hit)
        } else if (this.proc.exitCode !== null || this.proc.signalCode !== null) {
          done()
          reject(new Error(`exited (${this.proc.exitCode ?? this.proc.signalCode}) before log ${msg}; stdout: ${this.stdout}; stderr: ${this.stderr}`))
        }
      }
      this.#waiters.push(check)
      check()
    })
  }

  /** Waits for the DHT (and HTTP, when asked for) to listen; resolves with their ports. */
  async started (http: boolean): Promise<{ port: number, httpPort: number | null }> {
    const dht = await this.waitLog(/^DHT node listening/)
    const h = http ? await this.waitLog(/^HTTP admin endpoint listening/) : null
    await this.waitLog(/^bootstrapped|^no bootstrap node answered/)
    return { port: dht.port, httpPort: h === null ? null : h.port }
  }

  async stop (signal: NodeJS.Signals = 'SIGTERM', timeout = 15_000): Promise<{ code: number | null, signal: NodeJS.Signals | null, ms: number }> {
    const t0 = Date.now()
    if (this.proc.exitCode === null && this.proc.signalCode === null) this.proc.kill(signal)
    const timer = setTimeout(() => this.proc.kill('SIGKILL'), timeout)
    const res = await this.exited
    clearTimeout(timer)
    return { ...res, ms: Date.now() - t0 }
  }
}

/** Runs the binary to completion (for bad flags and failures). */
export async function runToEnd (args: string[], timeout = 30_000): Promise<{ code: number | null, stdout: string, stderr: string }> {
  const s = new Server(args)
  const timer = setTimeout(() => s.proc.kill('SIGKILL'), timeout)
  const { code } = await s.exited
  clearTimeout(timer)
  return { code, stdout: s.stdout, stderr: s.stderr }
}

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

/** A minimal Prometheus text-format parser: `# TYPE` lines and samples, strict enough to catch malformed output. */
export function parsePrometheus (text: string): { types: Map<string, string>, samples: Array<{ name: string, labels: Record<string, string>, value: number }> } {
  const types = new Map<string, string>()
  const samples: Array<{ name: string, labels: Record<string, string>, value: number }> = []
  for (const line of text.split('\n')) {
    if (line === '') continue
    if (line.startsWith('# HELP ')) continue
    const t = /^# TYPE ([a-zA-Z_:][a-zA-Z0-9_:]*) (counter|gauge|histogram|summary|untyped)$/.exec(line)
    if (t !== null) {
      types.set(t[1]!, t[2]!)
      continue
    }
    const m = /^([a-zA-Z_:][a-zA-Z0-9_:]*)(?:\{(.*)\})? (-?[0-9.e+-]+|NaN|\+Inf|-Inf)(?: \d+)?$/.exec(line)
    if (m === null) throw new Error(`not Prometheus text: ${JSON.stringify(line)}`)
    const labels: Record<string, string> = {}
    if (m[2] !== undefined && m[2] !== '') {
      for (const pair of m[2].match(/[a-zA-Z_][a-zA-Z0-9_]*="(?:[^"\\]|\\.)*"/g) ?? []) {
        const i = pair.indexOf('=')
        labels[pair.slice(0, i)] = pair.slice(i + 2, -1)
      }
    }
    samples.push({ name: m[1]!, labels, value: Number(m[3]) })
  }
  return { types, samples }
}

/** The Debian chromium the tests drive (CI installs it; see .ci/run). */
export const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium'

/**
 * Loads `url` in headless chromium and returns the DOM after the page's scripts ran
 * (`--dump-dom` with a virtual-time budget: timers and fetches run, then the DOM is printed).
 */
export async function dumpDom (url: string, budget = 3000): Promise<string> {
  if (!existsSync(CHROMIUM)) throw new Error(`${CHROMIUM} not found: install Debian's chromium (apt-get install -y chromium) or set CHROMIUM_PATH`)
  const profile = mkdtempSync(join(tmpdir(), 'hyperdht-chromium-'))
  // asynchronous, not spawnSync: a blocked event loop would leave this process's keep-alive
  // HTTP connections to the server half-closed behind its back
  const p = spawn(CHROMIUM, [
    '--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run',
    '--disable-background-networking', '--disable-component-update', '--disable-sync',
    `--user-data-dir=${profile}`, `--virtual-time-budget=${budget}`, '--dump-dom', url
  ], { stdio: ['ignore', 'pipe', 'pipe'] })
  let stdout = ''
  let stderr = ''
  p.stdout.setEncoding('utf8').on('data', (d: string) => { stdout += d })
  p.stderr.setEncoding('utf8').on('data', (d: string) => { stderr += d })
  const timer = setTimeout(() => p.kill('SIGKILL'), 90_000)
  try {
    const [code, signal] = await new Promise<[number | null, NodeJS.Signals | null]>((resolve) => p.on('close', (c, s) => resolve([c, s])))
    if (code !== 0) throw new Error(`chromium exited ${code ?? signal}: ${stderr.slice(-2000)}`)
    return stdout
  } finally {
    clearTimeout(timer)
    rmSync(profile, { recursive: true, force: true })
  }
}
