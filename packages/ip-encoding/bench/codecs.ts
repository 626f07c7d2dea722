// Throughput of the codecs against ipv4-peers@2.0.0, measured in the same run.
// `pnpm bench` (never gating CI). Prints ops/s and the ratio ours / reference.
// `runIpEncodingBench()` returns the same figures, for the repository's `pnpm bench`.
import { randomBytes } from 'node:crypto'
import { resolve } from 'node:path'
import { fileURLToPath } from 'node:url'
import reference from 'ipv4-peers'
import { ipv4Peers, lanPeer, nodeCodec } from '../src/index'

let DURATION_MS = Number(process.env.BENCH_MS ?? 300)

export interface IpEncodingRow { scenario: string, ours: number, reference: number | null }

function measure (fn: () => unknown): number {
  for (let i = 0; i < 2000; i++) fn() // warm up
  let ops = 0
  const start = process.hrtime.bigint()
  const end = start + BigInt(DURATION_MS) * 1_000_000n
  let now = start
  while (now < end) {
    for (let i = 0; i < 1000; i++) fn()
    ops += 1000
    now = process.hrtime.bigint()
  }
  return ops / (Number(now - start) / 1e9)
}

const rnd = (n: number) => Math.floor(Math.random() * n)
const peers = Array.from({ length: 20 }, () => ({ host: `${rnd(256)}.${rnd(256)}.${rnd(256)}.${rnd(256)}`, port: 1 + rnd(65535) }))
const nodes = peers.map((p) => ({ ...p, id: randomBytes(32) }))
const nodes6 = nodes.map((n, i) => ({ ...n, host: `2001:db8::${i.toString(16)}:${n.port.toString(16)}` }))
const node32 = nodeCodec({ idLength: 32 })
const node32v6 = nodeCodec({ idLength: 32, family: 6 })
const ref32 = reference.idLength(32)
const peerBytes = Buffer.from(ipv4Peers.encode(peers))
const nodeBytes = Buffer.from(node32.encode(nodes))
const node6Bytes = node32v6.encode(nodes6)
const lanBytes = lanPeer.encodeList(peers.map((p) => ({ ...p, host: '10.0.' + p.host.split('.').slice(2).join('.') })))

/** ops/s of each case, ours and (IPv4 only) ipv4-peers@2.0.0, `ms` milliseconds per measurement. */
export function runIpEncodingBench (ms = DURATION_MS): IpEncodingRow[] {
  DURATION_MS = ms
  const rows: IpEncodingRow[] = []
  const row = (scenario: string, ours: () => unknown, theirs?: () => unknown): void => {
    rows.push({ scenario, ours: measure(ours), reference: theirs === undefined ? null : measure(theirs) })
  }
  row('encode 20 IPv4 peers', () => ipv4Peers.encode(peers), () => reference.encode(peers))
  row('decode 20 IPv4 peers', () => ipv4Peers.decode(peerBytes), () => reference.decode(peerBytes))
  row('encode 20 IPv4 nodes (32-byte ids)', () => node32.encode(nodes), () => ref32.encode(nodes))
  row('decode 20 IPv4 nodes (32-byte ids)', () => node32.decode(nodeBytes), () => ref32.decode(nodeBytes))
  row('encode 20 IPv6 nodes', () => node32v6.encode(nodes6))
  row('decode 20 IPv6 nodes', () => node32v6.decode(node6Bytes))
  row('decode 20 LAN peers', () => lanPeer.decode(lanBytes, '10.0.0.1'))
  return rows
}

if (process.argv[1] !== undefined && fileURLToPath(import.meta.url) === resolve(process.argv[1])) {
  const fmt = (n: number): string => Math.round(n).toLocaleString('en-US').padStart(12)
  console.log(`ip-encoding bench (${DURATION_MS} ms per case, 20 entries per list)`)
  for (const r of runIpEncodingBench()) {
    if (r.reference === null) console.log(`${r.scenario.padEnd(40)} ${fmt(r.ours)} ops/s`)
    else console.log(`${r.scenario.padEnd(40)} ${fmt(r.ours)} ops/s   ipv4-peers ${fmt(r.reference)} ops/s   ratio ${(r.ours / r.reference).toFixed(2)}x`)
  }
}
