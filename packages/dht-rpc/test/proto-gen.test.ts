// scripts/proto-gen.mjs: the committed generated code matches its .proto, every supported field
// type encodes byte for byte like protocol-buffers@3 (the reference's codec library), and
// schemas the generator cannot handle correctly are refused.
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { createRequire } from 'node:module'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { pathToFileURL } from 'node:url'
import fc from 'fast-check'
import ts from 'typescript'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { emit, findProtos, generateFile, outputOf, parseSchema } from '../../../scripts/proto-gen.mjs'

const require = createRequire(import.meta.url)
const hyperdhtRequire = createRequire(require.resolve('hyperdht'))
// eslint-disable-next-line @typescript-eslint/no-explicit-any
type Any = any
const protocolBuffers = hyperdhtRequire('protocol-buffers') as (schema: string) => Any

const fcOptions = (numRuns: number): fc.Parameters<unknown> =>
  process.env.FC_SEED === undefined ? { numRuns } : { numRuns, seed: Number(process.env.FC_SEED) }

const ALL_TYPES = `
syntax = "proto2";

message All {
  required string name = 1;
  optional bytes data = 2;
  optional uint32 small = 3;
  optional uint64 big = 4;
  optional bool flag = 5;
  required uint64 seq = 20;
  optional string note = 300;
}
`

describe('proto-gen', () => {
  it('the committed generated files match their .proto (what `pnpm proto:check` checks)', () => {
    const protos = findProtos()
    expect(protos.length).toBeGreaterThanOrEqual(2)
    for (const proto of protos) expect(readFileSync(outputOf(proto), 'utf8').replace(/\r\n/g, '\n')).toBe(generateFile(proto))
  })

  it('refuses what it cannot encode correctly', () => {
    const refused = [
      'syntax = "proto3";\nmessage A { string a = 1; }',
      'message A { optional string a = 1; }', // no syntax line: proto2 must be explicit
      'syntax = "proto2";\nmessage A { repeated bytes a = 1; }',
      'syntax = "proto2";\nmessage A { optional sint32 a = 1; }',
      'syntax = "proto2";\nmessage A { optional uint32 a = 1 [default = 5]; }',
      'syntax = "proto2";\nmessage A { message B { optional bytes b = 1; } optional B b = 1; }',
      'syntax = "proto2";\nenum E { X = 0; }\nmessage A { optional E e = 1; }',
      'syntax = "proto2";\nmessage A { oneof o { bytes a = 1; bytes b = 2; } }',
      'syntax = "proto2";\nmessage A { map<string, bytes> m = 1; }'
    ]
    for (const schema of refused) expect(() => parseSchema(schema), schema).toThrow()
  })

  describe('every supported type, against protocol-buffers', () => {
    let dir: string
    let All: Any
    const ref = protocolBuffers(ALL_TYPES).All

    beforeAll(async () => {
      // Generated TypeScript, transpiled and imported like any module.
      const code = emit(parseSchema(ALL_TYPES), 'all.proto')
      const js = ts.transpileModule(code, { compilerOptions: { module: ts.ModuleKind.ESNext, target: ts.ScriptTarget.ES2022 } }).outputText
      dir = mkdtempSync(join(tmpdir(), 'proto-gen-'))
      writeFileSync(join(dir, 'all.mjs'), js)
      All = (await import(pathToFileURL(join(dir, 'all.mjs')).href)).All
    })
    afterAll(() => rmSync(dir, { recursive: true, force: true }))

    const message = fc.record({
      name: fc.string({ maxLength: 50, unit: 'binary' }),
      data: fc.option(fc.uint8Array({ maxLength: 200 }).map((a) => Buffer.from(a)), { nil: null }),
      small: fc.option(fc.nat({ max: 2 ** 32 - 1 }), { nil: null }),
      big: fc.option(fc.oneof(fc.nat(), fc.constantFrom(0, 2 ** 32, 2 ** 53 - 1, 2 ** 35 - 1), fc.maxSafeNat()), { nil: null }),
      flag: fc.option(fc.boolean(), { nil: null }),
      seq: fc.maxSafeNat(),
      note: fc.option(fc.string({ maxLength: 5 }), { nil: null })
    })
    const hex = (b: Uint8Array): string => Buffer.from(b.buffer, b.byteOffset, b.byteLength).toString('hex')

    it('same bytes as protocol-buffers, and each decodes the other', () => {
      fc.assert(fc.property(message, (m) => {
        const ours = All.encode(m)
        expect(hex(ours)).toBe(hex(ref.encode(m)))
        const back = All.decode(ref.encode(m))
        expect({ ...back, data: back.data === null ? null : hex(back.data) }).toEqual({ ...m, data: m.data === null ? null : hex(m.data) })
        const theirs = ref.decode(Buffer.from(ours))
        expect(theirs.name).toBe(m.name)
        expect(theirs.seq).toBe(m.seq)
        if (m.big !== null) expect(theirs.big).toBe(m.big)
        if (m.flag !== null) expect(theirs.flag).toBe(m.flag)
      }), fcOptions(500))
    })

    it('numbers out of range are refused both ways', () => {
      expect(() => All.encode({ name: '', seq: 2 ** 53 })).toThrow(TypeError)
      expect(() => All.encode({ name: '', seq: -1 })).toThrow(TypeError)
      expect(() => All.encode({ name: '', seq: 1.5 })).toThrow(TypeError)
      expect(() => All.encode({ name: '', seq: 0, small: 2 ** 32 })).toThrow(TypeError)
      expect(() => All.encode({ name: '', seq: 0, flag: 1 })).toThrow(TypeError)
      // seq = 2^53 on the wire: 0xa0 0x01 (field 20, varint), then 2^53 as a varint
      const over = Buffer.from([0x0a, 0x00, 0xa0, 0x01, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x10])
      expect(() => All.decode(over)).toThrow(/out of range/)
      const max = Buffer.from([0x0a, 0x00, 0xa0, 0x01, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x0f])
      expect(All.decode(max).seq).toBe(2 ** 53 - 1)
      // small = 2^32 on the wire
      expect(() => All.decode(Buffer.from([0x0a, 0x00, 0xa0, 0x01, 0x00, 0x18, 0x80, 0x80, 0x80, 0x80, 0x10]))).toThrow(/out of range/)
      expect(All.decode(Buffer.from([0x0a, 0x00, 0xa0, 0x01, 0x00, 0x18, 0xff, 0xff, 0xff, 0xff, 0x0f])).small).toBe(2 ** 32 - 1)
    })

    it('a required field missing on the wire throws; multi-byte keys decode', () => {
      expect(() => All.decode(Buffer.from([0x0a, 0x00]))).toThrow(/seq/)
      const m = { name: 'é€😀\ud800', seq: 1, note: 'x' } // non-ASCII, a surrogate pair and a lone surrogate
      expect(hex(All.encode(m))).toBe(hex(ref.encode(m)))
      expect(All.decode(All.encode(m))).toMatchObject({ name: 'é€😀\ufffd', seq: 1, note: 'x' })
    })
  })
})
