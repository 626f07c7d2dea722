// Store memory: heap bytes per stored announce and value, measured, against what the stores
// account for their byte budgets; then the stores filled to their default caps.
//
//   pnpm --filter @hyperdht-ts/hyperdht bench:store            (table)
//   pnpm --filter @hyperdht-ts/hyperdht bench:store --json     (one JSON object)
//
// Measured = growth of V8's used heap plus ArrayBuffer memory after a full GC, divided by the
// entries stored. The accounting constants in src/constants.ts (PEER_ENTRY_BYTES, ...) are
// chosen so that accounted >= measured in every shape here (ratio <= 1).
import { randomBytes } from 'node:crypto'
import v8 from 'node:v8'
import vm from 'node:vm'
import { ipv4Peers, ipv6Peers } from '@hyperdht-ts/ip-encoding'
import { HyperDHT, PeerStore, ValueStore, mutableTarget, signable } from '../src/index.js'
import { sha256, signDetached } from '../src/crypto.js'

v8.setFlagsFromString('--expose-gc')
const gc = vm.runInNewContext('gc') as () => void
const JSON_OUT = process.argv.includes('--json')

function used (): number {
  gc()
  gc()
  const m = process.memoryUsage()
  return m.heapUsed + m.arrayBuffers
}

export interface MemoryRow {
  shape: string
  entries: number
  /** Heap (+ ArrayBuffer) bytes per entry, measured. */
  measured: number
  /** Bytes per entry the store accounts against its budget. */
  accounted: number
}

const rows: MemoryRow[] = []

/** Builds a store with `fill`, and measures what it holds. Inputs are made before the baseline. */
function measure<S extends { bytes: number, size: number }> (shape: string, make: () => S, fill: (s: S) => void): S {
  const before = used()
  const store = make()
  fill(store)
  const after = used()
  rows.push({ shape, entries: store.size, measured: (after - before) / store.size, accounted: store.bytes / store.size })
  return store
}

// Keys are made as bytes before the baseline and turned into hex while storing, as the handler
// does for every datagram: the store holds (and is charged for) that string.
class Keys {
  readonly #bytes: Buffer
  constructor (n: number) {
    this.#bytes = randomBytes(32 * n)
  }

  hex (i: number): string {
    return this.#bytes.toString('hex', 32 * i, 32 * i + 32)
  }
}
const hexKeys = (n: number): Keys => new Keys(n)
const v4 = (i: number): string => `66.${(i >> 16) & 255}.${(i >> 8) & 255}.${i & 255}`
const v6 = (i: number): string => `2001:db8:${(i >> 8).toString(16)}:${(i & 255).toString(16)}::1`
const lan = { localFilter: new Uint8Array([192, 168]), localPeer: new Uint8Array([1, 2, 0x1f, 0x90]) }

const N = 65_536
const big = { maxSize: 1e7, maxKeys: 1e7, maxPerHost: 1e7, maxBytes: 1e12 }

function peerShapes (): void {
  {
    const keys = hexKeys(N)
    measure('announce: own key, IPv4, 256 per host', () => new PeerStore(big), (s) => {
      for (let i = 0; i < N; i++) {
        const host = v4(i >> 8)
        s.put(keys.hex(i), { host, port: 1 + (i & 255), peer: ipv4Peers.encodeOne({ host, port: 1 + (i & 255) }), localFilter: null, localPeer: null }, 0)
      }
    })
  }
  {
    const keys = hexKeys(N)
    measure('announce: own key, IPv6 + LAN, own host', () => new PeerStore(big), (s) => {
      for (let i = 0; i < N; i++) {
        const host = v6(i)
        s.put(keys.hex(i), { host, port: 1, peer: ipv6Peers.encodeOne({ host, port: 1 }), ...lan }, 0)
      }
    })
  }
  {
    const keys = hexKeys(N / 16)
    measure('announce: 16 per key, own /24 each', () => new PeerStore(big), (s) => {
      for (let i = 0; i < N; i++) {
        const host = v4(i << 8)
        s.put(keys.hex(i >> 4), { host, port: 1, peer: ipv4Peers.encodeOne({ host, port: 1 }), localFilter: null, localPeer: null }, 0)
      }
    })
  }
  {
    // 1025 announcers per key: each key's prefix index is built (and one announce evicted)
    const keys = hexKeys(64)
    measure('announce: full keys (1024), own /24 each', () => new PeerStore(big), (s) => {
      for (let i = 0; i < 64 * 1025; i++) {
        const host = v4(i << 8)
        s.put(keys.hex(i % 64), { host, port: 1, peer: ipv4Peers.encodeOne({ host, port: 1 }), localFilter: null, localPeer: null }, 0)
      }
    })
  }
}

const V = 16_384
const bigValues = { maxSize: 1e7, maxPerHost: 1e7, maxBytes: 1e12 }

function valueShapes (): void {
  for (const size of [1000, 32]) {
    const values = Array.from({ length: V }, () => randomBytes(size))
    const hashes = values.map((v) => sha256(v))
    measure(`immutable: ${size} bytes, own host`, () => new ValueStore(bigValues), (s) => {
      for (let i = 0; i < V; i++) s.putImmutable(hashes[i] as Uint8Array, values[i] as Uint8Array, v4(i), 0)
    })
  }
  const records = mutableRecords(V / 4, 1000)
  measure('mutable: 1000 bytes + 64-byte salt', () => new ValueStore(bigValues), (s) => {
    records.forEach((r, i) => s.putMutable(r.target, r, v4(i), 0))
  })
}

function mutableRecords (n: number, size: number): Array<{ target: Uint8Array, publicKey: Uint8Array, salt: Uint8Array, seq: number, value: Uint8Array, signature: Uint8Array }> {
  const kp = HyperDHT.keyPair()
  return Array.from({ length: n }, () => {
    const salt = randomBytes(64)
    const value = randomBytes(size)
    const signature = signDetached(signable(salt, 1, value), kp.secretKey)
    return { target: mutableTarget(kp.publicKey, salt), publicKey: kp.publicKey, salt, seq: 1, value, signature }
  })
}

export interface CeilingRow {
  store: string
  flood: string
  entries: number
  accounted: number
  measured: number
  lastEviction: string | null
}

/** A default-cap store filled by a flood of the costliest shape, far past its caps. */
function ceiling (store: string, flood: string, fill: () => { size: number, bytes: number, lastEviction: string | null }): CeilingRow {
  const before = used()
  const s = fill()
  return { store, flood, entries: s.size, accounted: s.bytes, measured: used() - before, lastEviction: s.lastEviction }
}

function ceilings (): CeilingRow[] {
  const floods = 3 * N
  return [
    ceiling('PeerStore', `${floods} announces, own key, IPv6 + LAN`, () => {
      const keys = hexKeys(floods)
      const s = new PeerStore()
      for (let i = 0; i < floods; i++) {
        const host = v6(i >> 8)
        s.put(keys.hex(i), { host, port: 1 + (i & 255), peer: ipv6Peers.encodeOne({ host, port: 1 + (i & 255) }), ...lan }, 0)
      }
      return s
    }),
    ceiling('PeerStore', `${floods} announces, own key, IPv4`, () => {
      const keys = hexKeys(floods)
      const s = new PeerStore()
      for (let i = 0; i < floods; i++) {
        const host = v4(i >> 8)
        s.put(keys.hex(i), { host, port: 1 + (i & 255), peer: ipv4Peers.encodeOne({ host, port: 1 + (i & 255) }), localFilter: null, localPeer: null }, 0)
      }
      return s
    }),
    ceiling('PeerStore', `${floods} announces, 64 per key, IPv4`, () => {
      const keys = hexKeys(floods / 64)
      const s = new PeerStore()
      for (let i = 0; i < floods; i++) {
        const host = v4(i >> 8)
        s.put(keys.hex(i >> 6), { host, port: 1 + (i & 255), peer: ipv4Peers.encodeOne({ host, port: 1 + (i & 255) }), localFilter: null, localPeer: null }, 0)
      }
      return s
    }),
    ceiling('ValueStore', `${2 * V} mutable puts, 1000 bytes + 64-byte salt`, () => {
      const records = mutableRecords(2 * V, 1000)
      const s = new ValueStore()
      records.forEach((r, i) => s.putMutable(r.target, r, v4(i >> 8), 0))
      return s
    }),
    ceiling('ValueStore', `${2 * V} immutable puts, 100 bytes`, () => {
      const s = new ValueStore()
      for (let i = 0; i < 2 * V; i++) {
        const value = randomBytes(100)
        s.putImmutable(sha256(value), value, v4(i >> 8), 0)
      }
      return s
    })
  ]
}

peerShapes()
valueShapes()
const ceilingRows = ceilings()

if (JSON_OUT) {
  console.log(JSON.stringify({ node: process.version, perEntry: rows, ceilings: ceilingRows }))
} else {
  const mb = (n: number): string => (n / 1048576).toFixed(1) + ' MiB'
  console.log(`Store memory (${process.version}): bytes per entry`)
  console.log('shape'.padEnd(46) + 'entries'.padStart(9) + 'measured'.padStart(10) + 'accounted'.padStart(11) + 'ratio'.padStart(7))
  for (const r of rows) {
    console.log(r.shape.padEnd(46) + String(r.entries).padStart(9) + r.measured.toFixed(0).padStart(10) + r.accounted.toFixed(0).padStart(11) + (r.measured / r.accounted).toFixed(2).padStart(7))
  }
  console.log('\nDefault caps, flooded:')
  for (const c of ceilingRows) {
    console.log(`${c.store}: ${c.flood}: holds ${c.entries}, accounted ${mb(c.accounted)}, measured ${mb(c.measured)} (last eviction: ${c.lastEviction ?? 'none'})`)
  }
}
