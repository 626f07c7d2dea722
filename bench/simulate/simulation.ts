// One simulated network per size: build it, then the scenarios in turn on the same network.
import v8 from 'node:v8'
import vm from 'node:vm'
import type { VirtualClock } from './clock.js'
import { HopTracker } from './hops.js'
import { natScenario, type NatResult } from './nat.js'
import { cpuSeconds, SimNetwork, type JoinSummary, type SimNode } from './network.js'
import { seeded, sample, type Random } from './random.js'
import { announceThenLookup, lookupAnnounced, startAnnouncers, type Context, type ScenarioResult } from './scenarios.js'

v8.setFlagsFromString('--expose-gc')
const gc = vm.runInNewContext('gc') as () => void

export type ScenarioName = 'clean' | 'loss' | 'churn' | 'nat'

export interface SimulationOptions {
  latency: [number, number]
  /** Loss of the `loss` scenario. */
  loss: number
  /** Share of nodes removed by the `churn` scenario. */
  churn: number
  /** Lookups per scenario. */
  lookups: number
  /** Nodes joining at a time while the network is built. */
  parallel: number
  /** Lookups at a time. */
  concurrency: number
  /** Extra nodes that join under loss (the `loss` scenario). */
  lossJoins: number
  /** Virtual seconds to wait after the removal before the second round of churn lookups. */
  churnWait: number
  /** Share of the nodes behind NATs in the `nat` scenario. */
  natShare: number
  /** Nodes in fixed server mode in the `nat` scenario (the bootstrap node among them). */
  natServers: number
  /** Virtual seconds the `nat` scenario waits after its build for the promotions. */
  natWait: number
  seed: number
  scenarios: ScenarioName[]
  log: (line: string) => void
}

export interface ChurnResult {
  removed: number
  announcers: number
  announceFailures: number
  /** Lookups right after the removal. */
  immediately: ScenarioResult
  /** Lookups `waitedSeconds` later, re-announces and table upkeep having run. */
  later: ScenarioResult
  waitedSeconds: number
  /** Share of the live nodes' routing-table entries that are removed nodes: right after the removal, and `waitedSeconds` later. */
  deadContacts: { atOnce: number, later: number }
  reannounces: number
}

export interface SizeResult {
  size: number
  /** The build of the public network (of the `nat` scenario's when it runs alone). */
  build: JoinSummary
  /** JS heap plus ArrayBuffers per node after the build (after GC). */
  bytesPerNode: number
  clean: ScenarioResult | null
  loss: (ScenarioResult & { rate: number, joins: JoinSummary }) | null
  churn: (ChurnResult & { share: number }) | null
  /** `natShare` of the nodes behind NATs, all but the fixed servers in `auto` mode: a network of its own. */
  nat: NatResult | null
  network: Record<string, number>
  timersFired: number
  virtualSeconds: number
  realSeconds: number
  cpuSeconds: number
}

export async function simulate (clock: VirtualClock, size: number, opts: SimulationOptions): Promise<SizeResult> {
  const real = process.hrtime.bigint()
  const cpu = process.cpuUsage()
  const virtual = clock.now
  const random = seeded(opts.seed + size)
  const steps = clock.steps
  const log = (msg: string): void => opts.log(`[${size}] ${msg} (virtual ${((clock.now - virtual) / 1000).toFixed(0)} s, real ${seconds(real).toFixed(0)} s, cpu ${cpuSeconds(cpu).toFixed(0)} s)`)

  // the clean, loss and churn scenarios share one network of public servers
  const publicRun = opts.scenarios.some((s) => s !== 'nat') ? await publicScenarios(clock, random, size, opts, log) : null

  let nat: NatResult | null = null
  if (opts.scenarios.includes('nat')) {
    nat = await natScenario(clock, random, size, {
      share: opts.natShare, servers: opts.natServers, waitSeconds: opts.natWait, lookups: opts.lookups, parallel: opts.parallel, concurrency: opts.concurrency, latency: opts.latency, gc
    }, log)
    log(`nat: ${nat.modes.nat.server} of ${nat.natNodes} NATed nodes and ${nat.modes.publicAuto.server} of ${nat.publicAutoNodes} public nodes in server mode; ${line(nat.lookups)}`)
  }
  // a nat-only run reports the NATed network's build as the build
  const first = publicRun ?? (nat === null ? null : { build: nat.build, bytesPerNode: nat.bytesPerNode, network: nat.network, clean: null, loss: null, churn: null })
  if (first === null) throw new Error('no scenario to run')
  return {
    size,
    ...first,
    nat,
    timersFired: clock.steps - steps,
    virtualSeconds: (clock.now - virtual) / 1000,
    realSeconds: seconds(real),
    cpuSeconds: cpuSeconds(cpu)
  }
}

type PublicRun = Pick<SizeResult, 'build' | 'bytesPerNode' | 'clean' | 'loss' | 'churn' | 'network'>

/** The clean, loss and churn scenarios, in turn, on one network of public nodes in server mode. */
async function publicScenarios (clock: VirtualClock, random: Random, size: number, opts: SimulationOptions, log: (msg: string) => void): Promise<PublicRun> {
  const sim = new SimNetwork(clock, random, { latency: opts.latency })
  const ctx: Context = { sim, clock, random, hops: new HopTracker(sim.network), concurrency: opts.concurrency }

  let reported = 0
  const build = await sim.join(size, opts.parallel, (done) => {
    if (done * 10 >= (reported + 1) * size) log(`${++reported * 10}% joined`)
  })
  gc()
  const mem = process.memoryUsage()
  const bytesPerNode = (mem.heapUsed + mem.arrayBuffers) / size
  log(`built: median table ${build.medianTable}, ${build.alone} alone, ${(bytesPerNode / 1024).toFixed(0)} KB per node`)

  const result: PublicRun = { build, bytesPerNode, clean: null, loss: null, churn: null, network: {} }

  if (opts.scenarios.includes('clean')) {
    result.clean = await announceThenLookup(ctx, opts.lookups)
    log(`clean: ${line(result.clean)}`)
  }

  if (opts.scenarios.includes('loss')) {
    sim.network.loss = opts.loss
    const lookups = await announceThenLookup(ctx, opts.lookups)
    log(`loss ${opts.loss * 100}%: ${line(lookups)}`)
    const joins = await sim.join(opts.lossJoins, opts.parallel)
    log(`${joins.nodes} joins under loss: ${joins.alone} alone, ${joins.failed} BOOTSTRAP_FAILED, median table ${joins.medianTable}`)
    sim.network.loss = 0
    result.loss = { ...lookups, rate: opts.loss, joins }
  }

  if (opts.scenarios.includes('churn')) {
    // Announcers on nodes that stay; the removed nodes are others (never the bootstrap node).
    const others = sim.alive.filter((n) => n.index !== 0)
    const announcing = sample(random, others, opts.lookups)
    const { targets, handles, failed } = await startAnnouncers(ctx, announcing)
    const before = handles.reduce((a, h) => a + h.announces, 0)
    const removable = others.filter((n) => !announcing.includes(n))
    const removed = sample(random, removable, Math.round(opts.churn * (sim.alive.length)))
    await sim.remove(removed)
    const deadAtOnce = deadContacts(sim, removed)
    log(`churn: removed ${removed.length} of ${removed.length + sim.alive.length} nodes (${(deadAtOnce * 100).toFixed(1)}% of table entries)`)
    const immediately = await lookupAnnounced(ctx, targets)
    log(`churn, at once: ${line(immediately)}`)
    await clock.until(clock.advance(opts.churnWait * 1000))
    const deadLater = deadContacts(sim, removed)
    log(`churn, ${opts.churnWait} s later: ${(deadLater * 100).toFixed(1)}% of table entries are removed nodes`)
    const later = await lookupAnnounced(ctx, targets)
    log(`churn, ${opts.churnWait} s later: ${line(later)}`)
    const reannounces = handles.reduce((a, h) => a + h.announces, 0) - before
    result.churn = {
      share: opts.churn, removed: removed.length, announcers: targets.length, announceFailures: failed, immediately, later, waitedSeconds: opts.churnWait, deadContacts: { atOnce: deadAtOnce, later: deadLater }, reannounces
    }
  }

  result.network = { ...sim.network.stats }
  ctx.hops.destroy()
  await sim.destroy()
  return result
}

/** Share of the live nodes' routing-table entries that point at `removed` nodes. */
function deadContacts (sim: SimNetwork, removed: SimNode[]): number {
  const gone = new Set(removed.map((n) => `${n.host}:${n.port}`))
  let entries = 0
  let dead = 0
  for (const n of sim.alive) {
    for (const e of n.node.dht.toArray()) {
      entries++
      if (gone.has(`${e.host}:${e.port}`)) dead++
    }
  }
  return entries === 0 ? 0 : dead / entries
}

function seconds (since: bigint): number {
  return Number(process.hrtime.bigint() - since) / 1e9
}

function line (r: ScenarioResult): string {
  const pct = (x: number): string => `${(x * 100).toFixed(1)}%`
  return `${r.found}/${r.lookups} found (${pct(r.success)}), hops ${r.hopsMedian ?? '-'}, ` +
    `${r.requestsMean.toFixed(1)} requests per lookup (${pct(r.unanswered)} unanswered), ` +
    `found after ${r.findMedianMs?.toFixed(0) ?? '-'} ms, ended after ${r.durationMedianMs.toFixed(0)} ms (median, virtual)` +
    (r.announceFailures > 0 ? `, ${r.announceFailures} announces failed` : '')
}
