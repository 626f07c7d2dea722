// Request/response throughput on loopback: @hyperdht-ts/udp-request vs udp-request@1.4.0 vs a
// bare dgram echo, in one run, with a fixed number of requests in flight.
// The contenders take turns (round robin, BENCH_ROUNDS rounds of BENCH_SECONDS each) and the
// median round is reported, so that load from other processes hits all of them alike.
//   pnpm bench                                          (3 rounds x 1 s per contender)
//   BENCH_ROUNDS=5 BENCH_SECONDS=2 BENCH_CONCURRENCY=16 pnpm bench
//
// Each contender is also callable alone (`throughputRound`), for the repository's `pnpm bench`.
import { createSocket, type Socket } from 'node:dgram'
import { once } from 'node:events'
import { resolve } from 'node:path'
import { fileURLToPath } from 'node:url'
import ref from 'udp-request'
import { UDPRequest } from '../src/index.js'

const SECONDS = Number(process.env.BENCH_SECONDS ?? 1)
const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 3)
const CONCURRENCY = Number(process.env.BENCH_CONCURRENCY ?? 64)
const WARMUP_MS = 300
const HOST = '127.0.0.1'
const BODY = new Uint8Array(32).fill(7)
const KNOWN_ROUTE = { knownRoute: true }

export interface Sample { rate: number, cpuPerRequest: number, failed: number, completed: number }

/**
 * `ours-known-route`: ours with every request marked `knownRoute` (as dht-rpc marks requests to
 * hosts that answered it lately): sent without a send callback but for one in 64, like the
 * reference, which never checks a send.
 */
export type Contender = 'bare' | 'reference' | 'ours' | 'ours-known-route'

export interface RoundOptions {
  seconds?: number
  concurrency?: number
  warmupMs?: number
  /** Called when the measured window starts and ends (e.g. to count allocations in it). */
  onStart?: () => void
  onStop?: () => void
}

let round: Required<Pick<RoundOptions, 'seconds' | 'concurrency' | 'warmupMs'>> & RoundOptions = { seconds: SECONDS, concurrency: CONCURRENCY, warmupMs: WARMUP_MS }

/** One measured round of one contender. */
export async function throughputRound (contender: Contender, opts: RoundOptions = {}): Promise<Sample> {
  round = { seconds: opts.seconds ?? SECONDS, concurrency: opts.concurrency ?? CONCURRENCY, warmupMs: opts.warmupMs ?? WARMUP_MS, onStart: opts.onStart, onStop: opts.onStop }
  return await { bare, reference, ours, 'ours-known-route': oursKnownRoute }[contender]()
}

/**
 * Starts `concurrency` request loops; each calls `issue(done)` and re-issues when done. Returns
 * completed requests per second and the process CPU time (client + server) per request in µs,
 * which is steadier than the rate when other processes compete for the cores.
 */
async function measure (issue: (done: (ok?: boolean) => void) => void): Promise<Sample> {
  let counting = false
  let stopped = false
  let completed = 0
  let failed = 0
  const loop = (): void => {
    if (stopped) return
    issue((ok = true) => {
      if (counting && ok) completed++
      else if (counting) failed++
      loop()
    })
  }
  for (let i = 0; i < round.concurrency; i++) loop()
  await sleep(round.warmupMs)
  counting = true
  round.onStart?.()
  const start = process.hrtime.bigint()
  const cpu = process.cpuUsage()
  await sleep(round.seconds * 1000)
  counting = false
  const used = process.cpuUsage(cpu)
  round.onStop?.()
  const elapsed = Number(process.hrtime.bigint() - start) / 1e9
  stopped = true
  await sleep(50) // let the last round trips drain
  return { rate: completed / elapsed, cpuPerRequest: (used.user + used.system) / completed, failed, completed }
}

async function bind (socket: Socket): Promise<number> {
  socket.bind(0, HOST)
  await once(socket, 'listening')
  return socket.address().port
}

async function bare (): Promise<Sample> {
  const server = createSocket('udp4')
  server.on('message', (msg, rinfo) => server.send(msg, rinfo.port, rinfo.address))
  const port = await bind(server)
  const client = createSocket('udp4')
  await bind(client)
  // Each reply completes the oldest outstanding send (FIFO is enough for an echo).
  const waiting: Array<() => void> = []
  client.on('message', () => waiting.shift()?.())
  const sample = await measure((done) => {
    waiting.push(done)
    client.send(BODY, port, HOST)
  })
  client.close()
  server.close()
  return sample
}

async function reference (): Promise<Sample> {
  const server = ref()
  server.on('request', (value: Buffer, peer) => server.response(value, peer))
  await new Promise<void>((resolve) => server.listen(0, resolve))
  const client = ref()
  await new Promise<void>((resolve) => client.listen(0, resolve))
  const to = { host: HOST, port: server.address().port }
  const body = Buffer.from(BODY)
  const sample = await measure((done) => {
    // A failed request (a dropped datagram times out) frees its slot and is counted apart.
    client.request(body, to, (err) => done(err === null))
  })
  client.destroy()
  server.destroy()
  return sample
}

async function ours (knownRoute = false): Promise<Sample> {
  const server = new UDPRequest()
  server.on('request', (value, peer) => server.response(value, peer))
  await server.listen(0, HOST)
  const client = new UDPRequest()
  await client.listen(0, HOST)
  const to = { host: HOST, port: server.address().port }
  const sample = await measure((done) => {
    client.request(BODY, to, knownRoute ? KNOWN_ROUTE : {}).then(() => done(true), () => done(false))
  })
  await Promise.all([client.destroy(), server.destroy()])
  return sample
}

async function oursKnownRoute (): Promise<Sample> {
  return await ours(true)
}

async function sleep (ms: number): Promise<void> {
  await new Promise((resolve) => setTimeout(resolve, ms))
}

async function main (): Promise<void> {
  const fmt = (n: number): string => Math.round(n).toLocaleString('en-US').padStart(10)
  
  console.log(`request/response throughput on loopback: ${CONCURRENCY} in flight, ${BODY.length}-byte body, ` +
    `${ROUNDS} rounds x ${SECONDS} s each, median round\n`)
  const contenders = [
    ['bare dgram echo', bare],
    ['udp-request@1.4.0', reference],
    ['@hyperdht-ts/udp-request', ours],
    ['  with knownRoute', oursKnownRoute]
  ] as const
  const rounds: Sample[][] = contenders.map(() => [])
  for (let r = 0; r < ROUNDS; r++) {
    for (let i = 0; i < contenders.length; i++) rounds[i]!.push(await contenders[i]![1]())
  }
  const median = (xs: number[]): number => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!
  const rates = rounds.map((rs) => median(rs.map((x) => x.rate)))
  const cpus = rounds.map((rs) => median(rs.map((x) => x.cpuPerRequest)))
  contenders.forEach(([name], i) => {
    console.log(`${name.padEnd(26)} ${fmt(rates[i]!)} req/s  ${cpus[i]!.toFixed(1).padStart(6)} µs CPU/req` +
      `   (rounds: ${rounds[i]!.map((x) => Math.round(x.rate)).join(', ')} req/s)` +
      (rounds[i]!.some((x) => x.failed > 0) ? `, failed: ${rounds[i]!.reduce((n, x) => n + x.failed, 0)}` : ''))
  })
  const [bareRate, refRate, ourRate] = rates as [number, number, number]
  console.log(`\nours / reference: ${(ourRate / refRate).toFixed(2)}x req/s, ${(cpus[2]! / cpus[1]!).toFixed(2)}x CPU per request`)
  console.log(`ours / bare:      ${(ourRate / bareRate).toFixed(2)}x req/s, ${(cpus[2]! / cpus[0]!).toFixed(2)}x CPU per request`)
}

if (process.argv[1] !== undefined && fileURLToPath(import.meta.url) === resolve(process.argv[1])) await main()
