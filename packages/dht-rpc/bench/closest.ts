// Lookup accuracy: builds a network of our nodes (in memory or on loopback UDP) and measures
// how often an iterative query reaches the true closest nodes of a random target, and how often
// a lookup misses an "announce" (a query from another node whose closest answering set it must
// intersect), plus the state of the routing tables and the churn (removals) during the run.
//
//   tsx bench/closest.ts                         (2,000 nodes in memory, 200 pairs)
//   SIZE=2000 MODE=udp PAIRS=200 PARALLEL=10 tsx bench/closest.ts
//   ALPHA=16 tsx bench/closest.ts                (the walk's alpha: 16 = every slot from the start)
import { compareDistance } from '@hyperdht-ts/kbucket'
import { randomBytes } from 'node:crypto'
import { monitorEventLoopDelay, performance } from 'node:perf_hooks'
import { DHT } from '../src/index.js'
import { createTestnet } from '../src/testnet.js'

const SIZE = Number(process.env.SIZE ?? 2000)
const MODE = process.env.MODE ?? 'memory'
const PAIRS = Number(process.env.PAIRS ?? 200)
const PARALLEL = Number(process.env.PARALLEL ?? 1)
const ALPHA = process.env.ALPHA === undefined ? undefined : Number(process.env.ALPHA)
const K = 20

const hex = (b: Uint8Array): string => Buffer.from(b).toString('hex')

function trueClosest (ids: Uint8Array[], target: Uint8Array, n = K): string[] {
  return [...ids].sort((a, b) => compareDistance(target, a, b)).slice(0, n).map(hex)
}

async function main (): Promise<void> {
  const lag = monitorEventLoopDelay({ resolution: 20 })
  lag.enable()
  let removed = 0
  const t0 = performance.now()
  const net = await createTestnet(SIZE, { memory: MODE === 'memory', parallel: 16 })
  const buildSeconds = (performance.now() - t0) / 1000
  const nodes = net.nodes
  for (const n of nodes) n.on('remove-node', () => { removed++ })
  const ids = nodes.map((n) => n.id)
  const timeoutsAtBuild = nodes.reduce((s, n) => s + n.stats.timeouts, 0)
  const buildRequests = nodes.reduce((s, n) => s + n.stats.requestsOut, 0) / SIZE
  const pingsPerJoin = nodes.reduce((s, n) => s + (n.stats.commands._ping?.requestsOut ?? 0), 0) / SIZE
  const refreshes = nodes.reduce((s, n) => s + n.stats.refreshes, 0) / SIZE

  // Routing-table state: size, and how many of each node's own 20 nearest it knows.
  const tableState = (): { meanSize: number, minSize: number, neighbourhood: number } => {
    let sum = 0
    let min = Infinity
    let known = 0
    const sample = nodes.filter((_, i) => i % Math.max(1, Math.floor(SIZE / 200)) === 0)
    for (const n of sample) {
      const size = n.toArray().length
      sum += size
      min = Math.min(min, size)
    }
    for (const n of sample) {
      const near = trueClosest(ids.filter((id) => id !== n.id), n.id)
      known += near.filter((h) => n.findLocal(Buffer.from(h, 'hex')) !== null).length
    }
    return { meanSize: sum / sample.length, minSize: min, neighbourhood: known / (sample.length * K) }
  }
  const before = tableState()

  let misses = 0
  let announceExact = 0
  let lookupHasClosest = 0
  let lookupAll20 = 0
  let overlapSum = 0
  let requests = 0
  let errors = 0
  const pick = (): DHT => nodes[Math.floor(Math.random() * nodes.length)]!
  const pair = async (): Promise<void> => {
    const target = new Uint8Array(randomBytes(32))
    const a = pick()
    let b = pick()
    while (b === a) b = pick()
    const qa = a.query({ command: 'bench', target }, { alpha: ALPHA })
    await qa.toArray()
    const announced = new Set(qa.closestNodes.map((n) => hex(n.id)))
    const truthA = trueClosest(ids.filter((id) => id !== a.id), target)
    if (truthA.every((h) => announced.has(h))) announceExact++
    const qb = b.query({ command: 'bench', target }, { alpha: ALPHA })
    const answered = new Set((await qb.toArray()).map((r) => hex(r.node.id)))
    requests += qb.requests
    errors += qb.errors
    if (![...announced].some((h) => answered.has(h)) && !announced.has(hex(b.id))) misses++
    const truthB = trueClosest(ids.filter((id) => id !== b.id), target)
    const overlap = truthB.filter((h) => answered.has(h)).length
    overlapSum += overlap
    if (answered.has(truthB[0]!)) lookupHasClosest++
    if (overlap === K) lookupAll20++
  }
  const t1 = performance.now()
  let left = PAIRS
  await Promise.all(Array.from({ length: PARALLEL }, async () => {
    while (left-- > 0) await pair()
  }))
  const runSeconds = (performance.now() - t1) / 1000
  const after = tableState()
  lag.disable()

  console.log(JSON.stringify({
    size: SIZE,
    mode: MODE,
    pairs: PAIRS,
    parallel: PARALLEL,
    alpha: ALPHA ?? 'default',
    buildSeconds: +buildSeconds.toFixed(1),
    runSeconds: +runSeconds.toFixed(1),
    timeoutsDuringBuild: timeoutsAtBuild,
    requestsPerJoin: +buildRequests.toFixed(1),
    pingsPerJoin: +pingsPerJoin.toFixed(1),
    refreshesPerJoin: +(refreshes ?? 0).toFixed(2),
    tableBefore: before,
    tableAfter: after,
    removedDuringRun: removed,
    misses,
    announceReachedTrue20: announceExact,
    lookupReachedClosest: lookupHasClosest,
    lookupReachedAll20: lookupAll20,
    meanOverlapWithTrue20: +(overlapSum / PAIRS).toFixed(2),
    requestsPerLookup: +(requests / PAIRS).toFixed(1),
    errorsPerLookup: +(errors / PAIRS).toFixed(2),
    eventLoopLagMs: { p50: +(lag.percentile(50) / 1e6).toFixed(1), p99: +(lag.percentile(99) / 1e6).toFixed(1), max: +(lag.max / 1e6).toFixed(1) }
  }, null, 2))
  await net.destroy()
}

main().then(() => process.exit(0), (err) => {
  console.error(err)
  process.exit(1)
})
