// A simulated network of HyperDHT nodes on one MemoryNetwork, every node on its own address
// (testnetHost(i): 127.a.b.1, a different /16 for each of 254 neighbours, as on the internet,
// so that the routing tables' IP diversity limits see distinct hosts).
import { HyperDHT, type BootstrapResult, type ModeSetting } from '../../packages/hyperdht/src/index.js'
import { testnetHost } from '../../packages/dht-rpc/src/testnet.js'
import { MemoryNetwork, type MemoryNetworkOptions } from '../../packages/udp-request/src/memory.js'
import type { VirtualClock } from './clock.js'
import { randomBytes, type Random } from './random.js'

/** Every simulated node listens on this port of its own host. */
export const PORT = 49737

/** How one node runs: behind a NAT or not, and its mode setting. */
export interface NodeSpec {
  /** On a `nat: true` socket: it only receives from addresses it sent to. */
  nat: boolean
  mode: ModeSetting
}

/** Every node public, in server mode: the clean, loss and churn scenarios. */
export const PUBLIC_SERVER: NodeSpec = { nat: false, mode: 'server' }

export interface SimNode {
  index: number
  host: string
  port: number
  node: HyperDHT
  nat: boolean
  alive: boolean
  /** The outcome of its first bootstrap. */
  joined: BootstrapResult | null
  /** Virtual ms when its first bootstrap ended, and when it last switched to server mode. */
  joinedAt: number
  serverAt: number | null
}

export interface JoinSummary {
  nodes: number
  /** Joins whose first bootstrap ended with an empty routing table. */
  alone: number
  /** Joins whose first bootstrap reported BOOTSTRAP_FAILED. */
  failed: number
  /** Median routing-table size right after the join. */
  medianTable: number
  virtualSeconds: number
  realSeconds: number
  /** CPU seconds of the process (user + system): steadier than real time on a shared machine. */
  cpuSeconds: number
  /** Datagrams sent on the whole network while these nodes joined, per join. */
  datagramsPerJoin: number
}

export function cpuSeconds (since: NodeJS.CpuUsage): number {
  const used = process.cpuUsage(since)
  return (used.user + used.system) / 1e6
}

export class SimNetwork {
  readonly network: MemoryNetwork
  readonly nodes: SimNode[] = []
  readonly bootstrap: string[] = []
  readonly #clock: VirtualClock
  readonly #random: Random
  readonly #spec: (index: number) => NodeSpec

  /** `spec` says how node `index` runs; node 0, the bootstrap node, is always a public server. */
  constructor (clock: VirtualClock, random: Random, opts: Omit<MemoryNetworkOptions, 'random'>, spec: (index: number) => NodeSpec = () => PUBLIC_SERVER) {
    this.#clock = clock
    this.#random = random
    this.#spec = spec
    this.network = new MemoryNetwork({ ...opts, random })
  }

  get alive (): SimNode[] {
    return this.nodes.filter((n) => n.alive)
  }

  /** Starts `count` more nodes, `parallel` joining at a time (the first one of an empty network is the bootstrap node). */
  async join (count: number, parallel: number, progress?: (done: number) => void): Promise<JoinSummary> {
    const real = process.hrtime.bigint()
    const cpu = process.cpuUsage()
    const virtual = this.#clock.now
    const sent = this.network.stats.sent
    const added: SimNode[] = []
    if (this.nodes.length === 0 && count > 0) {
      added.push(await this.#clock.until(this.#start(true), 'the bootstrap node'))
      count--
    }
    let left = count
    const worker = async (): Promise<void> => {
      while (left > 0) {
        left--
        added.push(await this.#start(false))
        progress?.(added.length)
      }
    }
    await this.#clock.until(Promise.all(Array.from({ length: Math.max(1, Math.min(parallel, count)) }, worker)), 'the joins')
    const tables = added.map((n) => n.joined?.nodes ?? 0).sort((a, b) => a - b)
    return {
      nodes: added.length,
      alone: added.filter((n) => n.index > 0 && (n.joined?.nodes ?? 0) === 0).length,
      failed: added.filter((n) => n.joined?.error != null).length,
      medianTable: tables[Math.floor(tables.length / 2)] ?? 0,
      virtualSeconds: (this.#clock.now - virtual) / 1000,
      realSeconds: Number(process.hrtime.bigint() - real) / 1e9,
      cpuSeconds: cpuSeconds(cpu),
      datagramsPerJoin: added.length === 0 ? 0 : (this.network.stats.sent - sent) / added.length
    }
  }

  /** Destroys `nodes` abruptly: no unannounce, no goodbye; their address just goes silent. */
  async remove (nodes: SimNode[]): Promise<void> {
    for (const n of nodes) n.alive = false
    await this.#clock.until(Promise.all(nodes.map(async (n) => { await n.node.destroy() })), 'the removals')
  }

  async destroy (): Promise<void> {
    await this.remove(this.alive)
    this.network.destroy()
  }

  async #start (first: boolean): Promise<SimNode> {
    const index = this.nodes.length
    const host = testnetHost(index)
    const spec = first ? PUBLIC_SERVER : this.#spec(index)
    const node = new HyperDHT({
      id: randomBytes(this.#random, 32),
      socket: this.network.createSocket({ nat: spec.nat }),
      // PUBLIC_SERVER by default, like every node of the reference: in `auto` a node starts as a
      // client that no routing table holds (the nat scenario's nodes run in auto on purpose)
      mode: spec.mode,
      // the holepuncher's extra sockets (reachability dialbacks, birthday attempts) on this network too
      holepunch: { createSocket: () => this.network.createSocket() },
      ...(first ? {} : { bootstrap: this.bootstrap })
    })
    const sim: SimNode = { index, host, port: PORT, node, nat: spec.nat, alive: true, joined: null, joinedAt: 0, serverAt: spec.mode === 'server' ? this.#clock.now : null }
    node.on('mode', (change) => { sim.serverAt = change.mode === 'server' ? this.#clock.now : null })
    this.nodes.push(sim)
    await node.listen(PORT, host)
    if (first) this.bootstrap.push(`${host}:${PORT}`)
    sim.joined = await node.ready()
    sim.joinedAt = this.#clock.now
    return sim
  }
}
