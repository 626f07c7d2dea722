// A logger that records what a library tells it, and a spy on everything that could print: the
// two halves of "libraries never print; an optional logger gets the entries".
import { vi, type MockInstance } from 'vitest'

export type LogLevel = 'debug' | 'info' | 'warn'

export interface LogEntry {
  level: LogLevel
  msg: string
  fields?: Record<string, unknown> | undefined
}

/** Fits every package's `Logger` (`{ debug?, info?, warn? }` taking a message and fields). */
export interface RecordingLogger {
  /** Every entry, in the order they were logged. */
  readonly entries: LogEntry[]
  debug: (msg: string, fields?: Record<string, unknown>) => void
  info: (msg: string, fields?: Record<string, unknown>) => void
  warn: (msg: string, fields?: Record<string, unknown>) => void
  /** The first entry with this message. */
  find: (msg: string) => LogEntry | undefined
  /** Every entry with this message. */
  filter: (msg: string) => LogEntry[]
}

export function recordingLogger (): RecordingLogger {
  const entries: LogEntry[] = []
  const record = (level: LogLevel) => (msg: string, fields?: Record<string, unknown>): void => {
    entries.push({ level, msg, fields })
  }
  return {
    entries,
    debug: record('debug'),
    info: record('info'),
    warn: record('warn'),
    find: (msg) => entries.find((e) => e.msg === msg),
    filter: (msg) => entries.filter((e) => e.msg === msg)
  }
}

export interface OutputSpy {
  /** What was printed since the spy was installed, as `console.warn: args...` lines. */
  printed: () => string[]
}

/**
 * Spies on `console.log/debug/info/warn/error` and `process.stderr.write` (the output still goes
 * through). The spies are vitest mocks: `vi.restoreAllMocks()` (in `afterEach`) removes them.
 */
export function spyOnOutput (): OutputSpy {
  const spies: Array<[string, MockInstance]> = [
    ['console.log', vi.spyOn(console, 'log')],
    ['console.debug', vi.spyOn(console, 'debug')],
    ['console.info', vi.spyOn(console, 'info')],
    ['console.warn', vi.spyOn(console, 'warn')],
    ['console.error', vi.spyOn(console, 'error')],
    ['process.stderr.write', vi.spyOn(process.stderr, 'write')]
  ]
  return {
    printed: () => spies.flatMap(([name, spy]) => spy.mock.calls.map((args) => `${name}: ${args.map((a) => String(a)).join(' ')}`))
  }
}
