import type { Logger as LibraryLogger, LogFields } from '@hyperdht-ts/hyperdht'
import { pino, type Logger, type LevelWithSilent } from 'pino'
import pretty from 'pino-pretty'

/**
 * The server's pino logger: JSON lines on stdout by default, human-readable lines when stdout is
 * a terminal (or `pretty` is forced). Writes are synchronous so nothing is lost at exit.
 */
export function createLogger (level: LevelWithSilent, opts: { pretty?: boolean, stream?: NodeJS.WritableStream } = {}): Logger {
  const stream = opts.stream ?? process.stdout
  const usePretty = opts.pretty ?? (stream as { isTTY?: boolean }).isTTY === true
  const base = { level, base: { pid: process.pid } }
  if (usePretty) return pino(base, pretty({ destination: stream as NodeJS.WritableStream & { fd?: number }, sync: true, colorize: true, translateTime: 'SYS:HH:MM:ss.l', ignore: 'pid,hostname' }))
  if (stream === process.stdout) return pino(base, pino.destination({ fd: 1, sync: true }))
  return pino(base, stream)
}

/**
 * The library's structural logger (`(msg, fields)`) on top of pino's (`(fields, msg)`): what the
 * DHT logs (bootstrap, table changes, dropped datagrams, store caps) lands in the same stream.
 */
export function libraryLogger (log: Logger): LibraryLogger {
  return {
    debug: (msg: string, fields?: LogFields) => { log.debug(fields ?? {}, msg) },
    info: (msg: string, fields?: LogFields) => { log.info(fields ?? {}, msg) },
    warn: (msg: string, fields?: LogFields) => { log.warn(fields ?? {}, msg) }
  }
}
