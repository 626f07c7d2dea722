// Networks of our HyperDHT nodes for tests and the benchmark: in memory (dht-rpc's
// MemoryNetwork) or on real loopback UDP.
import { randomBytes } from 'node:crypto'
import { MemoryNetwork, testnetHost, type MemoryNetworkOptions } from '@hyperdht-ts/dht-rpc/testnet'
import { HyperDHT } from '../../src/index.js'
import type { HyperDHTOptions } from '../../src/index.js'

export interface HyperNetwork {
  nodes: HyperDHT[]
  bootstrap: string[]
  network: MemoryNetwork | null
  add (opts?: HyperDHTOptions): Promise<HyperDHT>
  destroy (): Promise<void>
}

export interface HyperNetworkOptions extends HyperDHTOptions {
  /** Run on a MemoryNetwork (`true`, or its options: latency, loss, faults...) instead of loopback UDP. */
  memory?: boolean | MemoryNetworkOptions
  /** Nodes bootstrapping at once. @default 16 */
  parallel?: number
}

export async function createHyperNetwork (size: number, opts: HyperNetworkOptions = {}): Promise<HyperNetwork> {
  const { memory = false, parallel = 16, ...nodeOpts } = opts
  const network = memory === false ? null : new MemoryNetwork(memory === true ? {} : memory)
  const nodes: HyperDHT[] = []
  // the nodes of a test network serve it (auto mode would start them as clients, which no table holds)
  const make = (extra: HyperDHTOptions): HyperDHT => {
    const node = new HyperDHT({ mode: 'server', ...nodeOpts, ...extra, ...(network !== null ? { socket: network.createSocket() } : {}) })
    nodes.push(node)
    return node
  }
  // every node on its own loopback address, so per-address limits see distinct hosts
  const first = make({ ephemeral: false })
  await first.listen(0, testnetHost(0))
  await first.ready()
  const bootstrap = [`${testnetHost(0)}:${first.address().port}`]
  const add = async (extra: HyperDHTOptions = {}): Promise<HyperDHT> => {
    const node = make({ bootstrap, ...extra })
    await node.listen(0, testnetHost(nodes.length - 1))
    await node.ready()
    return node
  }
  let next = 1
  const worker = async (): Promise<void> => {
    while (next < size) {
      next++
      await add()
    }
  }
  await Promise.all(Array.from({ length: Math.max(1, Math.min(parallel, size - 1)) }, worker))
  // the verification pings that add newly met nodes to routing tables get answered
  for (const end = Date.now() + 3000; nodes.some((n) => n.dht.stats.inflight > 0) && Date.now() < end;) {
    await new Promise((resolve) => setTimeout(resolve, 5))
  }
  return {
    nodes,
    bootstrap,
    network,
    add,
    async destroy () {
      await Promise.all(nodes.map(async (n) => await n.destroy()))
      network?.destroy()
    }
  }
}

export function randomKey (): Uint8Array {
  return new Uint8Array(randomBytes(32))
}

export async function collectLookup (node: HyperDHT, key: Uint8Array, opts = {}): Promise<Array<{ host: string, port: number }>> {
  const out: Array<{ host: string, port: number }> = []
  for await (const r of node.lookup(key, opts)) out.push(...r.peers)
  return out
}

export function has (peers: Array<{ host: string, port: number }>, host: string, port: number): boolean {
  return peers.some((p) => p.host === host && p.port === port)
}
