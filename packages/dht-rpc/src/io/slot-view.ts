/**
 * The view of one slot of a buffer, handed out again while the same slot of the same buffer is
 * asked for: requests to one host in a row (a client's pings, a query and its update) then reuse
 * it instead of making a view (~80 bytes) each. Another buffer (one that replaced a grown one,
 * or another generation's) gets a view of its own. A view is a position: whatever the slot holds
 * when it is read is what it shows.
 */
export class SlotView {
  #bytes: Uint8Array | null = null
  #start = -1
  #view: Uint8Array | null = null

  /** The view of `bytes` from `start`, `length` bytes long (the same length on every call). */
  of (bytes: Uint8Array, start: number, length: number): Uint8Array {
    if (bytes !== this.#bytes || start !== this.#start || this.#view === null) {
      this.#view = bytes.subarray(start, start + length)
      this.#bytes = bytes
      this.#start = start
    }
    return this.#view
  }

  /** Lets go of the buffer (one that was replaced by a grown one: the view would keep it alive). */
  clear (): void {
    this.#bytes = this.#view = null
    this.#start = -1
  }
}
