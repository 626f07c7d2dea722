import { canBindLoopback, testnetHost } from '@hyperdht-ts/dht-rpc/testnet'
import { HyperDHT } from '@hyperdht-ts/hyperdht'
import type { Command } from 'commander'
import { formatHostPort, parsePort } from '../address.js'
import { DEFAULT_HOST, DEFAULT_PORT, DEFAULT_TESTNET_SIZE, STATUS_INTERVAL, TESTNET_JOIN_BATCH } from '../constants.js'
import { outputFor, type Runtime } from '../context.js'
import { CLIError } from '../errors.js'
import { explain } from '../explain.js'
import type { Output } from '../output.js'
import { ServerEvents } from '../server-events.js'
import { runUntilSignal, stopsOnSignal, type Stop } from '../signals.js'

interface TestnetFlags {
  nodes: string
  port: string
  host: string
}

export function registerTestnet (program: Command, rt: Runtime): void {
  stopsOnSignal(program
    .command('testnet')
    .description('start a local network on loopback (a bootstrap node plus N nodes) and keep it up until Ctrl-C')
    .option('-n, --nodes <count>', 'nodes besides the bootstrap node', String(DEFAULT_TESTNET_SIZE))
    .option('-p, --port <port>', 'port of the bootstrap node', String(DEFAULT_PORT))
    .option('--host <address>', 'address every node binds', DEFAULT_HOST)
    .addHelpText('after', `
Then, in another terminal (the default bootstrap is ${DEFAULT_HOST}:${DEFAULT_PORT}):
  hyperdht announce my-topic        hyperdht lookup my-topic
  hyperdht put "hello"              hyperdht get <hash>
  hyperdht ping ${DEFAULT_HOST}:${DEFAULT_PORT}     hyperdht console`)
    .action(async (_opts: TestnetFlags, cmd: Command) => await testnet(cmd, rt)))
}

async function testnet (cmd: Command, rt: Runtime): Promise<void> {
  const out = outputFor(cmd, rt)
  const flags = cmd.opts<TestnetFlags>()
  if (!/^\d+$/.test(flags.nodes)) throw CLIError.BAD_VALUE(`--nodes must be a whole number (got "${flags.nodes}")`)
  const size = Number(flags.nodes)
  const port = parsePort(flags.port, '--port', true)
  const host = flags.host
  const sig = await runUntilSignal(async (stop) => await serveTestnet(out, { size, port, host }, stop))
  out.note(`testnet stopped (${sig})`, { type: 'stopped', signal: sig })
}

/** Starts the nodes (a signal meanwhile stops the start), then runs them until the stop signal. */
async function serveTestnet (out: Output, { size, port, host }: { size: number, port: number, host: string }, stop: Stop): Promise<void> {
  const nodes: HyperDHT[] = []
  const events = new ServerEvents(out)
  const started = Date.now()
  let timer: NodeJS.Timeout | null = null

  const shutdown = async (): Promise<void> => {
    if (timer !== null) clearInterval(timer)
    events.flush()
    out.clear()
    await Promise.all(nodes.map(async (n) => await n.destroy()))
  }

  let bootstrap: string
  try {
    stop.signal.throwIfAborted()
    // On loopback every node gets an address of its own (127.x.y.z, which Linux routes without
    // setup), so that per-address limits (routing-table diversity, rate limits) see a network of
    // distinct hosts. Elsewhere (a LAN address, or macOS where only 127.0.0.1 binds) all nodes
    // share one address, which per-address limits cannot tell apart: those are relaxed instead,
    // or the nodes would rate-limit and evict one another.
    const spread = isLoopbackV4(host) && await canBindLoopback()
    const relaxed = spread ? {} : { diversity: { maxPer24PerBucket: Infinity, maxPer16: Infinity }, rateLimit: false as const }
    const first = new HyperDHT({ mode: 'server', ...relaxed })
    nodes.push(first)
    try {
      await first.listen(port, host)
    } catch (err) {
      throw explain(err, { host, port })
    }
    await first.ready()
    events.watch(first)
    bootstrap = formatHostPort({ host, port: first.address().port })
    // join a batch at a time, as nodes of a real network arrive
    for (let i = 0; i < size; i += TESTNET_JOIN_BATCH) {
      stop.signal.throwIfAborted()
      const batch: Array<Promise<void>> = []
      for (let j = i; j < Math.min(size, i + TESTNET_JOIN_BATCH); j++) {
        const node = new HyperDHT({ mode: 'server', bootstrap: [bootstrap], ...relaxed })
        nodes.push(node)
        batch.push(node.listen(0, spread ? spreadHost(host, j + 1) : host).then(async () => { await node.ready() }))
      }
      await Promise.all(batch)
      out.progress(`testnet: ${nodes.length}/${size + 1} nodes up…`)
    }
    // one more round now that everyone is here fills the routing tables evenly
    stop.signal.throwIfAborted()
    await Promise.all(nodes.map(async (n) => await n.dht.bootstrap()))
    for (const n of nodes.slice(1)) events.watch(n)
  } catch (err) {
    await shutdown()
    if (stop.signal.aborted) throw stop.signal.reason
    throw explain(err, { host, port })
  }

  out.clear()
  out.result(
    { type: 'testnet', bootstrap, host, nodes: nodes.length },
    `testnet: ${nodes.length} nodes on ${host}, bootstrap ${bootstrap} (Ctrl-C to stop)`
  )
  if (!out.json && bootstrap !== `${DEFAULT_HOST}:${DEFAULT_PORT}`) {
    out.note(`other commands need --bootstrap ${bootstrap} (or HYPERDHT_BOOTSTRAP=${bootstrap})`)
  }

  if (out.live) {
    let last = sumRequests(nodes)
    let lastAt = Date.now()
    const draw = (): void => {
      const now = Date.now()
      const total = sumRequests(nodes)
      const rate = (total - last) / Math.max(0.001, (now - lastAt) / 1000)
      last = total
      lastAt = now
      out.status(statusLine(nodes, rate, now - started))
    }
    draw()
    timer = setInterval(draw, STATUS_INTERVAL)
  }

  await stop.requested
  await shutdown()
}

function sumRequests (nodes: HyperDHT[]): number {
  let total = 0
  for (const n of nodes) total += n.dht.stats.requestsIn
  return total
}

function statusLine (nodes: HyperDHT[], rate: number, uptime: number): string {
  let min = Infinity
  let max = 0
  let peers = 0
  let values = 0
  for (const n of nodes) {
    const size = n.dht.toArray().length
    min = Math.min(min, size)
    max = Math.max(max, size)
    peers += n.peerStore.size
    values += n.valueStore.size
  }
  return `${nodes.length} nodes · tables ${min}–${max} · ${rate.toFixed(0)} req/s · ${peers} announces and ${values} values stored · up ${duration(uptime)}`
}

function duration (ms: number): string {
  const s = Math.floor(ms / 1000)
  const h = Math.floor(s / 3600)
  const m = Math.floor((s % 3600) / 60)
  const pad = (x: number): string => String(x).padStart(2, '0')
  return h > 0 ? `${h}h${pad(m)}m` : `${m}m${pad(s % 60)}s`
}

function isLoopbackV4 (host: string): boolean {
  return /^127\.\d{1,3}\.\d{1,3}\.\d{1,3}$/.test(host)
}

/**
 * The address of the testnet's `i`-th node when the first binds `host` (a 127/8 address): on
 * 127.0.0.1 the library's `testnetHost(i)`, otherwise `host` with its second octet moved by `i`,
 * a /16 of its own per node near the one the user chose.
 */
export function spreadHost (host: string, i: number): string {
  if (host === '127.0.0.1') return testnetHost(i)
  const [, b, c, d] = host.split('.').map(Number) as [number, number, number, number]
  return `127.${(b + i) % 256}.${c}.${d}`
}
