// The holepuncher on the in-memory network (`MemoryNetwork`): with `createSocket` from the
// network, a stranger's reachability dialback travels on it too, so an `auto` node there is judged
// like one on real UDP: reachable when nothing filters (it becomes a server), unreachable behind
// a simulated NAT (it stays a client).
import { DHT } from '@hyperdht-ts/dht-rpc'
import { MemoryNetwork } from '@hyperdht-ts/dht-rpc/testnet'
import { waitFor } from '@hyperdht-ts/test-utils'
import { afterEach, describe, expect, it } from 'vitest'
import { Holepuncher, type HolepuncherOptions, type Peer } from '../../src/index'

const cleanup: Array<() => Promise<unknown> | unknown> = []
afterEach(async () => {
  while (cleanup.length > 0) await cleanup.pop()!()
})

interface TestNode { dht: DHT, hp: Holepuncher, address: Peer }

const fast: HolepuncherOptions = { promoteAfter: 200, demoteAfter: 200, minDwell: 0, reachFirstDelay: 50, reachInterval: 300, dialbackWait: 300 }

function memoryNetwork (): MemoryNetwork {
  const network = new MemoryNetwork({ latency: [1, 5] })
  cleanup.push(() => network.destroy())
  return network
}

/** A DHT node with a holepuncher on `host` of `network`, its extra sockets from the network too. */
async function node (network: MemoryNetwork, host: string, opts: HolepuncherOptions & { bootstrap?: string[], nat?: boolean }): Promise<TestNode> {
  const dht = new DHT({ bootstrap: opts.bootstrap ?? [], socket: network.createSocket({ nat: opts.nat === true }) })
  const hp = new Holepuncher(dht, { ...opts, createSocket: () => network.createSocket() })
  cleanup.push(async () => { await hp.destroy(); await dht.destroy() })
  await dht.listen(49737, host)
  await dht.ready()
  return { dht, hp, address: { host, port: 49737 } }
}

/** Six servers on distinct hosts that know one another: helpers and strangers for the probes. */
async function servers (network: MemoryNetwork): Promise<string[]> {
  const list: TestNode[] = []
  for (let i = 1; i <= 6; i++) {
    list.push(await node(network, `10.0.${i}.1`, { mode: 'server', bootstrap: list.length > 0 ? ['10.0.1.1:49737'] : [] }))
  }
  await Promise.all(list.map(async (s) => await s.dht.bootstrap()))
  return ['10.0.1.1:49737']
}

describe('holepuncher on a MemoryNetwork', () => {
  it('an auto node that strangers reach (dialbacks from network sockets) becomes a server', async () => {
    const network = memoryNetwork()
    const bootstrap = await servers(network)
    const x = await node(network, '10.1.0.1', { ...fast, mode: 'auto', bootstrap })
    expect(x.hp.mode).toBe('client')
    await waitFor(() => x.hp.mode === 'server', 10_000)
    expect(x.hp.reachability).toBe('reachable')
    expect(x.dht.ephemeral).toBe(false)
    expect(x.hp.stats.reach.dialbacks).toBeGreaterThanOrEqual(3)
    expect(network.stats.filtered).toBe(0)
  }, 20_000)

  it('an auto node behind a simulated NAT (`nat: true`) is judged unreachable and stays a client', async () => {
    const network = memoryNetwork()
    const bootstrap = await servers(network)
    const y = await node(network, '10.2.0.1', { ...fast, mode: 'auto', bootstrap, nat: true })
    await waitFor(() => y.hp.reachability === 'unreachable', 10_000)
    expect(y.hp.stats.reach.dispatched).toBeGreaterThanOrEqual(3)
    expect(y.hp.stats.reach.dialbacks).toBe(0)
    expect(network.stats.filtered).toBeGreaterThan(0) // the dialbacks, refused by the NAT
    // promotion would have come within promoteAfter (200 ms) of eligibility
    await new Promise((resolve) => setTimeout(resolve, 1000))
    expect(y.hp.mode).toBe('client')
    expect(y.dht.ephemeral).toBe(true)
  }, 20_000)
})
