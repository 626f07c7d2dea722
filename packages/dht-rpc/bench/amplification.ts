// Amplification: what a node sends addresses that never proved they receive there, per command
// (docs/security.md, "Amplification"). A network of HyperDHT nodes on their own loopback
// addresses; one of them (the victim) stores a long peer list and 1000-byte values. Bare sockets
// on addresses of their own, which never answer anything (a spoofed stream: the answers go to
// whoever's address was forged), send each command at the victim:
//
// - first: one request from a never-seen address, and its answer;
// - at the rate limit: a stream at the node's per-source rate limit (its burst, then its rate)
//   for BENCH_SECONDS, the most a source may send without being banned;
// - refill-paced: one request each time the address's budget has refilled enough for a full
//   answer (the worst ratio an attacker can sustain: it trades volume for ratio).
//
// Ratios are bytes out / bytes in per source, datagrams with their header, as the node counts
// them. The bound is the amplification budget over the run: factor x in + burst + refill x time.
//
//   pnpm --filter @hyperdht-ts/dht-rpc bench:amplification          (builds, then ~30 s)
//   BENCH_SECONDS=60 pnpm --filter @hyperdht-ts/dht-rpc bench:amplification
//   ... bench:amplification -- --json                                 (one JSON object)
//
// The attacked node is a HyperDHT (its commands are the large answers): it is loaded from the
// hyperdht package's sources, which run on the built packages (hence the build first).
import { randomBytes } from 'node:crypto'
import { fileURLToPath } from 'node:url'
import { RawPeer, closeAll, reflection, requestFrame, type ReflectionResult } from '@hyperdht-ts/test-utils'
import { DEFAULT_AMPLIFICATION, DEFAULT_RATE_LIMIT, type DHTStats } from '../src/index.js'
import { requestEncoding, type RequestMessage } from '../src/messages/codec.js'
import { testnetHost } from '../src/testnet.js'

const SECONDS = Number(process.env.BENCH_SECONDS ?? 20)
const SOURCES = Number(process.env.BENCH_SOURCES ?? 4)
const NODES = 24
const STORED_PEERS = 200
const JSON_OUT = process.argv.includes('--json')
const { factor, burst, refill } = DEFAULT_AMPLIFICATION
const { rate, burst: rateBurst } = DEFAULT_RATE_LIMIT

// The structural part of hyperdht's API used here (dht-rpc does not depend on hyperdht).
interface NodeRef { host: string, port: number }
interface HyperNode {
  dht: { stats: DHTStats }
  peerStore: { put: (key: string, peer: { host: string, port: number, peer: Uint8Array, localFilter: null, localPeer: null }, now: number) => unknown }
  listen: (port: number, host: string) => Promise<void>
  ready: () => Promise<unknown>
  address: () => NodeRef
  announce: (key: Uint8Array, opts: { port: number }) => Promise<unknown>
  immutablePut: (value: Uint8Array) => Promise<{ hash: Uint8Array, stored: NodeRef[] }>
  mutablePut: (keyPair: { publicKey: Uint8Array, secretKey: Uint8Array }, value: Uint8Array, opts: { seq: number }) => Promise<{ target: Uint8Array, stored: NodeRef[] }>
  destroy: () => Promise<void>
}
interface HyperModule {
  HyperDHT: (new (opts: Record<string, unknown>) => HyperNode) & { keyPair: () => { publicKey: Uint8Array, secretKey: Uint8Array } }
}

/** Protobuf by hand for hyperdht's two request values (field 1 varint; fields 1, 3 of MutableRequest). */
const PEERS_LOOKUP = new Uint8Array([0x08, 0x00])
function mutableGet (publicKey: Uint8Array): Uint8Array {
  return new Uint8Array([0x0a, 32, ...publicKey, 0x18, 0x00])
}

export interface AmplificationRow {
  command: string
  request: number
  firstAnswer: number
  firstRatio: number
  /** Worst source of the stream at the rate limit. */
  atLimit: { ratio: number, bytesPerSecond: number, bound: number, asymptote: number }
  /** Worst source of the refill-paced stream. */
  paced: { interval: number, ratio: number, bytesPerSecond: number, bound: number }
}

export async function runAmplificationBench (seconds = SECONDS): Promise<{ rows: AmplificationRow[], guard: DHTStats['guard'], dropped: DHTStats['dropped'] }> {
  const hyperUrl = new URL('../../hyperdht/src/index.ts', import.meta.url).href
  const { HyperDHT } = await import(hyperUrl) as HyperModule
  const nodes: HyperNode[] = []
  const sockets: RawPeer[] = []
  try {
    const first = new HyperDHT({ mode: 'server', ephemeral: false })
    nodes.push(first)
    await first.listen(0, testnetHost(0))
    await first.ready()
    const bootstrap = [`${testnetHost(0)}:${first.address().port}`]
    for (let i = 1; i < NODES; i += 8) {
      await Promise.all(Array.from({ length: Math.min(8, NODES - i) }, async (_, j) => {
        const n = new HyperDHT({ mode: 'server', bootstrap })
        nodes.push(n)
        await n.listen(0, testnetHost(i + j))
        await n.ready()
      }))
    }
    await new Promise((resolve) => setTimeout(resolve, 500))

    const imm = await nodes[1]!.immutablePut(new Uint8Array(randomBytes(1000)))
    const keyPair = HyperDHT.keyPair()
    const mut = await nodes[2]!.mutablePut(keyPair, new Uint8Array(randomBytes(1000)), { seq: 1 })
    const has = (list: NodeRef[], n: HyperNode): boolean => list.some((r) => r.host === n.address().host && r.port === n.address().port)
    const victim = nodes.slice(3).find((n) => has(imm.stored, n) && has(mut.stored, n))
    if (victim === undefined) throw new Error('no node stores both values')
    const crowded = new Uint8Array(randomBytes(32))
    for (let i = 0; i < STORED_PEERS; i++) {
      const port = 1000 + i
      victim.peerStore.put(Buffer.from(crowded).toString('hex'), {
        host: `127.9.${i >> 8}.${1 + (i & 0xff)}`, port, peer: new Uint8Array([127, 9, i >> 8, 1 + (i & 0xff), port >> 8, port & 0xff]), localFilter: null, localPeer: null
      }, Date.now())
    }

    const commands: Array<[string, () => RequestMessage]> = [
      ['_ping', () => ({ command: '_ping' })],
      ['_ping with an id', () => ({ command: '_ping', id: randomBytes(32) })],
      ['_find_node', () => ({ command: '_find_node', target: randomBytes(32) })],
      ['unknown command', () => ({ command: 'no-such-command', target: randomBytes(32) })],
      [`peers lookup (${STORED_PEERS} stored)`, () => ({ command: 'peers', target: crowded, value: PEERS_LOOKUP })],
      ['immutable get (1000 bytes)', () => ({ command: 'immutable', target: imm.hash })],
      ['mutable get (1000 bytes)', () => ({ command: 'mutable', target: mut.target, value: mutableGet(keyPair.publicKey) })]
    ]
    const to = victim.address()
    let tid = 1
    const bind = async (c: number, mode: number): Promise<RawPeer[]> => {
      const peers = await RawPeer.bindAll(Array.from({ length: SOURCES }, (_, s) => `127.66.${c * 4 + mode}.${1 + s}`))
      sockets.push(...peers)
      return peers
    }
    const worst = (r: ReflectionResult): { ratio: number, bytesPerSecond: number, bound: number } => {
      let w = r.sources[0]!
      for (const s of r.sources) if (s.out / s.in > w.out / w.in) w = s
      return { ratio: w.out / w.in, bytesPerSecond: w.out / r.seconds, bound: (factor * w.in + burst + refill * r.seconds) / w.in }
    }

    const rows = await Promise.all(commands.map(async ([name, make], c): Promise<AmplificationRow> => {
      const request = (): Uint8Array => requestFrame(tid++, requestEncoding.encode(make()))
      // the first answer, to a source of its own
      const [probe] = await bind(c, 2)
      const first = await reflection({ peers: [probe!], to, request, rate: 0, burst: 1, seconds: 0 })
      // one request whenever the budget holds a full answer again: (answer - factor x request) / refill
      const interval = Math.max(1 / rate, (first.first.out - factor * first.first.in) / refill)
      const [limit, paced] = await Promise.all([
        reflection({ peers: await bind(c, 0), to, request, rate, burst: rateBurst, seconds }),
        reflection({ peers: await bind(c, 1), to, request, rate: 1 / interval, burst: 1, seconds })
      ])
      const size = first.first.in
      return {
        command: name,
        request: size,
        firstAnswer: first.first.out,
        firstRatio: first.first.out / size,
        atLimit: { ...worst(limit), asymptote: factor + refill / (rate * size) },
        paced: { interval, ...worst(paced) }
      }
    }))
    const stats = victim.dht.stats
    return { rows, guard: stats.guard, dropped: stats.dropped }
  } finally {
    await closeAll(sockets)
    await Promise.all(nodes.map(async (n) => await n.destroy()))
  }
}

function print (rows: AmplificationRow[], seconds: number): void {
  const header = ['command', 'request B', 'first answer B', 'first ratio', 'at limit: ratio', 'B/s', 'bound', 'asymptote', 'paced: every s', 'ratio', 'B/s']
  const lines = rows.map((r) => [
    r.command, String(r.request), String(r.firstAnswer), r.firstRatio.toFixed(1) + 'x',
    r.atLimit.ratio.toFixed(2) + 'x', r.atLimit.bytesPerSecond.toFixed(0), r.atLimit.bound.toFixed(2) + 'x', r.atLimit.asymptote.toFixed(2) + 'x',
    r.paced.interval.toFixed(2), r.paced.ratio.toFixed(2) + 'x', r.paced.bytesPerSecond.toFixed(0)
  ])
  const widths = header.map((h, i) => Math.max(h.length, ...lines.map((l) => l[i]!.length)))
  const fmt = (cells: string[]): string => cells.map((c, i) => i === 0 ? c.padEnd(widths[i]!) : c.padStart(widths[i]!)).join('  ')
  console.log(`Amplification to addresses that never prove they receive (${SOURCES} silent sources per command and mode, ${seconds} s streams)`)
  console.log(`defaults: factor ${factor}, budget ${burst} B refilling ${refill} B/s; rate limit ${rate}/s, burst ${rateBurst}`)
  console.log(fmt(header))
  for (const l of lines) console.log(fmt(l))
  console.log('at limit: a stream at the rate limit (burst, then rate); bound: factor + (burst + refill x time) / bytes in;')
  console.log('asymptote: factor + refill / (rate x request), the bound of a stream that never ends; paced: a request each time the budget refilled a full answer.')
}

if (process.argv[1] !== undefined && fileURLToPath(import.meta.url) === process.argv[1]) {
  const result = await runAmplificationBench()
  if (JSON_OUT) console.log(JSON.stringify({ seconds: SECONDS, sources: SOURCES, defaults: { amplification: DEFAULT_AMPLIFICATION, rateLimit: DEFAULT_RATE_LIMIT }, ...result }, null, 2))
  else print(result.rows, SECONDS)
  process.exit(0)
}
