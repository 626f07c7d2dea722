import { DHT, type Peer } from '@hyperdht-ts/dht-rpc'
import { HEALTH_CACHE, HEALTH_TIMEOUT } from './constants.js'

export interface HealthVerdict {
  ok: boolean
  /** Round-trip of the probe's `_ping` (ms), when it answered. */
  rtt: number | null
  /** Why it is not ok. */
  reason: string | null
  /** When this verdict was reached (ms since the epoch). */
  checkedAt: number
}

/**
 * Answers "is the node bound and answering?" the way a peer would find out: a `_ping` from a
 * separate probe socket to the node's address. Verdicts are cached for `HEALTH_CACHE` ms and
 * concurrent checks share one ping, so polling `/health` cannot load the node.
 */
export class HealthProbe {
  #target: () => Peer | null
  #probe: DHT | null = null
  #last: HealthVerdict | null = null
  #running: Promise<HealthVerdict> | null = null
  #destroyed = false

  /** `target` gives the address to ping, or null while the node is not bound (or shutting down). */
  constructor (target: () => Peer | null) {
    this.#target = target
  }

  async check (): Promise<HealthVerdict> {
    const now = Date.now()
    if (this.#last !== null && now - this.#last.checkedAt < HEALTH_CACHE) return this.#last
    this.#running ??= this.#ping().then((v) => {
      this.#running = null
      this.#last = v
      return v
    })
    return await this.#running
  }

  /** Forgets the cached verdict (the server just started shutting down). */
  invalidate (): void {
    this.#last = null
  }

  async destroy (): Promise<void> {
    this.#destroyed = true
    await this.#probe?.destroy()
    this.#probe = null
  }

  async #ping (): Promise<HealthVerdict> {
    const target = this.#target()
    const verdict = (ok: boolean, rtt: number | null, reason: string | null): HealthVerdict => ({ ok, rtt, reason, checkedAt: Date.now() })
    if (target === null || this.#destroyed) return verdict(false, null, 'the DHT socket is not bound')
    try {
      // the probe is a client: no id, no bootstrap, so it never enters anyone's routing table
      this.#probe ??= new DHT({ ephemeral: true })
      const t0 = performance.now()
      await this.#probe.ping(target, { signal: AbortSignal.timeout(HEALTH_TIMEOUT) })
      return verdict(true, Math.round((performance.now() - t0) * 100) / 100, null)
    } catch (err) {
      return verdict(false, null, `no answer to a _ping within ${HEALTH_TIMEOUT} ms (${(err as { code?: string }).code ?? (err as Error).message})`)
    }
  }
}
