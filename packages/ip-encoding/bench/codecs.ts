// Throughput of the codecs against ipv4-peers@2.0.0, measured in the same run.
// `pnpm bench` (never gating CI). Prints ops/s and the ratio ours / reference.
import { randomBytes } from 'node:crypto'
import reference from 'ipv4-peers'
import { ipv4Peers, lanPeer, nodeCodec } from '../src/index'

const DURATION_MS = Number(process.env.BENCH_MS ?? 300)

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

const fmt = (n: number): string => Math.round(n).toLocaleString('en-US').padStart(12)

function row (name: string, ours: () => unknown, theirs?: () => unknown): void {
  const a = measure(ours)
  if (theirs) {
    const b = measure(theirs)
    console.log(`${name.padEnd(40)} ${fmt(a)} ops/s   ipv4-peers ${fmt(b)} ops/s   ratio ${(a / b).toFixed(2)}x`)
  } else {
    console.log(`${name.padEnd(40)} ${fmt(a)} ops/s`)
  }
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

console.log(`ip-encoding bench (${DURATION_MS} ms per case, 20 entries per list)`)
row('encode 20 IPv4 peers', () => ipv4Peers.encode(peers), () => reference.encode(peers))
row('decode 20 IPv4 peers', () => ipv4Peers.decode(peerBytes), () => reference.decode(peerBytes))
row('encode 20 IPv4 nodes (32-byte ids)', () => node32.encode(nodes), () => ref32.encode(nodes))
row('decode 20 IPv4 nodes (32-byte ids)', () => node32.decode(nodeBytes), () => ref32.decode(nodeBytes))
row('encode 20 IPv6 nodes', () => node32v6.encode(nodes6))
row('decode 20 IPv6 nodes', () => node32v6.decode(node6Bytes))
row('decode 20 LAN peers', () => lanPeer.decode(lanBytes, '10.0.0.1'))
