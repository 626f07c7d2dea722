// Mutation fuzzing of ip-encoding, beyond the random-bytes tests beside each codec: VALID encodings
// (peers, nodes, LAN peers) and address strings broken by test-utils' mutation engine, decoded
// whole and at arbitrary offsets. Properties: only IpEncodingError with a known code is thrown;
// what decodes re-encodes to the same bytes; ids are copies, never views of the input; a single
// entry decoded at an offset is the entry of the list at that place; `hostKey` never throws and
// is idempotent. Plus a replay of ./corpus/.
import { isIP } from 'node:net'
import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import { Prng, fuzzSeed, envCount, loadCorpus, mutate } from '@hyperdht-ts/test-utils'
import {
  IpEncodingError, formatAddress, hostKey, ipv4Peers, ipv6Peers, lanPeer, nodeCodec, normalizeHost, parseAddress, prefix16, prefix24,
  type IpEncodingErrorCode
} from '../../src/index'

const CODES = new Set<IpEncodingErrorCode>(['INVALID_LENGTH', 'INVALID_HOST', 'INVALID_PORT', 'INVALID_ID', 'INVALID_ARGUMENT'])
const fcOptions = (numRuns: number): fc.Parameters<unknown> =>
  process.env.FC_SEED === undefined ? { numRuns } : { numRuns, seed: Number(process.env.FC_SEED) }
const hex = (b: Uint8Array): string => Buffer.from(b.buffer, b.byteOffset, b.byteLength).toString('hex')

/** The outcome of `fn`: its value, or the code of the IpEncodingError it threw (anything else fails). */
function outcome<T> (fn: () => T): { ok: true, value: T } | { ok: false, code: IpEncodingErrorCode } {
  try {
    return { ok: true, value: fn() }
  } catch (err) {
    if (!IpEncodingError.isInstance(err) || !CODES.has(err.code)) throw new Error(`not an IpEncodingError with a known code: ${String(err)}`, { cause: err })
    return { ok: false, code: err.code }
  }
}

const codecs = {
  ipv4Peers,
  ipv6Peers,
  nodes4: nodeCodec({ idLength: 32, family: 4 }),
  nodes6: nodeCodec({ idLength: 32, family: 6 })
}

/** Valid lists of each codec, from a Prng (hosts of every shape: v4, v4-mapped, zeros). */
function validList (rand: Prng, name: keyof typeof codecs): Uint8Array {
  const n = rand.int(6)
  const v4 = (): string => [rand.int(256), rand.int(256), rand.int(256), rand.int(256)].join('.')
  const v6 = (): string => rand.pick([
    () => '::ffff:' + v4(),
    () => '2001:db8::' + rand.int(0x10000).toString(16),
    () => Array.from({ length: 8 }, () => rand.int(0x10000).toString(16)).join(':'),
    () => '::1'
  ])()
  const port = (): number => 1 + rand.int(65535)
  if (name === 'ipv4Peers') return ipv4Peers.encode(Array.from({ length: n }, () => ({ host: v4(), port: port() })))
  if (name === 'ipv6Peers') return ipv6Peers.encode(Array.from({ length: n }, () => ({ host: v6(), port: port() })))
  const family = name === 'nodes4' ? 4 : 6
  return codecs[name].encode(Array.from({ length: n }, () => ({ id: rand.bytes(32), host: family === 4 ? v4() : v6(), port: port() })))
}

function checkCodec (name: keyof typeof codecs, bytes: Uint8Array, rand: Prng): void {
  const codec = codecs[name] as typeof ipv4Peers
  const list = outcome(() => codec.decode(bytes))
  if (list.ok) {
    // lossless: what decodes re-encodes to the same bytes
    expect(hex(codec.encode(list.value)), name).toBe(hex(bytes))
    for (const e of list.value as Array<{ id?: Uint8Array }>) if (e.id) expect(e.id.buffer, `${name}: id is a view of the input`).not.toBe(bytes.buffer)
  }
  // one entry at any offset (in range or not) is that entry of the list, or a typed error
  const size = codec.bytesPerEntry
  const offset = rand.pick([0, size, rand.int(bytes.length + 2), bytes.length - size, bytes.length, -1, 0.5])
  const one = outcome(() => codec.decodeOne(bytes, offset))
  if (one.ok) {
    expect(Number.isInteger(offset) && offset >= 0 && offset + size <= bytes.length).toBe(true)
    expect(hex(codec.encodeOne(one.value))).toBe(hex(bytes.subarray(offset, offset + size)))
  } else if (Number.isInteger(offset) && offset >= 0 && offset + size <= bytes.length) {
    expect(['INVALID_PORT', 'INVALID_HOST']).toContain(one.code)
  }
}

describe('ip-encoding under mutation', () => {
  it('mutated valid peer and node lists: typed errors only, lossless when they decode, ids copied, decodeOne agrees', () => {
    fc.assert(fc.property(fc.constantFrom(...(Object.keys(codecs) as Array<keyof typeof codecs>)), fc.integer({ min: 0, max: 0xffffffff }), (name, s) => {
      const rand = new Prng(s)
      const valid = validList(rand, name)
      checkCodec(name, valid, rand)
      checkCodec(name, mutate(rand, valid, { maxOps: 3 }).bytes, rand)
    }), fcOptions(3000))
  })

  it('LAN peers: mutated lists and prefixes of any length give typed errors or peers of the prefix\'s /16', () => {
    fc.assert(fc.property(fc.integer({ min: 0, max: 0xffffffff }), (s) => {
      const rand = new Prng(s)
      const head = `${rand.int(256)}.${rand.int(256)}`
      const peers = Array.from({ length: rand.int(5) }, () => ({ host: `${head}.${rand.int(256)}.${rand.int(256)}`, port: 1 + rand.int(65535) }))
      const bytes = mutate(rand, lanPeer.encodeList(peers), { maxOps: 2 }).bytes
      const prefix = rand.chance(0.5) ? mutate(rand, Uint8Array.from([...head.split('.').map(Number), 1, 2, 0, 80])).bytes : `${head}.9.9`
      const out = outcome(() => lanPeer.decode(bytes, prefix))
      if (!out.ok) return
      expect(hex(lanPeer.encodeList(out.value))).toBe(hex(bytes))
      for (const p of out.value) expect(lanPeer.samePrefix(p.host, prefix)).toBe(true)
    }), fcOptions(2000))
  })

  it('address text: parse, format and host keys on mutated strings (seeded)', () => {
    const seed = fuzzSeed()
    const count = envCount('FUZZ_ADDRESSES', 10_000)
    console.log(`ip-encoding addresses: seed ${seed}, ${count} mutated strings (replay: FUZZ_SEED=${seed} FUZZ_ADDRESSES=${count})`)
    const rand = new Prng(seed)
    const valid = ['127.0.0.1:3282', '[::1]:80', '::ffff:10.0.0.1', '[2001:db8::1]:49737', 'fe80::1%eth0', 'node-1.example.org:3282', ':3282', '3282', '0.0.0.0', '[::]:1']
      .map((s) => Buffer.from(s))
    const dec = new TextDecoder()
    for (let i = 0; i < count; i++) {
      const text = dec.decode(mutate(rand, rand.pick(valid), { maxOps: 2 }).bytes)
      const why = `seed ${seed} #${i}: ${JSON.stringify(text)}`
      // hostKey runs on every datagram: never throws, canonical and idempotent
      let key: string | null
      try {
        key = hostKey(text)
      } catch (err) {
        throw new Error(`${why}: hostKey threw ${String(err)}`, { cause: err })
      }
      if (key !== null) {
        expect(hostKey(key), why).toBe(key)
        expect(isIP(key), why).not.toBe(0)
      }
      // the family agrees with Node's, and normalizing an IP literal keeps its family
      const norm = outcome(() => normalizeHost(text))
      expect(norm.ok, why).toBe(isIP(text) !== 0)
      if (norm.ok) expect(isIP(norm.value), why).toBe(isIP(text))
      for (const fn of [prefix16, prefix24]) outcome(() => fn(text))
      const peer = outcome(() => parseAddress(text, 3282))
      if (!peer.ok) continue
      expect(peer.value.port, why).toBeGreaterThanOrEqual(1)
      expect(peer.value.port, why).toBeLessThanOrEqual(65535)
      // what parses formats to text that parses back to the same peer
      const again = parseAddress(formatAddress(peer.value))
      expect(again, why).toEqual(peer.value)
    }
  })
})

describe('ip-encoding fuzz corpus', () => {
  // targets: ipv4Peers, ipv6Peers, nodes4, nodes6 (hex = the list; expect = entries or the error
  // code), lanPeer (hex = 6-byte localAddress prefix then the list), hostKey (hex = UTF-8 text;
  // expect = the key or "null")
  const corpus = loadCorpus(new URL('./corpus/', import.meta.url))
  const targets = new Set([...Object.keys(codecs), 'lanPeer', 'hostKey'])

  it('has cases, all with known targets', () => {
    expect(corpus.length).toBeGreaterThan(5)
    for (const c of corpus) expect(targets.has(c.target), `${c.file}: unknown target ${c.target}`).toBe(true)
  })

  for (const c of loadCorpus(new URL('./corpus/', import.meta.url))) {
    it(`${c.target}: ${c.file}`, () => {
      let got: string
      if (c.target === 'hostKey') {
        got = String(hostKey(new TextDecoder().decode(c.bytes)))
      } else if (c.target === 'lanPeer') {
        const out = outcome(() => lanPeer.decode(c.bytes.subarray(6), c.bytes.subarray(0, 6)))
        got = out.ok ? String(out.value.length) : out.code
      } else {
        const out = outcome(() => (codecs[c.target as keyof typeof codecs] as typeof ipv4Peers).decode(c.bytes))
        got = out.ok ? String(out.value.length) : out.code
        checkCodec(c.target as keyof typeof codecs, c.bytes, new Prng(0))
      }
      expect(got, `${c.file}: ${c.note}`).toBe(c.expect)
    })
  }
})
