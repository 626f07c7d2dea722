// `_ping` throughput: this package vs. the reference dht-rpc@2.3.0 vs. a bare dgram
// request/response loop, in one run, with the same number of pings in flight. Client and server
// share this process for all three, so the numbers compare the stacks, not the machines. The
// contenders take turns (BENCH_ROUNDS rounds of BENCH_SECONDS each, after a warm-up) and the
// median round is reported, so that load from other processes hits all of them alike.
//
//   pnpm bench                      (BENCH_SECONDS=1 BENCH_ROUNDS=3 BENCH_CONCURRENCY=16 to change)
//
// Each contender is also callable alone (`pingRound`), for the repository's `pnpm bench`.
import { createSocket } from 'node:dgram'
import { createRequire } from 'node:module'
import { resolve } from 'node:path'
import { fileURLToPath } from 'node:url'
import { createUdxSocket } from '@hyperdht-ts/udp-request/udx'
import { DHT } from '../src/index.js'

const SECONDS = Number(process.env.BENCH_SECONDS ?? 1)
const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 3)
const CONCURRENCY = Number(process.env.BENCH_CONCURRENCY ?? 16)
const WARMUP_MS = 300

const require = createRequire(import.meta.url)
const ref = createRequire(require.resolve('hyperdht/package.json'))
const RefDHT = ref('dht-rpc')
export const referenceVersion: string = ref('dht-rpc/package.json').version

/** `ours-udx`: ours on the optional udx-native transport (`@hyperdht-ts/udp-request/udx`). */
export type Contender = 'bare' | 'reference' | 'ours' | 'ours-udx'

export interface RoundOptions {
  seconds?: number
  concurrency?: number
  warmupMs?: number
  /** Called when the measured window starts and ends (e.g. to count allocations in it). */
  onStart?: () => void
  onStop?: () => void
}

export interface PingSample {
  /** Answered pings per second in the measured window. */
  rate: number
  completed: number
  failed: number
  /** CPU time of the process (client and server) per ping, µs. */
  cpuPerPing: number
}

/** Keeps `concurrency` pings in flight; measures the window after the warm-up. */
async function drive (ping: () => Promise<unknown>, opts: RoundOptions): Promise<PingSample> {
  const concurrency = opts.concurrency ?? CONCURRENCY
  let counting = false
  let stopped = false
  let completed = 0
  let failed = 0
  const worker = async (): Promise<void> => {
    while (!stopped) {
      try {
        await ping()
        if (counting) completed++
      } catch {
        if (counting) failed++
      }
    }
  }
  const workers = Promise.all(Array.from({ length: concurrency }, worker))
  await sleep(opts.warmupMs ?? WARMUP_MS)
  counting = true
  opts.onStart?.()
  const t0 = process.hrtime.bigint()
  const cpu = process.cpuUsage()
  await sleep((opts.seconds ?? SECONDS) * 1000)
  counting = false
  const used = process.cpuUsage(cpu)
  const secs = Number(process.hrtime.bigint() - t0) / 1e9
  opts.onStop?.()
  stopped = true
  // pings in flight end with their answer or timeout; the bare loop has no timeout, so a lost
  // datagram would hold its worker forever
  await Promise.race([workers, sleep(2000)])
  return { rate: completed / secs, completed, failed, cpuPerPing: (used.user + used.system) / completed }
}

async function ours (opts: RoundOptions, udx = false): Promise<PingSample> {
  // one client is one source address: the server's per-source rate limit and amplification
  // bound (rightly) throttle that on the internet; here we measure raw throughput
  const server = new DHT({ rateLimit: false, amplification: false, socket: udx ? createUdxSocket() : undefined })
  const client = new DHT({ concurrency: opts.concurrency ?? CONCURRENCY, ephemeral: true, socket: udx ? createUdxSocket() : undefined })
  await server.listen(0, '127.0.0.1')
  await client.listen(0, '127.0.0.1')
  const to = { host: '127.0.0.1', port: server.address().port }
  try {
    return await drive(async () => await client.ping(to), opts)
  } finally {
    await client.destroy()
    await server.destroy()
  }
}

async function reference (opts: RoundOptions): Promise<PingSample> {
  const server = new RefDHT()
  const client = new RefDHT({ concurrency: opts.concurrency ?? CONCURRENCY, ephemeral: true })
  await new Promise((resolve) => server.listen(0, resolve))
  await new Promise((resolve) => client.listen(0, resolve))
  const to = { host: '127.0.0.1', port: server.address().port }
  try {
    return await drive(async () => await new Promise((resolve, reject) => client.ping(to, (err: Error | null, res: unknown) => err ? reject(err) : resolve(res))), opts)
  } finally {
    client.destroy()
    server.destroy()
  }
}

async function bare (opts: RoundOptions): Promise<PingSample> {
  // An echo server, and a client that matches replies by a 2-byte id: the floor any UDP RPC pays.
  const server = createSocket('udp4')
  server.on('message', (msg, rinfo) => server.send(msg, rinfo.port, rinfo.address))
  await new Promise<void>((resolve) => server.bind(0, '127.0.0.1', resolve))
  const client = createSocket('udp4')
  await new Promise<void>((resolve) => client.bind(0, '127.0.0.1', resolve))
  const port = server.address().port
  const waiting = new Map<number, () => void>()
  client.on('message', (msg) => {
    const done = waiting.get(msg.readUInt16BE(0))
    if (done) {
      waiting.delete(msg.readUInt16BE(0))
      done()
    }
  })
  let tid = 0
  const body = Buffer.alloc(41) // about the size of a _ping request with an id
  try {
    return await drive(async () => await new Promise<void>((resolve) => {
      const id = tid++ & 0x7fff
      const msg = Buffer.from(body)
      msg.writeUInt16BE(id, 0)
      waiting.set(id, resolve)
      client.send(msg, port, '127.0.0.1')
    }), opts)
  } finally {
    client.close()
    server.close()
  }
}

/** One measured round of one contender. */
export async function pingRound (contender: Contender, opts: RoundOptions = {}): Promise<PingSample> {
  return await { bare, reference, ours, 'ours-udx': async (o: RoundOptions) => await ours(o, true) }[contender](opts)
}

async function sleep (ms: number): Promise<void> {
  await new Promise((resolve) => setTimeout(resolve, ms))
}

async function main (): Promise<void> {
  const fmt = (n: number): string => `${Math.round(n).toLocaleString('en-US')} pings/s`
  console.log(`_ping throughput: ${CONCURRENCY} in flight, ${ROUNDS} rounds x ${SECONDS} s, median round (Node ${process.version})`)
  const rounds: Record<'bare' | 'reference' | 'ours', PingSample[]> = { bare: [], reference: [], ours: [] }
  for (let r = 0; r < ROUNDS; r++) {
    for (const c of ['bare', 'reference', 'ours'] as const) rounds[c].push(await pingRound(c))
    console.log(`  round ${r + 1}: bare ${fmt(rounds.bare[r]!.rate)}, dht-rpc@${referenceVersion} ${fmt(rounds.reference[r]!.rate)}, @hyperdht-ts/dht-rpc ${fmt(rounds.ours[r]!.rate)}`)
  }
  const median = (xs: PingSample[]): PingSample => [...xs].sort((a, b) => a.rate - b.rate)[Math.floor(xs.length / 2)]!
  const best = { bare: median(rounds.bare), ref: median(rounds.reference), ours: median(rounds.ours) }
  const failed = (c: keyof typeof rounds): string => {
    const n = rounds[c].reduce((s, x) => s + x.failed, 0)
    return n > 0 ? `  (${n} failed)` : ''
  }
  console.log('')
  console.log(`  bare dgram echo         ${fmt(best.bare.rate)}  ${best.bare.cpuPerPing.toFixed(1)} µs CPU/ping${failed('bare')}`)
  console.log(`  dht-rpc@${referenceVersion}          ${fmt(best.ref.rate)}  ${best.ref.cpuPerPing.toFixed(1)} µs CPU/ping${failed('reference')}`)
  console.log(`  @hyperdht-ts/dht-rpc    ${fmt(best.ours.rate)}  ${best.ours.cpuPerPing.toFixed(1)} µs CPU/ping${failed('ours')}`)
  console.log('')
  console.log(`  ours / reference = ${(best.ours.rate / best.ref.rate).toFixed(2)}`)
  console.log(`  ours / bare      = ${(best.ours.rate / best.bare.rate).toFixed(2)}`)
  console.log(`  reference / bare = ${(best.ref.rate / best.bare.rate).toFixed(2)}`)
}

if (process.argv[1] !== undefined && fileURLToPath(import.meta.url) === resolve(process.argv[1])) await main()
