// An impaired datagram link on virtual time: seeded loss, duplication, latency and jitter
// (jitter reorders), and a switch to cut it. For testing the reliable channel.
import type { Random } from '../src/random'
import type { VirtualTime } from './virtual-time'

export interface LinkOptions {
  /** Probability that a datagram is dropped. */
  loss?: number
  /** Probability that a datagram is delivered twice. */
  duplicate?: number
  /** Base one-way latency (ms). */
  latency?: number
  /** Extra random latency in [0, jitter) ms per datagram (reorders datagrams). */
  jitter?: number
}

export class Link {
  readonly #time: VirtualTime
  readonly #random: Random
  readonly #options: Required<LinkOptions>
  #deliver: (bytes: Uint8Array) => void = () => {}
  /** Datagrams that entered the link, with their send time. */
  readonly sent: Array<{ at: number, bytes: Uint8Array }> = []
  delivered = 0
  dropped = 0
  /** While true, everything is dropped. */
  cut = false
  /** Drops datagrams for which this returns true (after `cut`, before random loss). */
  filter: ((bytes: Uint8Array) => boolean) | null = null

  constructor (time: VirtualTime, random: Random, options: LinkOptions = {}) {
    this.#time = time
    this.#random = random
    this.#options = { loss: 0, duplicate: 0, latency: 10, jitter: 0, ...options }
  }

  set options (options: LinkOptions) {
    Object.assign(this.#options, options)
  }

  /** Where datagrams come out. */
  connect (deliver: (bytes: Uint8Array) => void): void {
    this.#deliver = deliver
  }

  /** Puts a datagram on the link. */
  readonly send = (bytes: Uint8Array): void => {
    this.sent.push({ at: this.#time.now(), bytes })
    if (this.cut || this.filter?.(bytes) === true || this.#random() < this.#options.loss) {
      this.dropped++
      return
    }
    const copies = this.#random() < this.#options.duplicate ? 2 : 1
    for (let i = 0; i < copies; i++) {
      const delay = this.#options.latency + this.#random() * this.#options.jitter
      const copy = bytes.slice()
      this.#time.schedule(() => {
        this.delivered++
        this.#deliver(copy)
      }, delay)
    }
  }
}
