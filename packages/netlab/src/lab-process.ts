// A process running inside a lab namespace, spoken to in JSON lines: each stdout line that is a
// JSON object is a message, `send()` writes one as a line on stdin.
import { EventEmitter } from 'node:events'
import type { ChildProcess } from 'node:child_process'
import { DEFAULT_WAIT_TIMEOUT, DIAGNOSTIC_LINES, KILL_GRACE } from './constants.js'
import { NetlabError } from './errors.js'

/**
 * A JSON object printed by the process on one stdout line. Its values are `any` so that
 * predicates read naturally: `(m) => m.type === 'ready'`.
 */
export type JsonMessage = Record<string, any>

export interface ExitInfo {
  /** Exit code, or null when a signal ended the process. */
  code: number | null
  signal: NodeJS.Signals | null
}

export interface WaitOptions {
  /** @default DEFAULT_WAIT_TIMEOUT (10 s) */
  timeout?: number
  signal?: AbortSignal
}

export interface LabProcessEvents {
  /** Every stdout line, JSON or not. */
  line: [line: string]
  /** Every stdout line that parsed as a JSON object. */
  message: [message: JsonMessage]
  /** The process ended (all its output has been read). */
  exit: [info: ExitInfo]
}

// One stdout line, and the JSON object it holds if it holds one.
interface Entry {
  line: string
  message: JsonMessage | undefined
}

type WaitKind = 'line' | 'message'

interface Waiter {
  kind: WaitKind
  test: (entry: Entry) => boolean
  resolve: (entry: Entry) => void
  reject: (err: Error) => void
}

export class LabProcess extends EventEmitter<LabProcessEvents> {
  /** Where and what: `host a: node agent.mjs`, used in error messages. */
  readonly label: string
  readonly pid: number | undefined
  /** Resolves when the process has ended and its output has been read; never rejects. */
  readonly exited: Promise<ExitInfo>

  readonly #child: ChildProcess
  readonly #entries: Entry[] = []
  readonly #lines: string[] = []
  readonly #messages: JsonMessage[] = []
  // Entries already handed to a wait: each satisfies at most one waitFor and one waitForLine,
  // so successive waits for the same kind of output see successive lines.
  readonly #taken: Record<WaitKind, Set<Entry>> = { line: new Set(), message: new Set() }
  readonly #waiters = new Set<Waiter>()
  #stderr = ''
  #partial = ''
  #exit: ExitInfo | undefined

  constructor (child: ChildProcess, label: string) {
    super()
    this.#child = child
    this.label = label
    this.pid = child.pid
    child.stdout?.setEncoding('utf8').on('data', (chunk: string) => this.#onData(chunk))
    child.stderr?.setEncoding('utf8').on('data', (chunk: string) => {
      // Keep the tail only: it explains failures, and a chatty process must not grow memory.
      this.#stderr = (this.#stderr + chunk).slice(-16_384)
    })
    // A process that exits while we write to it must not crash us with EPIPE.
    child.stdin?.on('error', () => {})
    this.exited = new Promise((resolve) => {
      const finish = (info: ExitInfo): void => {
        if (this.#exit !== undefined) return
        if (this.#partial !== '') this.#onLine(this.#partial)
        this.#partial = ''
        this.#exit = info
        const err = NetlabError.PROCESS_EXITED(`${this.label} exited (${describeExit(info)})`, this.diagnostics())
        for (const waiter of this.#waiters) waiter.reject(err)
        this.#waiters.clear()
        this.emit('exit', info)
        resolve(info)
      }
      child.on('close', (code, signal) => finish({ code, signal }))
      child.on('error', (err) => {
        this.#stderr += `\n${err.message}`
        finish({ code: null, signal: null })
      })
    })
  }

  /** Exit code and signal once the process has ended. */
  get exitInfo (): ExitInfo | undefined {
    return this.#exit
  }

  /** Every stdout line so far. */
  get lines (): readonly string[] {
    return this.#lines
  }

  /** Every JSON-object line so far. */
  get messages (): readonly JsonMessage[] {
    return this.#messages
  }

  /** The tail of stderr. */
  get stderr (): string {
    return this.#stderr
  }

  /** Writes `value` as one JSON line on the process's stdin. */
  send (value: unknown): void {
    if (this.#exit !== undefined || this.#child.stdin === null || this.#child.stdin.destroyed) {
      throw NetlabError.PROCESS_EXITED(`${this.label} has exited; cannot send`, this.diagnostics())
    }
    this.#child.stdin.write(`${JSON.stringify(value)}\n`)
  }

  /**
   * Resolves with the first message matching `predicate` that no earlier `waitFor` took,
   * looking at messages already received first. Rejects with TIMEOUT, ABORTED, or
   * PROCESS_EXITED (with the process's last output in the message).
   */
  async waitFor<T extends JsonMessage = JsonMessage> (predicate: (message: JsonMessage) => boolean, options: WaitOptions = {}): Promise<T> {
    const entry = await this.#wait('message', (e) => e.message !== undefined && predicate(e.message), options)
    return entry.message as T
  }

  /** Like `waitFor`, for raw stdout lines (programs that do not print JSON). */
  async waitForLine (predicate: (line: string) => boolean, options: WaitOptions = {}): Promise<string> {
    return (await this.#wait('line', (e) => predicate(e.line), options)).line
  }

  async #wait (kind: WaitKind, test: (entry: Entry) => boolean, options: WaitOptions): Promise<Entry> {
    const taken = this.#taken[kind]
    for (const entry of this.#entries) {
      if (!taken.has(entry) && test(entry)) {
        taken.add(entry)
        return entry
      }
    }
    if (this.#exit !== undefined) {
      throw NetlabError.PROCESS_EXITED(`${this.label} exited (${describeExit(this.#exit)})`, this.diagnostics())
    }
    options.signal?.throwIfAborted()
    const timeout = options.timeout ?? DEFAULT_WAIT_TIMEOUT
    return await new Promise<Entry>((resolve, reject) => {
      const done = (): void => {
        clearTimeout(timer)
        options.signal?.removeEventListener('abort', onAbort)
        this.#waiters.delete(waiter)
      }
      const waiter: Waiter = {
        kind,
        test,
        resolve: (entry) => { done(); resolve(entry) },
        reject: (err) => { done(); reject(err) }
      }
      const onAbort = (): void => waiter.reject(NetlabError.ABORTED(options.signal?.reason))
      const timer = setTimeout(() => {
        waiter.reject(NetlabError.TIMEOUT(`a ${kind} from ${this.label}`, timeout, this.diagnostics()))
      }, timeout)
      options.signal?.addEventListener('abort', onAbort, { once: true })
      this.#waiters.add(waiter)
    })
  }

  /** Sends a signal (SIGTERM by default) if the process still runs. */
  kill (signal: NodeJS.Signals = 'SIGTERM'): void {
    if (this.#exit === undefined) this.#child.kill(signal)
  }

  /** SIGTERM, then SIGKILL if it is still running after `grace` ms; resolves when it has ended. */
  async stop (grace = KILL_GRACE): Promise<ExitInfo> {
    if (this.#exit !== undefined) return this.#exit
    this.kill('SIGTERM')
    const timer = setTimeout(() => this.kill('SIGKILL'), grace)
    try {
      return await this.exited
    } finally {
      clearTimeout(timer)
    }
  }

  /** The last stderr and stdout lines, to explain a failure. */
  diagnostics (): string {
    const stderr = this.#stderr.trim().split('\n').slice(-DIAGNOSTIC_LINES).join('\n')
    const stdout = this.#lines.slice(-DIAGNOSTIC_LINES).join('\n')
    return [`--- ${this.label} stderr ---`, stderr, `--- ${this.label} stdout (last ${DIAGNOSTIC_LINES} lines) ---`, stdout].join('\n')
  }

  #onData (chunk: string): void {
    const parts = (this.#partial + chunk).split('\n')
    this.#partial = parts.pop() ?? ''
    for (const line of parts) this.#onLine(line)
  }

  #onLine (raw: string): void {
    const line = raw.endsWith('\r') ? raw.slice(0, -1) : raw
    const entry: Entry = { line, message: parseObject(line) }
    this.#entries.push(entry)
    this.#lines.push(line)
    this.emit('line', line)
    if (entry.message !== undefined) {
      this.#messages.push(entry.message)
      this.emit('message', entry.message)
    }
    // The first waiting waitFor and the first waiting waitForLine that match each take it.
    const served = new Set<WaitKind>()
    for (const waiter of [...this.#waiters]) {
      if (served.has(waiter.kind)) continue
      let matches: boolean
      try {
        matches = waiter.test(entry)
      } catch (err) {
        // A throwing predicate fails its own wait, not the process's output handling.
        waiter.reject(err instanceof Error ? err : new Error(String(err)))
        continue
      }
      if (matches) {
        this.#taken[waiter.kind].add(entry)
        served.add(waiter.kind)
        waiter.resolve(entry)
      }
    }
  }
}

function parseObject (line: string): JsonMessage | undefined {
  if (!line.startsWith('{')) return undefined
  try {
    const value: unknown = JSON.parse(line)
    return typeof value === 'object' && value !== null && !Array.isArray(value) ? value as JsonMessage : undefined
  } catch {
    return undefined
  }
}

function describeExit (info: ExitInfo): string {
  return info.signal !== null ? `signal ${info.signal}` : `code ${String(info.code)}`
}
