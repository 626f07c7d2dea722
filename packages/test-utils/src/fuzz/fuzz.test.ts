import { mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { describe, expect, it } from 'vitest'
import { corpusEntry, loadCorpus } from './corpus.js'
import { guardedSocket, isLoopback } from './guard.js'
import { mutate } from './mutate.js'
import { datagramStream, fuzzSourceHost, isFuzzSourceHost } from './packets.js'
import { Prng, envCount, fuzzSeed } from './prng.js'
import { lengthDelimited, overlongVarint, readVarint, scanProto, varint } from './proto.js'

const hex = (b: Uint8Array): string => Buffer.from(b).toString('hex')

describe('Prng', () => {
  it('the same seed gives the same stream, another seed another one', () => {
    const a = new Prng(42)
    const b = new Prng(42)
    const c = new Prng(43)
    const draw = (r: Prng): string => [r.uint32(), r.int(10), r.float(), hex(r.bytes(7)), r.length(100)].join(',')
    expect(draw(a)).toBe(draw(b))
    expect(draw(new Prng(42))).not.toBe(draw(c))
  })

  it('stays within its ranges and is roughly uniform', () => {
    const r = new Prng(7)
    const counts = new Array<number>(10).fill(0)
    for (let i = 0; i < 10_000; i++) {
      const v = r.int(10)
      expect(v).toBeGreaterThanOrEqual(0)
      expect(v).toBeLessThan(10)
      counts[v]!++
    }
    for (const c of counts) expect(c).toBeGreaterThan(800)
    for (let i = 0; i < 1000; i++) expect(r.range(-2, 2)).toBeGreaterThanOrEqual(-2)
  })

  it('refuses seeds that are not uint32, and parses FUZZ_SEED strictly', () => {
    expect(() => new Prng(-1)).toThrow(RangeError)
    expect(() => new Prng(2 ** 32)).toThrow(RangeError)
    expect(fuzzSeed('123')).toBe(123)
    expect(fuzzSeed('0xff')).toBe(255)
    expect(() => fuzzSeed('abc')).toThrow(RangeError)
    expect(Number.isInteger(fuzzSeed(''))).toBe(true)
    process.env.FUZZ_TEST_COUNT = '1_000'
    expect(envCount('FUZZ_TEST_COUNT', 5)).toBe(1000)
    delete process.env.FUZZ_TEST_COUNT
    expect(envCount('FUZZ_TEST_COUNT', 5)).toBe(5)
  })
})

describe('protobuf scan', () => {
  it('finds every field of a well-formed message and reports trailing garbage', () => {
    const msg = Buffer.concat([Buffer.from(lengthDelimited(1, Buffer.from('_ping'))), Buffer.from([0x10, 0x96, 0x01]), Buffer.from(lengthDelimited(300, new Uint8Array(3)))])
    const scan = scanProto(msg)
    expect(scan.clean).toBe(true)
    expect(scan.fields.map((f) => [f.field, f.wire])).toEqual([[1, 2], [2, 0], [300, 2]])
    expect(hex(msg.subarray(scan.fields[0]!.dataStart, scan.fields[0]!.end))).toBe(hex(Buffer.from('_ping')))
    expect(scanProto(Buffer.concat([msg, Buffer.from([0x0a, 0x05])])).clean).toBe(false)
  })

  it('varints: minimal and overlong forms read back to the same value', () => {
    for (const v of [0, 1, 127, 128, 300, 2 ** 32, 2 ** 53 - 1]) {
      expect(readVarint(Uint8Array.from(varint(v)), 0, 10)?.value).toBe(v)
      const long = Uint8Array.from(overlongVarint(v, 2))
      expect(long.length).toBe(varint(v).length + 2)
      expect(readVarint(long, 0, long.length)?.value).toBe(v)
    }
  })
})

describe('mutate', () => {
  const seed = Buffer.concat([Buffer.from([0x80, 0x01]), Buffer.from(lengthDelimited(1, Buffer.from('_find_node'))), Buffer.from(lengthDelimited(3, new Uint8Array(32).fill(7)))])

  it('is deterministic, never modifies its input, and changes it', () => {
    const copy = Buffer.from(seed)
    const a = new Prng(1)
    const b = new Prng(1)
    let changed = 0
    for (let i = 0; i < 500; i++) {
      const x = mutate(a, seed, { headerBytes: 2, donors: [seed] })
      const y = mutate(b, seed, { headerBytes: 2, donors: [seed] })
      expect(hex(x.bytes)).toBe(hex(y.bytes))
      expect(x.ops).toEqual(y.ops)
      expect(x.ops.length).toBeGreaterThan(0)
      expect(x.bytes.length).toBeLessThanOrEqual(1400)
      if (hex(x.bytes) !== hex(seed)) changed++
    }
    expect(hex(seed)).toBe(hex(copy))
    expect(changed).toBeGreaterThan(450)
  })

  it('reaches the structure: edge sizes of a field and broken length prefixes', () => {
    const r = new Prng(2)
    const ops = new Set<string>()
    const sizes = new Set<number>()
    for (let i = 0; i < 3000; i++) {
      const m = mutate(r, seed, { headerBytes: 2, maxOps: 1 })
      for (const op of m.ops) ops.add(op.split(' ')[0]!.replace(/\{.*$/, '{}'))
      const scan = scanProto(m.bytes, 2)
      if (scan.clean && m.ops[0]!.startsWith('resize')) for (const f of scan.fields) sizes.add(f.end - f.dataStart)
    }
    for (const op of ['flip', 'truncate', 'extend', 'splice', 'header', 'resize', 'length', 'overlong', 'dup', 'drop', 'wire', 'renumber']) expect(ops).toContain(op)
    for (const size of [31, 33, 0]) expect(sizes).toContain(size)
  })

  it('the datagram stream replays from its seed', () => {
    const a = datagramStream(new Prng(9), [seed])
    const b = datagramStream(new Prng(9), [seed])
    for (let i = 0; i < 200; i++) {
      const x = a()
      const y = b()
      expect(x.index).toBe(i)
      expect(hex(x.bytes)).toBe(hex(y.bytes))
      expect(x.how).toBe(y.how)
    }
  })
})

describe('corpus files', () => {
  it('loads single cases and arrays, and refuses malformed ones', () => {
    const dir = mkdtempSync(join(tmpdir(), 'corpus-'))
    try {
      writeFileSync(join(dir, 'a.json'), corpusEntry('request', Uint8Array.from([1, 2]), 'two bytes', 'throws'))
      writeFileSync(join(dir, 'b.json'), JSON.stringify([{ target: 'x', hex: '', note: 'empty' }, { target: 'y', hex: 'FF', note: 'upper case hex' }]))
      writeFileSync(join(dir, 'ignored.txt'), 'not a case')
      const cases = loadCorpus(dir)
      expect(cases.map((c) => [c.file, c.target, hex(c.bytes), c.expect])).toEqual([
        ['a.json', 'request', '0102', 'throws'], ['b.json[0]', 'x', '', undefined], ['b.json[1]', 'y', 'ff', undefined]
      ])
      for (const bad of [{ target: 'x', hex: 'f', note: 'odd' }, { target: 'x', hex: 'zz', note: 'not hex' }, { target: '', hex: '', note: 'n' }, { target: 'x', hex: '' }]) {
        writeFileSync(join(dir, 'c.json'), JSON.stringify(bad))
        expect(() => loadCorpus(dir)).toThrow(/c\.json/)
      }
    } finally {
      rmSync(dir, { recursive: true, force: true })
    }
  })
})

describe('addresses', () => {
  it('fuzz sources are loopback, in their own /16s, and never a testnet node address', () => {
    const hosts = Array.from({ length: 200 }, (_, i) => fuzzSourceHost(i))
    expect(new Set(hosts).size).toBe(200)
    for (const h of hosts) {
      expect(isLoopback(h)).toBe(true)
      expect(isFuzzSourceHost(h)).toBe(true)
      expect(h.split('.')[2]).not.toBe('0')
    }
    expect(isFuzzSourceHost('127.200.0.1')).toBe(false) // testnetHost(199)
    expect(isFuzzSourceHost('127.1.0.1')).toBe(false)
  })

  it('the guarded socket refuses to send outside loopback', async () => {
    expect(isLoopback('::ffff:127.0.0.1')).toBe(true)
    expect(isLoopback('::1')).toBe(true)
    expect(isLoopback('128.0.0.1')).toBe(false)
    const s = guardedSocket()
    await new Promise<void>((resolve) => s.bind(0, '127.0.0.1', resolve))
    const err = await new Promise<Error | null>((resolve) => s.send(new Uint8Array(1), 9, '8.8.8.8', resolve))
    expect(err?.message).toMatch(/refused/)
    expect(s.blocked).toEqual([{ host: '8.8.8.8', port: 9 }])
    await new Promise<Error | null>((resolve) => s.send(new Uint8Array(1), 9, '127.0.0.1', resolve))
    expect(s.sentTo.get('127.0.0.1')).toBe(1)
    await new Promise<void>((resolve) => s.close(() => resolve()))
  })
})
