// A raw load generator for the udp-request / dht-rpc protocol, meant to run in its own process.
// It sends pre-encoded `_ping` requests (2-byte udp-request header + dht-rpc `Request`
// protobuf) keeping a fixed number in flight with distinct transaction ids, and counts answered
// responses per second and errors. Any implementation of the protocol can be the target (ours,
// dht-rpc@2.3.0, another language's), and so can a bare dgram echo that answers each datagram
// with the request bit cleared. It decodes nothing: a datagram with a pending tid and the
// request bit cleared is an answer.
//
//   tsx bench/loadgen.ts --target 127.0.0.1:49737 [--inflight 128] [--duration 5] [--warmup 1]
//       [--sockets 1] [--timeout 500] [--id] [--json]
//   node --experimental-strip-types bench/loadgen.ts ...      (Node ≥ 22.6: plain node)
//
// Self-contained (node: modules only, erasable TypeScript only) so it runs anywhere.
import { createSocket, type Socket } from 'node:dgram'
import { randomBytes } from 'node:crypto'
import { isIPv6 } from 'node:net'
import { resolve } from 'node:path'
import { fileURLToPath } from 'node:url'

export interface LoadgenOptions {
  host: string
  port: number
  /** Requests kept in flight (over all sockets). @default 128 */
  inflight?: number
  /** Measured seconds, after the warm-up. @default 5 */
  duration?: number
  /** Seconds of load before measuring. @default 1 */
  warmup?: number
  /** Source sockets (ports) to spread the requests over. @default 1 */
  sockets?: number
  /** A request unanswered after this many ms is counted as lost and its slot reused. @default 500 */
  timeout?: number
  /** Send a random 32-byte node id (a non-ephemeral requester). @default false (none) */
  id?: boolean
}

export interface LoadgenResult {
  /** Answered requests per second in the measured window. */
  rate: number
  /** Answered in the measured window. */
  answered: number
  /** Answered over the whole run, warm-up included (to divide a server's allocations by). */
  answeredTotal: number
  /** Requests that timed out in the measured window. */
  lost: number
  /** Answers that came after their request timed out, or carried an unknown tid. */
  stray: number
  /** Failed sends in the measured window. */
  sendErrors: number
  seconds: number
  inflight: number
}

const REQUEST_BIT = 0x8000
const TID_MASK = 0x7fff

/** The `_ping` request body: protobuf field 1 (command) and, optionally, field 2 (id). */
export function pingBody (id: Uint8Array | null): Uint8Array {
  const command = Buffer.from('_ping')
  const parts = [Buffer.from([0x0a, command.length]), command]
  if (id !== null) parts.push(Buffer.from([0x12, id.length]), Buffer.from(id))
  return Buffer.concat(parts)
}

export async function runLoadgen (opts: LoadgenOptions): Promise<LoadgenResult> {
  const inflight = opts.inflight ?? 128
  const duration = opts.duration ?? 5
  const warmup = opts.warmup ?? 1
  const socketCount = Math.max(1, Math.min(opts.sockets ?? 1, inflight))
  const timeout = opts.timeout ?? 500
  if (inflight > 16384) throw new RangeError('at most 16384 requests in flight (15-bit tids, kept distinct)')

  // One pre-encoded datagram per tid: sending only rewrites nothing, it picks a buffer.
  const body = pingBody(opts.id === true ? randomBytes(32) : null)
  const datagrams: Buffer[] = []
  for (let tid = 0; tid <= TID_MASK; tid++) {
    const d = Buffer.alloc(2 + body.length)
    d.writeUInt16BE(REQUEST_BIT | tid, 0)
    d.set(body, 2)
    datagrams.push(d)
  }

  const sentAt = new Float64Array(TID_MASK + 1) // 0 = not pending
  const owner = new Int32Array(TID_MASK + 1) // socket index of a pending tid
  let nextTid = 0
  let counting = false
  let stopped = false
  let answered = 0
  let answeredTotal = 0
  let lost = 0
  let stray = 0
  let sendErrors = 0

  const family = isIPv6(opts.host) ? 'udp6' : 'udp4'
  const sockets: Socket[] = []
  const send = (s: number): void => {
    if (stopped) return
    // The next tid that is not pending: with at most 16384 in flight of 32768 tids, a free one
    // is always near.
    let tid = nextTid
    while (sentAt[tid] !== 0) tid = (tid + 1) & TID_MASK
    nextTid = (tid + 1) & TID_MASK
    sentAt[tid] = performance.now()
    owner[tid] = s
    // no callback: a failed send is an 'error' event, counted there, and the callback costs
    sockets[s]!.send(datagrams[tid]!, opts.port, opts.host)
  }

  for (let s = 0; s < socketCount; s++) {
    const socket = createSocket(family)
    socket.on('error', () => { if (counting) sendErrors++ })
    socket.on('message', (msg) => {
      if (msg.length < 2) return
      const header = (msg[0]! << 8) | msg[1]!
      const tid = header & TID_MASK
      if ((header & REQUEST_BIT) !== 0 || sentAt[tid] === 0 || owner[tid] !== s) {
        stray++
        return
      }
      sentAt[tid] = 0
      answeredTotal++
      if (counting) answered++
      send(s)
    })
    await new Promise<void>((resolve) => socket.bind(0, family === 'udp6' ? '::' : undefined, resolve))
    sockets.push(socket)
  }

  // Lost requests give their slot to a new one, so the load does not fade with loss.
  const sweep = setInterval(() => {
    const now = performance.now()
    for (let tid = 0; tid <= TID_MASK; tid++) {
      const t = sentAt[tid]!
      if (t !== 0 && now - t > timeout) {
        sentAt[tid] = 0
        if (counting) lost++
        send(owner[tid]!)
      }
    }
  }, Math.max(10, timeout / 4))

  for (let i = 0; i < inflight; i++) send(i % socketCount)
  await sleep(warmup * 1000)
  counting = true
  const start = performance.now()
  await sleep(duration * 1000)
  counting = false
  const seconds = (performance.now() - start) / 1000
  stopped = true
  clearInterval(sweep)
  await sleep(50) // answers still on their way count in answeredTotal
  for (const s of sockets) s.close()
  return { rate: answered / seconds, answered, answeredTotal, lost, stray, sendErrors, seconds, inflight }
}

async function sleep (ms: number): Promise<void> {
  await new Promise((resolve) => setTimeout(resolve, ms))
}

function parseArgs (argv: string[]): LoadgenOptions & { json: boolean } {
  const flags = new Map<string, string>()
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i]!
    if (!a.startsWith('--')) throw new Error(`unexpected argument ${a}`)
    const name = a.slice(2)
    if (name === 'id' || name === 'json') flags.set(name, 'true')
    else flags.set(name, argv[++i] ?? '')
  }
  const target = flags.get('target')
  const match = target === undefined ? null : /^\[?([^\]]*?)\]?:(\d+)$/.exec(target)
  if (match === null) throw new Error('--target host:port is required')
  const num = (name: string): number | undefined => flags.has(name) ? Number(flags.get(name)) : undefined
  return {
    host: match[1]!,
    port: Number(match[2]),
    inflight: num('inflight'),
    duration: num('duration'),
    warmup: num('warmup'),
    sockets: num('sockets'),
    timeout: num('timeout'),
    id: flags.has('id'),
    json: flags.has('json')
  }
}

if (process.argv[1] !== undefined && fileURLToPath(import.meta.url) === resolve(process.argv[1])) {
  try {
    const opts = parseArgs(process.argv.slice(2))
    const result = await runLoadgen(opts)
    if (opts.json) console.log(JSON.stringify(result))
    else {
      console.log(`${Math.round(result.rate).toLocaleString('en-US')} answered/s over ${result.seconds.toFixed(1)} s, ${result.inflight} in flight` +
        ` (lost ${result.lost}, stray ${result.stray}, send errors ${result.sendErrors})`)
    }
  } catch (err) {
    console.error((err as Error).message)
    process.exitCode = 1
  }
}
