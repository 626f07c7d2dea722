import type { Writable } from 'node:stream'
import type { CLIError } from './errors.js'
import { toHex } from './keys.js'

/** A stream that may be a terminal. */
export type OutStream = Writable & { isTTY?: boolean, columns?: number }

export interface OutputOptions {
  /** One JSON object per line on stdout instead of human text. */
  json: boolean
  /** Stack traces with errors. */
  verbose: boolean
  stdout?: OutStream
  stderr?: OutStream
}

/**
 * Everything a command prints goes through here, so that `--json` holds everywhere: results
 * are one JSON object per line on stdout (a `type` field says what it is), human text goes to
 * stdout, notes and errors to stderr, and progress is drawn only on a terminal.
 */
export class Output {
  readonly json: boolean
  readonly verbose: boolean
  readonly stdout: OutStream
  readonly stderr: OutStream
  /** The live line at the bottom of stdout (status), or of stderr (progress). */
  #status: LiveLine
  #progress: LiveLine

  constructor (opts: OutputOptions) {
    this.json = opts.json
    this.verbose = opts.verbose
    this.stdout = opts.stdout ?? process.stdout
    this.stderr = opts.stderr ?? process.stderr
    this.#status = new LiveLine(this.stdout, !this.json)
    this.#progress = new LiveLine(this.stderr, !this.json)
  }

  /** True when a redrawn status line can be shown (human output on a terminal). */
  get live (): boolean {
    return this.#status.enabled
  }

  /** A result: `obj` (with its `type`) as a JSON line, or `human` as a line of text. */
  result (obj: { type: string } & Record<string, unknown>, human: string): void {
    if (this.json) this.#write(this.stdout, `${stringify(obj)}\n`)
    else this.#status.println(human)
  }

  /** A remark for humans on stderr (key hashed, progress done); in JSON mode `obj` if given, on stdout. */
  note (human: string, obj?: { type: string } & Record<string, unknown>): void {
    if (this.json) {
      if (obj !== undefined) this.#write(this.stdout, `${stringify(obj)}\n`)
      return
    }
    this.#progress.println(human)
  }

  /** Redraws the status line (terminal only; elsewhere nothing). */
  status (text: string): void {
    this.#status.set(text)
  }

  /** Redraws the progress line on stderr (terminal only). */
  progress (text: string): void {
    this.#progress.set(text)
  }

  /** Removes the status and progress lines. */
  clear (): void {
    this.#status.clear()
    this.#progress.clear()
  }

  /** The one error line (stack only with --verbose); in JSON mode also an error object on stdout. */
  error (err: CLIError): void {
    this.clear()
    if (this.json) this.#write(this.stdout, `${stringify({ type: 'error', code: err.code, message: err.message })}\n`)
    this.#write(this.stderr, `hyperdht: ${err.message}\n`)
    if (this.verbose) {
      let e: unknown = err
      while (e instanceof Error) {
        if (e.stack !== undefined) this.#write(this.stderr, `${e.stack}\n`)
        e = e.cause
        if (e !== undefined) this.#write(this.stderr, 'caused by: ')
      }
    }
  }

  #write (stream: OutStream, text: string): void {
    stream.write(text)
  }
}

/**
 * One line redrawn in place at the bottom of a terminal: other lines are printed above it.
 * On anything but a terminal it draws nothing and lines pass through.
 */
export class LiveLine {
  readonly enabled: boolean
  #stream: OutStream
  #text = ''

  constructor (stream: OutStream, allowed: boolean) {
    this.#stream = stream
    this.enabled = allowed && stream.isTTY === true
  }

  set (text: string): void {
    if (!this.enabled) return
    this.#text = this.#fit(text)
    this.#stream.write(`\r\x1b[2K${this.#text}`)
  }

  clear (): void {
    if (!this.enabled || this.#text === '') return
    this.#text = ''
    this.#stream.write('\r\x1b[2K')
  }

  println (line: string): void {
    if (!this.enabled || this.#text === '') {
      this.#stream.write(`${line}\n`)
      return
    }
    this.#stream.write(`\r\x1b[2K${line}\n${this.#text}`)
  }

  #fit (text: string): string {
    // a pseudo-terminal without a size reports 0 columns
    const cols = this.#stream.columns !== undefined && this.#stream.columns > 0 ? this.#stream.columns : 80
    return text.length < cols ? text : `${text.slice(0, Math.max(0, cols - 2))}…`
  }
}

/** JSON with bytes as hex strings and bigints as numbers. */
export function stringify (value: unknown): string {
  return JSON.stringify(value, (_key, v: unknown) => {
    if (v instanceof Uint8Array) return toHex(v)
    if (typeof v === 'bigint') return Number(v)
    if (v !== null && typeof v === 'object' && (v as { type?: unknown }).type === 'Buffer' && Array.isArray((v as { data?: unknown }).data)) {
      return Buffer.from((v as { data: number[] }).data).toString('hex')
    }
    return v
  })
}
