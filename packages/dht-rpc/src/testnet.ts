import { DHT } from './dht.js'
import type { DHTOptions } from './types.js'
import { MemoryNetwork, MemorySocket, type MemoryNetworkOptions, type MemorySocketOptions } from '@hyperdht-ts/udp-request/memory'

export { MemoryNetwork, MemorySocket, type MemoryNetworkOptions, type MemorySocketOptions }

export interface TestnetOptions extends Omit<DHTOptions, 'bootstrap' | 'socket' | 'id'> {
  /** Host the nodes bind. @default '127.0.0.1' */
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
  const { memory, parallel = 16, host = '127.0.0.1', ...dhtOpts } = opts
  const network = memory ? new MemoryNetwork(memory === true ? {} : memory) : null
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
    await first.listen(0, host)
    await first.ready()
    const bootstrap = [`${host}:${first.address().port}`]
    const createNode = async (extra: DHTOptions = {}): Promise<DHT> => {
      const node = make({ bootstrap, ...extra })
      await node.listen(0, host)
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
    return { nodes, bootstrap, network, createNode, destroy }
  } catch (err) {
    await destroy()
    throw err
  }
}
