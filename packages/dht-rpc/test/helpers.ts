import { randomBytes } from 'node:crypto'
import { DHT, type DHTOptions } from '../src/index.js'
import { testnetHost } from '../src/testnet.js'

export { testnetHost }

/**
 * `size` nodes on loopback UDP, each on its own address (`testnetHost(i)`), bootstrapped off the
 * first; `opts` are every node's options, or node `i`'s.
 */
export async function network (size: number, opts: DHTOptions | ((i: number) => DHTOptions) = {}): Promise<{ nodes: DHT[], bootstrap: string, destroy: () => Promise<void> }> {
  const optsOf = typeof opts === 'function' ? opts : () => opts
  const first = new DHT({ ...optsOf(0), ephemeral: false })
  await first.listen(0, testnetHost(0))
  await first.ready()
  const bootstrap = `${testnetHost(0)}:${first.address().port}`
  const nodes = [first]
  const rest = []
  for (let i = 1; i < size; i++) {
    const n = new DHT({ ...optsOf(i), bootstrap: [bootstrap] })
    nodes.push(n)
    rest.push(n.listen(0, testnetHost(i)).then(() => n.ready()))
  }
  await Promise.all(rest)
  await settle(nodes)
  return { nodes, bootstrap, destroy: async () => { await Promise.all(nodes.map((n) => n.destroy())) } }
}

export function randomId (): Buffer {
  return randomBytes(32) // a Buffer: the reference insists on Buffers
}

export function hex (b: Uint8Array | null | undefined): string {
  return b ? Buffer.from(b).toString('hex') : 'null'
}

/** Polls `check` every few ms until it holds; throws after `ms`. */
export async function waitFor (check: () => boolean, ms = 3000): Promise<void> {
  const end = Date.now() + ms
  while (!check()) {
    if (Date.now() > end) throw new Error('waitFor timed out')
    await new Promise((resolve) => setTimeout(resolve, 5))
  }
}

/**
 * Waits (bounded) until no node has a request in flight: the verification pings that add newly
 * met nodes to routing tables are answered, so the tables are what the test expects.
 */
export async function settle (nodes: DHT[], ms = 3000): Promise<void> {
  const end = Date.now() + ms
  while (nodes.some((n) => n.stats.inflight > 0) && Date.now() < end) await new Promise((resolve) => setTimeout(resolve, 5))
}
