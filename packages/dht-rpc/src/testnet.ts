import { createSocket } from 'node:dgram'
import { DHT } from './dht.js'
import type { DHTOptions } from './types.js'
import { MemoryNetwork, MemorySocket, type MemoryNetworkOptions, type MemorySocketOptions } from '@hyperdht-ts/udp-request/memory'

export { MemoryNetwork, MemorySocket, type MemoryNetworkOptions, type MemorySocketOptions }
export type { MemoryDelay, MemoryFault, MemoryNetworkStats, MemoryObserver } from '@hyperdht-ts/udp-request/memory'

export interface TestnetOptions extends Omit<DHTOptions, 'bootstrap' | 'socket' | 'id'> {
  /**
   * Host every node binds. By default each node gets its own loopback address
   * ({@link testnetHost}), so that per-address limits (routing-table diversity, rate limits) see
   * a network of distinct hosts, as on the internet. Where only 127.0.0.1 can be bound (macOS
   * by default), the testnet falls back to it and relaxes the diversity limits, which otherwise
   * would keep each table to a handful of contacts. @default distinct 127.x.y.1 addresses
   */
  host?: string
  /**
   * Run on an in-memory network instead of real UDP: `true`, or the network's options
   * (latency, loss). @default false (loopback UDP)
   */
  memory?: boolean | MemoryNetworkOptions
  /** Nodes that bootstrap at once (bounded to spare the CPU). @default 16 */
  parallel?: number
}

export interface Testnet {
  /** Every node; `nodes[0]` is the bootstrap node. */
  nodes: DHT[]
  /** Bootstrap address(es) to hand to your own nodes. */
  bootstrap: string[]
  /** The in-memory network, when `memory` was set. */
  network: MemoryNetwork | null
  /** Creates one more node joined to the testnet (destroyed with it). */
  createNode (opts?: DHTOptions): Promise<DHT>
  /** Destroys every node (and the in-memory network). */
  destroy (): Promise<void>
}

/**
 * Spins up `size` DHT nodes that bootstrap off the first one, on loopback UDP or in memory.
 *
 * ```ts
 * const { nodes, bootstrap, destroy } = await createTestnet(10)
 * ```
 */
export async function createTestnet (size = 10, opts: TestnetOptions = {}): Promise<Testnet> {
  const { memory, parallel = 16, host, ...dhtOpts } = opts
  const network = memory ? new MemoryNetwork(memory === true ? {} : memory) : null
  const distinct = host === undefined && (network !== null || await canBindLoopback())
  if (host === undefined && !distinct) dhtOpts.diversity = { maxPer24PerBucket: Infinity, maxPer16: Infinity, ...dhtOpts.diversity }
  const hostOf = (i: number): string => host ?? (distinct ? testnetHost(i) : '127.0.0.1')
  const nodes: DHT[] = []
  const make = (extra: DHTOptions = {}): DHT => {
    const node = new DHT({ ...dhtOpts, ...extra, socket: network ? network.createSocket() : extra.socket })
    nodes.push(node)
    return node
  }
  const destroy = async (): Promise<void> => {
    await Promise.all(nodes.map((n) => n.destroy()))
    network?.destroy()
  }
  try {
    const first = make({ ephemeral: false })
    await first.listen(0, hostOf(0))
    await first.ready()
    const bootstrap = [`${hostOf(0)}:${first.address().port}`]
    const createNode = async (extra: DHTOptions = {}): Promise<DHT> => {
      const node = make({ bootstrap, ...extra })
      await node.listen(0, hostOf(nodes.length - 1))
      await node.ready()
      return node
    }
    let next = 1
    const worker = async (): Promise<void> => {
      while (next < size) {
        next++
        await createNode()
      }
    }
    await Promise.all(Array.from({ length: Math.max(1, Math.min(parallel, size - 1)) }, worker))
    // Nodes add the nodes they meet after a verification ping: let those be answered (bounded),
    // so the routing tables are complete when this resolves.
    for (const end = Date.now() + 2000; nodes.some((n) => n.stats.inflight > 0) && Date.now() < end;) {
      await new Promise((resolve) => setTimeout(resolve, 5))
    }
    return { nodes, bootstrap, network, createNode, destroy }
  } catch (err) {
    await destroy()
    throw err
  }
}

/**
 * The loopback address of the `i`-th node of a test network: 127.a.b.1 with `a` cycling through
 * 1..254 (a /16 of its own for each of the first 254 nodes) and `b` counting the rounds. Linux
 * routes all of 127.0.0.0/8 to the loopback interface, so these bind without any setup.
 */
export function testnetHost (i: number): string {
  return `127.${1 + (i % 254)}.${Math.floor(i / 254) % 256}.1`
}

let loopbackProbe: Promise<boolean> | null = null

/** Whether addresses of 127/8 other than 127.0.0.1 can be bound here (Linux: yes; macOS: not by default). */
export async function canBindLoopback (): Promise<boolean> {
  loopbackProbe ??= new Promise<boolean>((resolve) => {
    const socket = createSocket('udp4')
    socket.once('error', () => { socket.close(); resolve(false) })
    socket.bind(0, testnetHost(253), () => { socket.close(); resolve(true) })
  })
  return await loopbackProbe
}
