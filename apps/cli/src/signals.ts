import { EXIT_INTERRUPTED, SHUTDOWN_TIMEOUT } from './constants.js'

/**
 * Resolves on the first SIGINT or SIGTERM, so a long-running command can clean up (unannounce,
 * destroy its nodes) and exit 0. A second signal, or cleanup taking longer than
 * `SHUTDOWN_TIMEOUT`, exits at once with 130: Ctrl-C always works.
 */
export function waitForSignal (): { promise: Promise<NodeJS.Signals>, dispose: () => void } {
  let onsignal: ((sig: NodeJS.Signals) => void) | null = null
  const promise = new Promise<NodeJS.Signals>((resolve) => {
    onsignal = (sig) => {
      process.off('SIGINT', onsignal!)
      process.off('SIGTERM', onsignal!)
      const force = (): never => process.exit(EXIT_INTERRUPTED)
      process.once('SIGINT', force)
      process.once('SIGTERM', force)
      setTimeout(force, SHUTDOWN_TIMEOUT).unref()
      resolve(sig)
    }
    process.on('SIGINT', onsignal)
    process.on('SIGTERM', onsignal)
  })
  const dispose = (): void => {
    if (onsignal === null) return
    process.off('SIGINT', onsignal)
    process.off('SIGTERM', onsignal)
  }
  return { promise, dispose }
}
