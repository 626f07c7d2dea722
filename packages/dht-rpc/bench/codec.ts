// Codec throughput on typical messages: our generated code (scripts/proto-gen.mjs) against the
// reference's `protocol-buffers` codecs (the ones dht-rpc@2.3.0 and hyperdht@1.3.0 run) and
// protobufjs reflection, measured in the same run, alternating short rounds so that load from
// other processes hits every contender alike; the best round of each is kept.
//
//   pnpm tsx bench/codec.ts                  (BENCH_MS=150 BENCH_ROUNDS=5 to change)
//
// Ratios are ours / protocol-buffers (higher is better). Not a test: it never asserts on speed;
// it does check that every contender decodes to the same bytes before timing.
import { readFileSync } from 'node:fs'
import { createRequire } from 'node:module'
import { dirname, join } from 'node:path'
import { fileURLToPath } from 'node:url'
import protobuf from 'protobufjs'
import { lanAddressNumber, peersRequest, peersResponse } from '../../hyperdht/src/messages/index.js'
import { requestEncoding, responseEncoding } from '../src/messages/codec.js'

// eslint-disable-next-line @typescript-eslint/no-explicit-any
type Any = any

export interface CodecRow {
  /** e.g. "_ping request encode" */
  scenario: string
  /** ops/s of each contender */
  ours: number
  protocolBuffers: number
  reflection: number
}

export interface CodecBenchOptions {
  /** Milliseconds per contender per round. */
  ms?: number
  rounds?: number
}

interface Contender { encode: (m: Any) => unknown, decode: (b: Buffer) => unknown }
interface Case {
  name: string
  message: Record<string, unknown>
  /** The same message in our codec's types, where they differ (a `(uint_be)` field is a number). */
  oursMessage?: Record<string, unknown>
  ours: Contender
  protocolBuffers: Contender
  reflection: Contender
}

const here = dirname(fileURLToPath(import.meta.url))
const require = createRequire(import.meta.url)
const hyperdhtRequire = createRequire(require.resolve('hyperdht'))
const protocolBuffers = hyperdhtRequire('protocol-buffers') as (schema: string | Buffer) => Any
const refRpc = createRequire(hyperdhtRequire.resolve('dht-rpc'))('./messages') as Any
const refHyperdht = protocolBuffers(readFileSync(join(dirname(require.resolve('hyperdht')), 'schema.proto')))

function reflectionTypes (file: string): Any {
  const root = protobuf.parse(readFileSync(file, 'utf8'), { keepCase: true }).root
  return root
}
const rpcRoot = reflectionTypes(join(here, '../src/messages/schema.proto'))
const hyperRoot = reflectionTypes(join(here, '../../hyperdht/src/messages/schema.proto'))

const reflect = (type: Any): Contender => ({ encode: (m) => type.encode(m).finish(), decode: (b) => type.decode(b) })
// protocol-buffers' types already have encode(message) and decode(bytes): used as they are, so that
// no wrapper shared by every type stands between the loop and the codec.
const reference = (type: Any): Contender => type as Contender

const bytes = (n: number, seed: number): Buffer => Buffer.from(Array.from({ length: n }, (_, i) => (i * 31 + seed) & 0xff))
const id = bytes(32, 1)
const peersValue = { peers: bytes(6 * 20, 5), localPeers: bytes(4 * 2, 6) }

const cases: Case[] = [
  {
    name: '_ping request',
    message: { command: '_ping', id },
    ours: requestEncoding,
    protocolBuffers: reference(refRpc.Request),
    reflection: reflect(rpcRoot.lookupType('Request'))
  },
  {
    name: '_find_node request',
    message: { command: '_find_node', id, target: bytes(32, 2) },
    ours: requestEncoding,
    protocolBuffers: reference(refRpc.Request),
    reflection: reflect(rpcRoot.lookupType('Request'))
  },
  {
    name: 'response, 20 nodes + token + value',
    message: { id, nodes: bytes(38 * 20, 3), value: Buffer.from(peersResponse.encode(peersValue)), roundtripToken: bytes(32, 4) },
    ours: responseEncoding,
    protocolBuffers: reference(refRpc.Response),
    reflection: reflect(rpcRoot.lookupType('Response'))
  },
  {
    name: 'hyperdht peers request',
    message: { type: 1, port: 8080, localAddress: bytes(6, 7) },
    oursMessage: { type: 1, port: 8080, localAddress: lanAddressNumber(bytes(6, 7)) },
    ours: peersRequest as Contender,
    protocolBuffers: reference(refHyperdht.Request),
    reflection: reflect(hyperRoot.lookupType('PeersRequest'))
  },
  {
    name: 'hyperdht peers response, 20 peers',
    message: peersValue,
    ours: peersResponse as Contender,
    protocolBuffers: reference(refHyperdht.Response),
    reflection: reflect(hyperRoot.lookupType('PeersResponse'))
  }
]

let sink = 0

type Loop = (k: Contender, x: unknown, n: number) => number

/**
 * A loop of `n` calls of `k.<method>(x)` compiled from a source of its own (the name makes the
 * source unique, so V8 does not hand back a cached function), one per contender, case and
 * direction. In one loop shared by all, the call site would see every codec, turn megamorphic
 * and add its dispatch cost (about 30 ns here) to every call of every contender alike, which
 * measures the harness and pulls every ratio toward 1. Here each call site sees one codec, as
 * the call sites of an application do.
 */
function compileLoop (method: 'encode' | 'decode', name: string): Loop {
  // eslint-disable-next-line @typescript-eslint/no-implied-eval
  return new Function('k', 'x', 'n', `// ${JSON.stringify(name)}
    let returned = 0
    for (let i = 0; i < n; i++) if (k.${method}(x) !== undefined) returned++
    return returned`) as Loop
}

/**
 * Calls per CPU-second of `loop`, over about `ms` milliseconds of this process's CPU time. CPU
 * time rather than wall time: on a machine shared with other processes, time spent descheduled
 * would otherwise count against whichever contender happened to be running.
 */
function measure (loop: Loop, k: Contender, x: unknown, ms: number): number {
  let calls = 0
  const start = process.cpuUsage()
  let used = 0
  while (used < ms * 1000) {
    sink += loop(k, x, 500)
    calls += 500
    const u = process.cpuUsage(start)
    used = u.user + u.system
  }
  return calls / (used / 1e6)
}

const hex = (b: Uint8Array): string => Buffer.from(b.buffer, b.byteOffset, b.byteLength).toString('hex')

/** Runs every case; returns one row per case and direction. */
export function runCodecBench (options: CodecBenchOptions = {}): CodecRow[] {
  const ms = options.ms ?? Number(process.env.BENCH_MS ?? 150)
  const rounds = options.rounds ?? Number(process.env.BENCH_ROUNDS ?? 5)
  const rows: CodecRow[] = []
  for (const c of cases) {
    const encoded = Buffer.from(c.protocolBuffers.encode(c.message) as Uint8Array)
    const oursMessage = c.oursMessage ?? c.message
    // Same bytes from every encoder, or the comparison means nothing.
    if (hex(c.ours.encode(oursMessage) as Uint8Array) !== hex(encoded)) throw new Error(`${c.name}: ours encodes differently`)
    if (hex(c.reflection.encode(c.message) as Uint8Array) !== hex(encoded)) throw new Error(`${c.name}: reflection encodes differently`)
    for (const direction of ['encode', 'decode'] as const) {
      const input = direction === 'encode' ? c.message : encoded
      const oursInput = direction === 'encode' ? oursMessage : encoded
      const loops = {
        ours: compileLoop(direction, `${c.name} ${direction} ours`),
        protocolBuffers: compileLoop(direction, `${c.name} ${direction} protocol-buffers`),
        reflection: compileLoop(direction, `${c.name} ${direction} reflection`)
      }
      const best = { ours: 0, protocolBuffers: 0, reflection: 0 }
      for (let r = 0; r < rounds; r++) {
        best.protocolBuffers = Math.max(best.protocolBuffers, measure(loops.protocolBuffers, c.protocolBuffers, input, ms))
        best.reflection = Math.max(best.reflection, measure(loops.reflection, c.reflection, input, ms))
        best.ours = Math.max(best.ours, measure(loops.ours, c.ours, oursInput, ms))
      }
      rows.push({ scenario: `${c.name} ${direction}`, ...best })
    }
  }
  if (sink < 0) console.log(sink)
  return rows
}

function print (rows: CodecRow[]): void {
  const fmt = (n: number): string => Math.round(n).toLocaleString('en-US')
  const table = [['message', 'ours', 'protocol-buffers', 'protobufjs reflection', 'ours/protocol-buffers', 'reflection/protocol-buffers']]
  for (const r of rows) {
    table.push([r.scenario, fmt(r.ours), fmt(r.protocolBuffers), fmt(r.reflection), `${(r.ours / r.protocolBuffers).toFixed(2)}x`, `${(r.reflection / r.protocolBuffers).toFixed(2)}x`])
  }
  const widths = table[0]!.map((_, c) => Math.max(...table.map((row) => row[c]!.length)))
  for (const [i, row] of table.entries()) {
    console.log(row.map((cell, c) => c === 0 ? cell.padEnd(widths[c]!) : cell.padStart(widths[c]!)).join('  '))
    if (i === 0) console.log(widths.map((w) => '-'.repeat(w)).join('  '))
  }
}

if (process.argv[1] !== undefined && fileURLToPath(import.meta.url) === process.argv[1]) {
  console.log(`codec throughput (operations per CPU-second), Node ${process.version}: best of ${process.env.BENCH_ROUNDS ?? 5} alternating rounds\n`)
  print(runCodecBench())
}
