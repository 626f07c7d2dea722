// A census of the timers and sockets a test creates, to check that destroy() released them all.
// async_hooks sees every Timeout, Immediate and UDP handle created while the census records; each
// leaves the census when it is destroyed (a timer that fired or was cleared, a closed socket).
// (Counting process.getActiveResourcesInfo() instead is flaky: vitest's own RPC timers come and go.)
import { createHook } from 'node:async_hooks'
import { waitFor } from './wait.js'

const TRACKED = new Set(['Timeout', 'Immediate', 'UDPWRAP'])

export interface ResourceCensus {
  /** Resources created since `start` and not destroyed yet, by type. */
  live (): Record<string, number>
  /** Stops recording new resources (those already recorded are still followed). */
  stopRecording (): void
  /**
   * Stops recording and waits (up to `timeout` ms: handles are released a turn or so after
   * `close`) until every recorded resource was destroyed; resolves with what is left.
   */
  settle (timeout?: number): Promise<Record<string, number>>
  disable (): void
}

export function resourceCensus (): ResourceCensus {
  const live = new Map<number, string>()
  let recording = true
  const hook = createHook({
    init (id, type) { if (recording && TRACKED.has(type)) live.set(id, type) },
    destroy (id) { live.delete(id) }
  }).enable()
  const count = (): Record<string, number> => {
    const out: Record<string, number> = {}
    for (const type of live.values()) out[type] = (out[type] ?? 0) + 1
    return out
  }
  return {
    live: count,
    stopRecording () { recording = false },
    async settle (timeout = 5000) {
      recording = false
      await waitFor(() => live.size === 0, timeout).catch(() => {})
      return count()
    },
    disable () { hook.disable() }
  }
}
