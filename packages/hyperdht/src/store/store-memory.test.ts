// The byte budgets only bound memory if the stores account at least what they hold: the heap a
// filled store grows by (after a full GC) must stay within its accounted bytes. A quick version
// of bench/store-memory.ts, which prints the numbers.
import { randomBytes } from 'node:crypto'
import v8 from 'node:v8'
import vm from 'node:vm'
import { ipv4Peers, ipv6Peers } from '@hyperdht-ts/ip-encoding'
import { describe, expect, it } from 'vitest'
import { sha256 } from '../crypto.js'
import { PeerStore } from './peer-store.js'
import { ValueStore } from './value-store.js'

v8.setFlagsFromString('--expose-gc')
const gc = vm.runInNewContext('gc') as () => void

function used (): number {
  gc()
  gc()
  const m = process.memoryUsage()
  return m.heapUsed + m.arrayBuffers
}

/** Heap growth of building a store with `fill`, and the bytes it accounts. */
function measure (fill: () => { bytes: number, size: number }): { measured: number, accounted: number, size: number } {
  const before = used()
  const store = fill()
  const measured = used() - before
  return { measured, accounted: store.bytes, size: store.size }
}

const N = 16_384
const big = { maxSize: 1e7, maxKeys: 1e7, maxPerHost: 1e7, maxBytes: 1e12 }

describe('store memory', () => {
  it('announces under keys of their own (IPv4, and IPv6 with LAN addresses) cost no more than accounted', () => {
    for (const v6 of [false, true]) {
      const keys = randomBytes(32 * N)
      const r = measure(() => {
        const s = new PeerStore(big)
        for (let i = 0; i < N; i++) {
          const host = v6 ? `2001:db8:${(i >> 8).toString(16)}::${(i & 255).toString(16)}` : `66.0.${i >> 8}.${i & 255}`
          const peer = v6 ? ipv6Peers.encodeOne({ host, port: 1 }) : ipv4Peers.encodeOne({ host, port: 1 })
          const lan = v6 ? { localFilter: new Uint8Array([10, 0]), localPeer: new Uint8Array([0, 1, 0, 80]) } : { localFilter: null, localPeer: null }
          s.put(keys.toString('hex', 32 * i, 32 * i + 32), { host, port: 1, peer, ...lan }, 0)
        }
        return s
      })
      expect(r.size).toBe(N)
      expect(r.measured).toBeGreaterThan(0)
      expect(r.measured).toBeLessThanOrEqual(r.accounted)
    }
  })

  it('values of 1000 bytes cost no more than accounted', () => {
    const values = Array.from({ length: N / 4 }, () => randomBytes(1000))
    const hashes = values.map((v) => sha256(v))
    const r = measure(() => {
      const s = new ValueStore({ maxSize: 1e7, maxPerHost: 1e7, maxBytes: 1e12 })
      values.forEach((v, i) => s.putImmutable(hashes[i] as Uint8Array, v, `66.0.${i >> 8}.${i & 255}`, 0))
      return s
    })
    expect(r.size).toBe(N / 4)
    expect(r.measured).toBeLessThanOrEqual(r.accounted)
  })
})
