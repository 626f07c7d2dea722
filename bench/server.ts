// A `_ping`-answering server for the load generator, in its own process:
//   bare       a dgram socket that echoes each datagram with the request bit cleared
//   ours       a @hyperdht-ts/dht-rpc node (sources of this repository)
//   ours-udx   the same on the optional udx-native transport (@hyperdht-ts/udp-request/udx)
//   reference  a dht-rpc@2.3.0 node
//
//   tsx bench/server.ts --kind ours [--host 127.0.0.1] [--port 0]
//
// Prints one JSON line `{"port": N}` once listening. When forked with an IPC channel it obeys
// `{ type: 'start', allocations }` / `{ type: 'stop' }` and answers `stop` with the CPU time
// used in between and, if `allocations` was true, the JS heap bytes allocated (see
// lib/allocations.ts; its GC profiler costs a little, so rates are measured without it). It
// exits on SIGTERM or when the parent disconnects.
import { createSocket } from 'node:dgram'
import { createRequire } from 'node:module'
import { resolve } from 'node:path'
import { fileURLToPath } from 'node:url'
import { DHT } from '../packages/dht-rpc/src/index.js'
import { createUdxSocket } from '../packages/udp-request/src/udx.js'
import { AllocationMeter } from './lib/allocations.js'

export type ServerKind = 'bare' | 'ours' | 'ours-udx' | 'reference'

export interface ServerReport { type: 'report', allocatedBytes: number | null, cpuMicros: number }
export interface ServerCommand { type: 'start' | 'stop', allocations?: boolean }

const require = createRequire(import.meta.url)
const fromDhtRpc = createRequire(require.resolve('../packages/dht-rpc/package.json'))
const fromHyperdht = createRequire(fromDhtRpc.resolve('hyperdht'))

/** Starts a server; resolves with its port and a function that stops it. */
export async function startServer (kind: ServerKind, host = '127.0.0.1', port = 0): Promise<{ port: number, close: () => Promise<void> }> {
  if (kind === 'bare') {
    const socket = createSocket(host.includes(':') ? 'udp6' : 'udp4')
    socket.on('message', (msg, rinfo) => {
      msg[0] = msg[0]! & 0x7f // the answer: the same header without the request bit
      socket.send(msg, rinfo.port, rinfo.address)
    })
    await new Promise<void>((resolve) => socket.bind(port, host, resolve))
    return { port: socket.address().port, close: async () => await new Promise<void>((resolve) => socket.close(() => resolve())) }
  }
  if (kind === 'ours' || kind === 'ours-udx') {
    // raw capacity: one load generator is one source address, which the per-source rate limit
    // and the amplification bound would (rightly) throttle on the internet
    const node = new DHT({ ephemeral: false, rateLimit: false, amplification: false, socket: kind === 'ours-udx' ? createUdxSocket() : undefined })
    await node.listen(port, host)
    return { port: node.address().port, close: async () => await node.destroy() }
  }
  const RefDHT = fromHyperdht('dht-rpc')
  const node = new RefDHT({ ephemeral: false })
  node.on('error', () => {})
  await new Promise((resolve) => node.listen(port, resolve))
  return { port: node.address().port, close: async () => { node.destroy() } }
}

async function main (): Promise<void> {
  const args = process.argv.slice(2)
  const flag = (name: string, fallback: string): string => {
    const i = args.indexOf(`--${name}`)
    return i === -1 ? fallback : args[i + 1] ?? fallback
  }
  const kind = flag('kind', 'ours') as ServerKind
  if (!['bare', 'ours', 'ours-udx', 'reference'].includes(kind)) throw new Error(`unknown --kind ${kind}`)
  const server = await startServer(kind, flag('host', '127.0.0.1'), Number(flag('port', '0')))
  const meter = new AllocationMeter()
  let cpu = process.cpuUsage()
  let metering = false
  process.on('message', (msg: ServerCommand) => {
    if (msg.type === 'start') {
      metering = msg.allocations === true
      if (metering) meter.start()
      cpu = process.cpuUsage()
    } else if (msg.type === 'stop') {
      const used = process.cpuUsage(cpu)
      const allocatedBytes = metering ? meter.stop() : null
      metering = false
      process.send?.({ type: 'report', allocatedBytes, cpuMicros: used.user + used.system } satisfies ServerReport)
    }
  })
  const exit = (): void => { server.close().finally(() => process.exit(0)) }
  process.on('SIGTERM', exit)
  process.on('disconnect', exit)
  console.log(JSON.stringify({ port: server.port }))
}

if (process.argv[1] !== undefined && fileURLToPath(import.meta.url) === resolve(process.argv[1])) await main()
