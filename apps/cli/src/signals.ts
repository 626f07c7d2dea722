// SIGINT/SIGTERM for the whole process. `bin.ts` starts listening before anything else is loaded,
// so a signal that arrives while the command line is parsed or a node starts is not lost to the
// default action (death by signal): long-running commands stop gracefully whenever it came.
import type { Command } from 'commander'
import { EXIT_INTERRUPTED, SHUTDOWN_TIMEOUT } from './constants.js'
import { CLIError } from './errors.js'

const SIGNALS = ['SIGINT', 'SIGTERM'] as const

/** What a long-running command gets from {@link runUntilSignal}. */
export interface Stop {
  /** Aborted by the first SIGINT/SIGTERM (already aborted if it came before the command ran); its reason is an `INTERRUPTED` {@link CLIError}. */
  readonly signal: AbortSignal
  /** Resolves with the name of the first SIGINT/SIGTERM. */
  readonly requested: Promise<NodeJS.Signals>
}

/**
 * The process's listener for SIGINT and SIGTERM. The first signal aborts {@link signal}; a
 * second one, or cleanup taking longer than `SHUTDOWN_TIMEOUT`, exits at once with 130, so
 * Ctrl-C always works.
 */
class ProcessSignals {
  #listening = false
  #controller = new AbortController()
  #first: NodeJS.Signals | null = null
  #requested = this.#newRequest()
  #force: NodeJS.Timeout | null = null

  get listening (): boolean {
    return this.#listening
  }

  get signal (): AbortSignal {
    return this.#controller.signal
  }

  get requested (): Promise<NodeJS.Signals> {
    return this.#requested.promise
  }

  /** Starts listening (idempotent). */
  listen (): void {
    if (this.#listening) return
    this.#listening = true
    for (const s of SIGNALS) process.on(s, this.#onsignal)
  }

  /**
   * Stops listening and forgets any signal seen, for the next command run in this process
   * (tests run commands in-process; the real process exits instead).
   */
  reset (): void {
    for (const s of SIGNALS) process.off(s, this.#onsignal)
    this.#listening = false
    if (this.#force !== null) clearTimeout(this.#force)
    this.#force = null
    this.#first = null
    this.#controller = new AbortController()
    this.#requested = this.#newRequest()
  }

  /**
   * Gives SIGINT/SIGTERM their default action back, for commands that do not stop gracefully
   * (one-shot commands: a signal ends them at once, as for any program). A signal that came
   * while the command line was parsed is raised again now, so it still ends the process.
   */
  restoreDefault (): void {
    const pending = this.#first
    this.reset()
    if (pending !== null) process.kill(process.pid, pending)
  }

  #onsignal = (sig: NodeJS.Signals): void => {
    if (this.#first !== null) process.exit(EXIT_INTERRUPTED)
    this.#first = sig
    this.#force = setTimeout(() => process.exit(EXIT_INTERRUPTED), SHUTDOWN_TIMEOUT)
    this.#force.unref()
    this.#controller.abort(CLIError.INTERRUPTED(sig))
    this.#requested.resolve(sig)
  }

  #newRequest (): { promise: Promise<NodeJS.Signals>, resolve: (sig: NodeJS.Signals) => void } {
    let resolve!: (sig: NodeJS.Signals) => void
    const promise = new Promise<NodeJS.Signals>((r) => { resolve = r })
    return { promise, resolve }
  }
}

const processSignals = new ProcessSignals()

/** Listens for SIGINT/SIGTERM from now on; `bin.ts` calls it first thing. */
export function listenForSignals (): void {
  processSignals.listen()
}

/** Commands marked by {@link stopsOnSignal}. */
const graceful = new WeakSet<Command>()

/** Marks a long-running command: it stops gracefully on SIGINT/SIGTERM through {@link runUntilSignal}. */
export function stopsOnSignal (cmd: Command): Command {
  graceful.add(cmd)
  return cmd
}

/**
 * Called before a command's action runs (a `preAction` hook of the program): commands not marked
 * by {@link stopsOnSignal} get the default action of SIGINT/SIGTERM back.
 */
export function beforeAction (cmd: Command): void {
  if (!graceful.has(cmd) && processSignals.listening) processSignals.restoreDefault()
}

/**
 * Runs a long-running command until SIGINT or SIGTERM: `body` starts what it runs with
 * `stop.signal` (a signal during start-up aborts it), waits for `stop.requested`, then cleans up.
 * Resolves with the signal that stopped the command (null if `body` ended by itself). A start-up
 * cut short by the signal is a clean stop, not a failure: its abort error is not rethrown.
 */
export async function runUntilSignal (body: (stop: Stop) => Promise<void>): Promise<NodeJS.Signals | null> {
  // in the real process `bin.ts` listens already; a command run in-process listens only meanwhile
  const owned = !processSignals.listening
  processSignals.listen()
  const stop: Stop = { signal: processSignals.signal, requested: processSignals.requested }
  try {
    await body(stop)
  } catch (err) {
    if (!stop.signal.aborted || !isAbortError(err, stop.signal.reason)) throw err
  } finally {
    if (owned) processSignals.reset()
  }
  return stop.signal.aborted ? await stop.requested : null
}

/** True for the stop signal's reason, or an error caused by an abort (the libraries' `ABORTED`), however deeply wrapped. */
function isAbortError (err: unknown, reason: unknown): boolean {
  for (let e = err, depth = 0; e !== undefined && e !== null && depth < 10; e = (e as { cause?: unknown }).cause, depth++) {
    if (e === reason) return true
    const { code, name } = e as { code?: unknown, name?: unknown }
    if (code === 'ABORTED' || code === 'INTERRUPTED' || name === 'AbortError') return true
  }
  return false
}
