// The measurements: announce → lookup pairs, and lookups of keys kept alive by announcers.
import type { Announcer } from '../../packages/hyperdht/src/index.js'
import type { VirtualClock } from './clock.js'
import type { HopTracker } from './hops.js'
import { cpuSeconds, type SimNetwork, type SimNode } from './network.js'
import { randomBytes, sample, type Random } from './random.js'

/** One lookup of a key that `announcer` announced. */
export interface LookupSample {
  found: boolean
  /** Depth of the node whose answer first held the announce (see hops.ts); null if not found. */
  hops: number | null
  /** Deepest node that answered. */
  depth: number
  requests: number
  responses: number
  /** Holepunch retries the looking node requested meanwhile (its dht stats: background work included). */
  holepunches: number
  /** Virtual ms until the announce was first seen (null if never) and until the lookup ended. */
  timeToFind: number | null
  duration: number
  /** The error code a lookup ended with, if it threw. */
  error: string | null
}

export interface ScenarioResult {
  lookups: number
  found: number
  /** found / lookups. */
  success: number
  announceFailures: number
  lookupErrors: Record<string, number>
  hopsMedian: number | null
  hopsMean: number | null
  depthMean: number
  requestsMean: number
  requestsMedian: number
  /** Share of the lookups' requests that got no answer. */
  unanswered: number
  /** Holepunch retries per lookup (a silent node learnt through a referrer is punched, then asked again). */
  holepunchesMean: number
  findMedianMs: number | null
  durationMedianMs: number
  durationP95Ms: number
  realSeconds: number
  cpuSeconds: number
}

export interface Pair { announcer: SimNode, looker: SimNode, key: Uint8Array }

export interface Context {
  sim: SimNetwork
  clock: VirtualClock
  random: Random
  hops: HopTracker
  /** Lookups run at once (by distinct nodes). */
  concurrency: number
}

/**
 * Announces then looks up `count` random keys, each from two random live nodes; `record` sees
 * every pair with its lookup (null: the announce failed).
 */
export async function announceThenLookup (ctx: Context, count: number, record?: (pair: Pair, sample: LookupSample | null) => void): Promise<ScenarioResult> {
  const real = process.hrtime.bigint()
  const cpu = process.cpuUsage()
  const samples: LookupSample[] = []
  let announceFailures = 0
  for (let done = 0; done < count;) {
    const batch = Math.min(ctx.concurrency, count - done)
    const pairs = makePairs(ctx, batch)
    const outcomes = await ctx.clock.until(Promise.all(pairs.map(async (p) => {
      try {
        await p.announcer.node.announce(p.key, { port: p.announcer.port })
      } catch {
        announceFailures++
        record?.(p, null)
        return null
      }
      const sample = await lookup(ctx, p)
      record?.(p, sample)
      return sample
    })), 'announce → lookup pairs')
    for (const o of outcomes) if (o !== null) samples.push(o)
    done += batch
  }
  return summarize(samples, announceFailures, real, cpu)
}

/** Looks up keys that announcers keep announcing, each from a random live node. */
export async function lookupAnnounced (ctx: Context, targets: Array<{ announcer: SimNode, key: Uint8Array }>): Promise<ScenarioResult> {
  const real = process.hrtime.bigint()
  const cpu = process.cpuUsage()
  const samples: LookupSample[] = []
  for (let i = 0; i < targets.length; i += ctx.concurrency) {
    const batch = targets.slice(i, i + ctx.concurrency)
    const lookers = sample(ctx.random, ctx.sim.alive.filter((n) => !batch.some((t) => t.announcer === n)), batch.length)
    samples.push(...await ctx.clock.until(Promise.all(batch.map(async (t, j) => await lookup(ctx, { ...t, looker: lookers[j]! }))), 'lookups'))
  }
  return summarize(samples, 0, real, cpu)
}

/** Starts an announcer on each of `nodes` (a random key each) and waits for their first announce. */
export async function startAnnouncers (ctx: Context, nodes: SimNode[]): Promise<{ targets: Array<{ announcer: SimNode, key: Uint8Array }>, handles: Announcer[], failed: number }> {
  const targets = nodes.map((announcer) => ({ announcer, key: randomBytes(ctx.random, 32) }))
  const handles = targets.map((t) => t.announcer.node.announcer(t.key, { port: t.announcer.port }))
  const outcomes = await ctx.clock.until(Promise.all(handles.map(async (h) => await new Promise<boolean>((resolve) => {
    h.once('announced', () => resolve(true))
    h.once('announce-failed', () => resolve(false))
  }))), 'the first announces')
  return { targets, handles, failed: outcomes.filter((ok) => !ok).length }
}

function makePairs (ctx: Context, n: number): Pair[] {
  // distinct nodes in a batch, so that each looker has one trace
  const nodes = sample(ctx.random, ctx.sim.alive, n * 2)
  return Array.from({ length: n }, (_, i) => ({ announcer: nodes[2 * i]!, looker: nodes[2 * i + 1]!, key: randomBytes(ctx.random, 32) }))
}

async function lookup (ctx: Context, p: Pair): Promise<LookupSample> {
  const { looker, announcer, key } = p
  const trace = ctx.hops.start(looker, key)
  const start = ctx.clock.now
  const punched = looker.node.dht.stats.holepunches.requested
  const q = looker.node.lookup(key)
  let found = false
  let hops: number | null = null
  let timeToFind: number | null = null
  let error: string | null = null
  try {
    for await (const r of q) {
      if (found || !r.peers.some((peer) => peer.host === announcer.host && peer.port === announcer.port)) continue
      found = true
      timeToFind = ctx.clock.now - start
      hops = r.node.host === looker.host && r.node.port === looker.port ? 0 : trace.depthOf(r.node)
    }
  } catch (err) {
    error = (err as { code?: string }).code ?? 'UNKNOWN'
  } finally {
    ctx.hops.stop(looker)
  }
  const holepunches = looker.node.dht.stats.holepunches.requested - punched
  return { found, hops, depth: trace.maxDepth, requests: q.requests, responses: q.responses, holepunches, timeToFind, duration: ctx.clock.now - start, error }
}

function summarize (samples: LookupSample[], announceFailures: number, real: bigint, cpu: NodeJS.CpuUsage): ScenarioResult {
  const found = samples.filter((s) => s.found)
  const hops = found.map((s) => s.hops).filter((h): h is number => h !== null)
  const requests = samples.map((s) => s.requests)
  const totalRequests = requests.reduce((a, b) => a + b, 0)
  const lookupErrors: Record<string, number> = {}
  for (const s of samples) if (s.error !== null) lookupErrors[s.error] = (lookupErrors[s.error] ?? 0) + 1
  return {
    lookups: samples.length,
    found: found.length,
    success: samples.length === 0 ? 0 : found.length / samples.length,
    announceFailures,
    lookupErrors,
    hopsMedian: hops.length === 0 ? null : quantile(hops, 0.5),
    hopsMean: hops.length === 0 ? null : mean(hops),
    depthMean: mean(samples.map((s) => s.depth)),
    requestsMean: mean(requests),
    requestsMedian: quantile(requests, 0.5),
    unanswered: totalRequests === 0 ? 0 : 1 - samples.reduce((a, s) => a + s.responses, 0) / totalRequests,
    holepunchesMean: mean(samples.map((s) => s.holepunches)),
    findMedianMs: found.length === 0 ? null : quantile(found.map((s) => s.timeToFind!), 0.5),
    durationMedianMs: quantile(samples.map((s) => s.duration), 0.5),
    durationP95Ms: quantile(samples.map((s) => s.duration), 0.95),
    realSeconds: Number(process.hrtime.bigint() - real) / 1e9,
    cpuSeconds: cpuSeconds(cpu)
  }
}

export function mean (xs: number[]): number {
  return xs.length === 0 ? NaN : xs.reduce((a, b) => a + b, 0) / xs.length
}

export function quantile (xs: number[], q: number): number {
  if (xs.length === 0) return NaN
  const sorted = [...xs].sort((a, b) => a - b)
  return sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))]!
}
