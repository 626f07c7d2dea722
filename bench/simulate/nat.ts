// The nat scenario: a network where a share of the nodes sit behind NATs (MemoryNetwork sockets
// with `nat: true`: they only receive from addresses they sent to) and every node but a few fixed
// servers runs in `auto` mode. The reachability probes should promote the public nodes to servers
// and leave the NATed ones clients, out of every routing table; lookups between any two nodes
// should still find the announces.
import type { Reachability } from '../../packages/hyperdht/src/index.js'
import type { VirtualClock } from './clock.js'
import { HopTracker } from './hops.js'
import { cpuSeconds, PUBLIC_SERVER, SimNetwork, type JoinSummary, type NodeSpec, type SimNode } from './network.js'
import { sample, type Random } from './random.js'
import { announceThenLookup, quantile, type ScenarioResult } from './scenarios.js'

export interface NatOptions {
  /** Share of the nodes behind a NAT (never one of the fixed servers). */
  share: number
  /**
   * Nodes 0 .. servers-1 run in fixed server mode, public (node 0 is the bootstrap node). Auto
   * mode needs a few: a reachability probe asks helpers on distinct hosts (3 must agree), and a
   * helper has another server dial back, so one server alone promotes nobody.
   */
  servers: number
  /** Virtual seconds to wait after the build for the probes and promotions. */
  waitSeconds: number
  lookups: number
  parallel: number
  concurrency: number
  latency: [number, number]
  /** Collects garbage before the heap is measured. */
  gc: () => void
}

export interface RoleCount { lookups: number, found: number }

export interface TableCensus {
  /** Routing-table entries over all live nodes' tables. */
  entries: number
  /** Entries that point at a NATed node. */
  natEntries: number
  /** Distinct NATed nodes in at least one table. */
  natNodesInTables: number
  /** Entries that point at a node in client mode (NATed or not). */
  clientEntries: number
  /** Median table size of the nodes in server mode. */
  medianServerTable: number
}

export interface NatResult {
  share: number
  nodes: number
  natNodes: number
  /** Public nodes in `auto` mode (the fixed servers not counted). */
  publicAutoNodes: number
  fixedServers: number
  build: JoinSummary
  bytesPerNode: number
  waitedSeconds: number
  /** Nodes in server mode at the end of each minute of the wait. */
  timeline: Array<{ seconds: number, publicServers: number, natServers: number }>
  modes: { nat: { client: number, server: number }, publicAuto: { client: number, server: number } }
  reachability: { nat: Record<Reachability, number>, publicAuto: Record<Reachability, number> }
  /** Median virtual seconds from the end of its join to server mode, of the promoted public nodes. */
  promotedAfterMedianSeconds: number | null
  /** After the wait, before the lookups. */
  tables: TableCensus
  tablesAfterLookups: TableCensus
  lookups: ScenarioResult
  /** The lookups by who announced and who looked. */
  byRole: { natAnnouncer: RoleCount, natLooker: RoleCount, bothNat: RoleCount, bothPublic: RoleCount }
  network: Record<string, number>
  realSeconds: number
  cpuSeconds: number
}

/** Builds the NATed network of `size` nodes, waits, counts, looks up, and destroys it. */
export async function natScenario (clock: VirtualClock, random: Random, size: number, opts: NatOptions, log: (msg: string) => void): Promise<NatResult> {
  const real = process.hrtime.bigint()
  const cpu = process.cpuUsage()
  const servers = Math.max(1, Math.min(opts.servers, size))
  const candidates = Array.from({ length: size }, (_, i) => i).filter((i) => i >= servers)
  const natted = new Set(sample(random, candidates, Math.round(opts.share * size)))
  const spec = (i: number): NodeSpec => i < servers ? PUBLIC_SERVER : { nat: natted.has(i), mode: 'auto' }
  const sim = new SimNetwork(clock, random, { latency: opts.latency }, spec)

  let reported = 0
  const build = await sim.join(size, opts.parallel, (done) => {
    if (done * 10 >= (reported + 1) * size) log(`nat: ${++reported * 10}% joined`)
  })
  opts.gc()
  const mem = process.memoryUsage()
  const bytesPerNode = (mem.heapUsed + mem.arrayBuffers) / size
  log(`nat: built (${natted.size} NATed, ${servers} fixed servers), median table ${build.medianTable}`)

  const timeline: NatResult['timeline'] = []
  for (let waited = 0; waited < opts.waitSeconds;) {
    const step = Math.min(60, opts.waitSeconds - waited)
    await clock.until(clock.advance(step * 1000))
    waited += step
    const auto = sim.alive.filter((n) => n.index >= servers)
    const point = {
      seconds: waited,
      publicServers: auto.filter((n) => !n.nat && n.node.mode === 'server').length,
      natServers: auto.filter((n) => n.nat && n.node.mode === 'server').length
    }
    timeline.push(point)
    log(`nat: +${waited} s: ${point.publicServers} of ${auto.length - natted.size} public nodes and ${point.natServers} of ${natted.size} NATed nodes in server mode`)
  }

  const auto = sim.alive.filter((n) => n.index >= servers)
  const tally = (nodes: SimNode[]): { client: number, server: number } =>
    ({ client: nodes.filter((n) => n.node.mode === 'client').length, server: nodes.filter((n) => n.node.mode === 'server').length })
  const reach = (nodes: SimNode[]): Record<Reachability, number> => {
    const out: Record<Reachability, number> = { reachable: 0, unreachable: 0, unknown: 0 }
    for (const n of nodes) out[n.node.reachability]++
    return out
  }
  const natNodes = auto.filter((n) => n.nat)
  const publicNodes = auto.filter((n) => !n.nat)
  const promoted = publicNodes.filter((n) => n.serverAt !== null).map((n) => Math.max(0, n.serverAt! - n.joinedAt) / 1000)
  const tables = census(sim)
  log(`nat: ${tables.natEntries} of ${tables.entries} table entries point at NATed nodes (${tables.natNodesInTables} distinct), ${tables.clientEntries} at clients`)

  const hops = new HopTracker(sim.network)
  const byRole = { natAnnouncer: role(), natLooker: role(), bothNat: role(), bothPublic: role() }
  const lookups = await announceThenLookup({ sim, clock, random, hops, concurrency: opts.concurrency }, opts.lookups, (p, s) => {
    const found = s?.found === true ? 1 : 0
    const add = (r: RoleCount): void => { r.lookups++; r.found += found }
    if (p.announcer.nat) add(byRole.natAnnouncer)
    if (p.looker.nat) add(byRole.natLooker)
    if (p.announcer.nat && p.looker.nat) add(byRole.bothNat)
    if (!p.announcer.nat && !p.looker.nat) add(byRole.bothPublic)
  })
  hops.destroy()
  const tablesAfterLookups = census(sim)
  const network = { ...sim.network.stats }
  await sim.destroy()

  return {
    share: opts.share,
    nodes: size,
    natNodes: natted.size,
    publicAutoNodes: publicNodes.length,
    fixedServers: servers,
    build,
    bytesPerNode,
    waitedSeconds: opts.waitSeconds,
    timeline,
    modes: { nat: tally(natNodes), publicAuto: tally(publicNodes) },
    reachability: { nat: reach(natNodes), publicAuto: reach(publicNodes) },
    promotedAfterMedianSeconds: promoted.length === 0 ? null : quantile(promoted, 0.5),
    tables,
    tablesAfterLookups,
    lookups,
    byRole,
    network,
    realSeconds: Number(process.hrtime.bigint() - real) / 1e9,
    cpuSeconds: cpuSeconds(cpu)
  }
}

function role (): RoleCount {
  return { lookups: 0, found: 0 }
}

/** Counts what the live nodes' routing tables hold. */
function census (sim: SimNetwork): TableCensus {
  const byAddress = new Map(sim.alive.map((n) => [`${n.host}:${n.port}`, n]))
  const natSeen = new Set<SimNode>()
  let entries = 0
  let natEntries = 0
  let clientEntries = 0
  const serverTables: number[] = []
  for (const n of sim.alive) {
    const table = n.node.dht.toArray()
    if (n.node.mode === 'server') serverTables.push(table.length)
    for (const e of table) {
      entries++
      const to = byAddress.get(`${e.host}:${e.port}`)
      if (to === undefined) continue
      if (to.nat) {
        natEntries++
        natSeen.add(to)
      }
      if (to.node.mode === 'client') clientEntries++
    }
  }
  return { entries, natEntries, natNodesInTables: natSeen.size, clientEntries, medianServerTable: serverTables.length === 0 ? 0 : quantile(serverTables, 0.5) }
}
