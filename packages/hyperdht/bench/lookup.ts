// Lookup benchmark: loopback UDP networks of our nodes and of hyperdht@1.3.0 nodes, in one
// process and one run. For each network: announce under a random key from a random node, then
// a full lookup from another random node (500 pairs at 2,000 nodes, 200 at 200 by default).
// Prints found share, requests per lookup, median and p95 lookup time, heap per node and the
// process's CPU time per pair (every node's work: the lookup, the announce, table upkeep), with
// ours/reference ratios.
//
//   pnpm bench                          (sizes 200 and 2000)
//   BENCH_SIZES=200 BENCH_LOOKUPS=30 pnpm bench
//
// `runLookupBench()` returns the rows, for the repository's `pnpm bench`.
import { randomBytes } from 'node:crypto'
import { createSocket } from 'node:dgram'
import { createRequire } from 'node:module'
import { resolve } from 'node:path'
import { performance } from 'node:perf_hooks'
import { fileURLToPath } from 'node:url'
import v8 from 'node:v8'
import vm from 'node:vm'
import { testnetHost } from '@hyperdht-ts/dht-rpc/testnet'
import { HyperDHT } from '../src/index.js'

v8.setFlagsFromString('--expose-gc')
const gc = vm.runInNewContext('gc') as () => void
const require = createRequire(import.meta.url)
// eslint-disable-next-line @typescript-eslint/no-explicit-any
type Any = any
const RefHyperDHT = require('hyperdht') as Any

const SIZES = (process.env.BENCH_SIZES ?? '200,2000').split(',').map(Number)
const LOOKUPS = Number(process.env.BENCH_LOOKUPS ?? 0)
const PARALLEL = 16
let referenceDestroyErrors = 0

export interface Impl {
  name: string
  /** Builds `size` nodes bootstrapped off the first one. */
  build (size: number): Promise<void>
  size (): number
  announce (i: number, key: Uint8Array, port: number): Promise<void>
  /** A full lookup: whether `port` was found, and how many requests it took. */
  lookup (i: number, key: Uint8Array, port: number): Promise<LookupOutcome>
  /** Destroys node `i` (no goodbye, as a crash) and puts a fresh node at `host` in its place. */
  replace (i: number, host: string): Promise<void>
  destroy (): Promise<void>
}

export interface LookupOutcome {
  found: boolean
  /** ms from the start of the lookup to the first result holding the port (NaN: not found). */
  foundAfter: number
  requests: number
  /** Requests that got no answer (timeouts and other errors). */
  unanswered: number
}

export function ours (): Impl {
  let nodes: HyperDHT[] = []
  let bootstrap: string[] = []
  const start = async (host: string): Promise<HyperDHT> => {
    const n = new HyperDHT({ bootstrap, mode: 'server' })
    await n.listen(0, host)
    await n.ready()
    return n
  }
  return {
    name: 'ours',
    async build (size) {
      // Every node on an address of its own, as on the internet: on one shared address the
      // per-IP rate limit and the routing table's diversity limits would (rightly) refuse them.
      // Servers, like the reference's nodes: in `auto` a node starts as a client that no table holds.
      const first = new HyperDHT({ mode: 'server' })
      await first.listen(0, testnetHost(0))
      await first.ready()
      nodes = [first]
      bootstrap = [`${testnetHost(0)}:${first.address().port}`]
      let next = 1
      await pool(size - 1, async () => { nodes.push(await start(testnetHost(next++))) })
    },
    size: () => nodes.length,
    async announce (i, key, port) {
      await (nodes[i] as HyperDHT).announce(key, { port })
    },
    async lookup (i, key, port) {
      const s = performance.now()
      const q = (nodes[i] as HyperDHT).lookup(key)
      let foundAfter = NaN
      for await (const r of q) if (Number.isNaN(foundAfter) && r.peers.some((p) => p.port === port)) foundAfter = performance.now() - s
      return { found: !Number.isNaN(foundAfter), foundAfter, requests: q.requests, unanswered: q.requests - q.responses }
    },
    async replace (i, host) {
      await (nodes[i] as HyperDHT).destroy()
      nodes[i] = await start(host)
    },
    async destroy () {
      await Promise.all(nodes.map(async (n) => await n.destroy()))
      nodes = []
    }
  }
}

export function reference (): Impl {
  let nodes: Any[] = []
  const start = async (bootstrap: string[] | undefined, host: string): Promise<Any> => {
    // each node on an address of its own, as ours: its listen(port) binds the socket we hand it,
    // so the socket's bind gets the host added (per-host state then fills as it does for ours)
    const socket = createSocket('udp4')
    const bind = socket.bind.bind(socket) as (port: number, host: string, cb: () => void) => void
    ;(socket as Any).bind = (port: number, cb: () => void) => { bind(port, host, cb) }
    const n = RefHyperDHT(bootstrap === undefined ? { socket } : { bootstrap, socket })
    n.on('error', () => {})
    await new Promise<void>((resolve) => n.listen(0, () => resolve()))
    await new Promise<void>((resolve) => n.ready(() => resolve()))
    return n
  }
  let bootstrap: string[] = []
  return {
    name: 'hyperdht@1.3.0',
    async build (size) {
      const first = await start(undefined, testnetHost(0))
      nodes = [first]
      bootstrap = [`${testnetHost(0)}:${first.address().port}`]
      let next = 1
      await pool(size - 1, async () => { nodes.push(await start(bootstrap, testnetHost(next++))) })
    },
    size: () => nodes.length,
    async announce (i, key, port) {
      await new Promise<void>((resolve) => nodes[i].announce(Buffer.from(key), { port }, () => resolve()))
    },
    async lookup (i, key, port) {
      return await new Promise((resolve) => {
        const s = performance.now()
        let foundAfter = NaN
        const stream = nodes[i].lookup(Buffer.from(key), (err: Error | null, res: Array<{ peers: Array<{ port: number }> }>) => {
          const found = err === null && res.some((r) => r.peers.some((p) => p.port === port))
          // every request of the reference query ends as a response or an error
          resolve({ found, foundAfter: found ? foundAfter : NaN, requests: stream.responses + stream.errors, unanswered: stream.errors })
        })
        stream.on('data', (r: { peers: Array<{ port: number }> }) => {
          if (Number.isNaN(foundAfter) && r.peers.some((p) => p.port === port)) foundAfter = performance.now() - s
        })
      })
    },
    async replace (i, host) {
      destroyReference(nodes[i])
      nodes[i] = await start(bootstrap, host)
    },
    async destroy () {
      for (const n of nodes) destroyReference(n)
      nodes = []
      await new Promise((resolve) => setTimeout(resolve, 50))
    }
  }
}

function destroyReference (n: Any): void {
  // dht-rpc@2.3.0 can throw from destroy(): cancelling a pending re-ping removes a node that is
  // no longer in its linked list ("Cannot set properties of null"). A reference bug; it must not
  // end the benchmark.
  try { n.destroy() } catch { referenceDestroyErrors++ }
}

async function pool (count: number, fn: () => Promise<void>): Promise<void> {
  let left = count
  const worker = async (): Promise<void> => {
    while (left > 0) {
      left--
      await fn()
    }
  }
  await Promise.all(Array.from({ length: Math.min(PARALLEL, count) }, worker))
}

export interface LookupRow {
  size: number
  impl: string
  found: number
  lookups: number
  requests: number
  median: number
  p95: number
  heapPerNode: number
  buildSeconds: number
  /** CPU time of the whole process (every node) per announce→lookup pair, µs. */
  cpuPerPair: number
}

export function quantile (sorted: number[], q: number): number {
  if (sorted.length === 0) return NaN
  return sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))] as number
}

// JS heap plus ArrayBuffer memory: decoded fields are views into received datagrams, and a
// retained view keeps its whole datagram outside the JS heap (heapUsed alone hid that).
function heapBytes (): number {
  const { heapUsed, arrayBuffers } = process.memoryUsage()
  return heapUsed + arrayBuffers
}

// ArrayBuffers of the previous network (closed sockets, their last datagrams) are only released
// some time after their JS wrappers are collected: collect, wait, collect again.
async function collect (): Promise<void> {
  for (let i = 0; i < 3; i++) {
    gc()
    await new Promise((resolve) => setTimeout(resolve, 100))
  }
}

async function measure (impl: Impl, size: number, lookups: number): Promise<LookupRow> {
  await collect()
  const heapBefore = heapBytes()
  const t0 = performance.now()
  await impl.build(size)
  const buildSeconds = (performance.now() - t0) / 1000
  await collect()
  const heapPerNode = (heapBytes() - heapBefore) / size
  const times: number[] = []
  let found = 0
  let requests = 0
  const cpu = process.cpuUsage()
  for (let i = 0; i < lookups; i++) {
    const key = new Uint8Array(randomBytes(32))
    const port = 10_000 + i
    const a = Math.floor(Math.random() * impl.size())
    let b = Math.floor(Math.random() * impl.size())
    if (b === a) b = (b + 1) % impl.size()
    await impl.announce(a, key, port)
    const s = performance.now()
    const r = await impl.lookup(b, key, port)
    times.push(performance.now() - s)
    if (r.found) found++
    requests += r.requests
  }
  const used = process.cpuUsage(cpu)
  await impl.destroy()
  times.sort((x, y) => x - y)
  return { size, impl: impl.name, found, lookups, requests: requests / lookups, median: quantile(times, 0.5), p95: quantile(times, 0.95), heapPerNode, buildSeconds, cpuPerPair: (used.user + used.system) / lookups }
}

function fmt (n: number, digits = 1): string {
  return Number.isFinite(n) ? n.toFixed(digits) : '-'
}

function ratio (a: number, b: number): string {
  return b === 0 || !Number.isFinite(a / b) ? '-' : (a / b).toFixed(2) + 'x'
}

/** For each size, a network of ours then of the reference: one row each. */
export async function runLookupBench (sizes = SIZES, lookupsFor = (size: number): number => LOOKUPS > 0 ? LOOKUPS : size >= 1000 ? 500 : 200): Promise<LookupRow[]> {
  const rows: LookupRow[] = []
  for (const size of sizes) {
    const lookups = lookupsFor(size)
    for (const impl of [ours(), reference()]) {
      process.stderr.write(`building ${size} ${impl.name} nodes and running ${lookups} lookups...\n`)
      const row = await measure(impl, size, lookups)
      process.stderr.write(`  built in ${row.buildSeconds.toFixed(1)} s\n`)
      rows.push(row)
    }
  }
  return rows
}

/** Calls of the reference's destroy() that threw (a dht-rpc@2.3.0 bug), so far. */
export function referenceDestroyErrorCount (): number {
  return referenceDestroyErrors
}

async function main (): Promise<void> {
  const rows = await runLookupBench()
  const header = ['nodes', 'implementation', 'found', 'requests/lookup', 'median ms', 'p95 ms', 'memory/node KB', 'CPU/pair ms']
  const lines = [header]
  for (const r of rows) {
    lines.push([String(r.size), r.impl, `${r.found}/${r.lookups} (${fmt(100 * r.found / r.lookups, 0)}%)`, fmt(r.requests), fmt(r.median), fmt(r.p95), fmt(r.heapPerNode / 1024), fmt(r.cpuPerPair / 1000, 2)])
  }
  for (const size of SIZES) {
    const a = rows.find((r) => r.size === size && r.impl === 'ours')
    const b = rows.find((r) => r.size === size && r.impl !== 'ours')
    if (a === undefined || b === undefined) continue
    lines.push([String(size), 'ratio ours/ref', ratio(a.found, b.found), ratio(a.requests, b.requests), ratio(a.median, b.median), ratio(a.p95, b.p95), ratio(a.heapPerNode, b.heapPerNode), ratio(a.cpuPerPair, b.cpuPerPair)])
  }
  const widths = header.map((_, c) => Math.max(...lines.map((l) => (l[c] as string).length)))
  const out = lines.map((l) => '| ' + l.map((cell, c) => cell.padEnd(widths[c] as number)).join(' | ') + ' |')
  out.splice(1, 0, '|' + widths.map((w) => '-'.repeat(w + 2)).join('|') + '|')
  console.log(out.join('\n'))
  if (referenceDestroyErrors > 0) console.log(`(hyperdht@1.3.0: destroy() threw in ${referenceDestroyErrors} nodes, a dht-rpc@2.3.0 bug; ignored)`)
}

if (process.argv[1] !== undefined && fileURLToPath(import.meta.url) === resolve(process.argv[1])) {
  main().then(() => process.exit(0), (err) => {
    console.error(err)
    process.exit(1)
  })
}
