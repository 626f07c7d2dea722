// The built `hyperdht-bootstrap` binary under a `_ping` flood from one loopback address: its
// per-source-IP rate limit (set by flags) drops the excess and counts it in /metrics, /stats and
// the status page, while a peer on another address is still answered. Every party has a /16 of
// its own (the library's limits are per address).
import { createSocket, type Socket } from 'node:dgram'
import { once } from 'node:events'
import { DHT, requestEncoding } from '@hyperdht-ts/dht-rpc'
import { afterAll, describe, expect, it } from 'vitest'
import { dumpDom, parsePrometheus, runToEnd, Server } from './helpers.js'

const SERVER = '127.81.0.1'
const FLOODER = '127.82.0.1'
const HONEST = '127.83.0.1'
const OPEN_SERVER = '127.84.0.1'
const OPEN_FLOODER = '127.85.0.1'

const servers: Server[] = []
const sockets: Socket[] = []
const nodes: DHT[] = []

afterAll(async () => {
  for (const s of sockets) s.close()
  await Promise.all(nodes.map(async (n) => await n.destroy()))
  await Promise.all(servers.map(async (s) => await s.stop('SIGKILL')))
})

/** A bare UDP socket on `host` that counts the datagrams it gets back. */
async function rawSocket (host: string): Promise<{ socket: Socket, received: () => number }> {
  const socket = createSocket('udp4')
  sockets.push(socket)
  let received = 0
  socket.on('message', () => { received++ })
  socket.bind(0, host)
  await once(socket, 'listening')
  return { socket, received: () => received }
}

/**
 * Sends `count` valid `_ping` requests (udp-request's 2-byte header, request bit and tid, then
 * the protobuf body), 50 at a time, each batch once the kernel took the last: thousands a second.
 */
async function flood (socket: Socket, host: string, port: number, count: number): Promise<void> {
  const body = requestEncoding.encode({ command: '_ping' })
  for (let sent = 0; sent < count;) {
    const batch: Array<Promise<void>> = []
    for (let i = 0; i < 50 && sent < count; i++, sent++) {
      const datagram = Buffer.alloc(2 + body.byteLength)
      datagram.writeUInt16BE(0x8000 | (sent & 0x7fff), 0)
      datagram.set(body, 2)
      batch.push(new Promise((resolve) => socket.send(datagram, port, host, () => resolve())))
    }
    await Promise.all(batch)
  }
}

async function waitFor (check: () => Promise<boolean>, what: string, timeout = 10_000): Promise<void> {
  const deadline = Date.now() + timeout
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`)
    await new Promise((resolve) => setTimeout(resolve, 100))
  }
}

/** The parts of `/stats` read here. */
interface Stats {
  rateLimit: { limit: { rate: number, burst: number, banAfter: number, banDuration: number } | false, dropped: number, bans: number, bannedSources: number, trackedSources: number }
  stats: { dropped: { rateLimited: number }, commands: Record<string, { requestsIn: number } | undefined> }
}

async function getJson (url: string): Promise<Stats> {
  const res = await fetch(url)
  expect(res.status).toBe(200)
  return await res.json() as Stats
}

describe('--rate-limit 20 --rate-burst 20, a flood of _ping from one address', () => {
  const FLOOD = 3000
  let http = ''
  let port = 0
  let answered = 0

  it('drops the excess and bans the flooder: it got about its burst of answers', async () => {
    const server = new Server(['--port', '0', '--host', SERVER, '--http-port', '0', '--rate-limit', '20', '--rate-burst', '20'])
    servers.push(server)
    const started = await server.started(true)
    port = started.port
    http = `http://127.0.0.1:${started.httpPort!}`
    expect(server.logs.find((l) => l.msg === 'DHT node listening (server mode)')?.rateLimit).toMatchObject({ rate: 20, burst: 20 })

    const flooder = await rawSocket(FLOODER)
    await flood(flooder.socket, SERVER, port, FLOOD)
    // everything the kernel delivered has been read once the counter stops moving
    let last = -1
    await waitFor(async () => {
      const dropped = (await getJson(`${http}/stats`)).rateLimit.dropped
      const settled = dropped === last
      last = dropped
      return settled && dropped > 0
    }, 'the rate-limited counter to settle')
    answered = flooder.received()
    // the burst of 20 (plus a token or two refilled while the flood ran), not the library's 50
    expect(answered).toBeGreaterThan(0)
    expect(answered).toBeLessThanOrEqual(25)
  })

  it('/stats shows the limit in force and what it dropped', async () => {
    const s = await getJson(`${http}/stats`)
    expect(s.rateLimit).toEqual({
      limit: { rate: 20, burst: 20, banAfter: expect.any(Number), banDuration: expect.any(Number) },
      dropped: expect.any(Number),
      bans: 1,
      bannedSources: 1,
      trackedSources: expect.any(Number)
    })
    // far past the burst; every flood request was answered or dropped (or lost in the kernel)
    expect(s.rateLimit.dropped).toBeGreaterThan(100)
    expect(s.rateLimit.dropped + answered).toBeLessThanOrEqual(FLOOD)
    expect(s.stats.dropped.rateLimited).toBe(s.rateLimit.dropped)
  })

  it('/metrics counts the dropped requests and the banned source', async () => {
    const { types, samples } = parsePrometheus(await (await fetch(`${http}/metrics`)).text())
    const value = (name: string): number | undefined => samples.find((s) => s.name === name)?.value
    expect(types.get('hyperdht_rate_limited_requests_total')).toBe('counter')
    expect(types.get('hyperdht_rate_limited_sources')).toBe('gauge')
    expect(value('hyperdht_rate_limited_requests_total')).toBeGreaterThan(100)
    expect(value('hyperdht_rate_limit_bans_total')).toBe(1)
    expect(value('hyperdht_rate_limited_sources')).toBe(1)
    expect(value('hyperdht_rate_limit_tracked_sources')).toBeGreaterThanOrEqual(1)
  })

  it('a peer on another address is still answered, and /health stays 200', async () => {
    const honest = new DHT({ ephemeral: true })
    nodes.push(honest)
    await honest.listen(0, HONEST)
    const pong = await honest.ping({ host: SERVER, port })
    expect(pong.node).toMatchObject({ host: SERVER, port })
    expect(pong.address.host).toBe(HONEST)
    expect((await fetch(`${http}/health`)).status).toBe(200)
    // the flooder's ban holds: one more request from it is dropped, not answered
    const before = (await getJson(`${http}/stats`)).rateLimit.dropped
    const flooder = await rawSocket(FLOODER)
    await flood(flooder.socket, SERVER, port, 1)
    await waitFor(async () => (await getJson(`${http}/stats`)).rateLimit.dropped === before + 1, 'the banned source\'s next request to be dropped')
    expect(flooder.received()).toBe(0)
  })

  it('the status page shows the limit and its counters (headless chromium)', async () => {
    const s = await getJson(`${http}/stats`)
    const dom = await dumpDom(`${http}/`)
    const text = (id: string): string | undefined => new RegExp(`id="${id}"[^>]*>([^<]*)<`).exec(dom)?.[1]
    expect(Number(text('rate-limited'))).toBeGreaterThanOrEqual(s.rateLimit.dropped)
    expect(text('banned-sources')).toBe('1')
    expect(text('rate-limit')).toMatch(/^20 requests\/s, burst 20; .* 1 ban so far/)
  })
})

describe('--no-rate-limit', () => {
  it('admits every request of a fast source, and says that it is off', async () => {
    const server = new Server(['--port', '0', '--host', OPEN_SERVER, '--http-port', '0', '--no-rate-limit'])
    servers.push(server)
    const { port, httpPort } = await server.started(true)
    const http = `http://127.0.0.1:${httpPort!}`
    expect(await server.waitLog(/^rate limiting is off/)).toMatchObject({ level: 40 })
    const flooder = await rawSocket(OPEN_FLOODER)
    // 300 in a fraction of a second: the default limit would handle its burst of 50 and ban the rest
    for (let i = 0; i < 6; i++) {
      await flood(flooder.socket, OPEN_SERVER, port, 50)
      await new Promise((resolve) => setTimeout(resolve, 20))
    }
    // a loaded machine may lose a few in the kernel's receive buffer: wait until the count settles
    const handled = async (): Promise<number> => (await getJson(`${http}/stats`)).stats.commands._ping?.requestsIn ?? 0
    let last = -1
    await waitFor(async () => {
      const n = await handled()
      const settled = n === last
      last = n
      return settled && n > 0
    }, 'the pings to be handled')
    expect(last).toBeGreaterThan(150)
    const s = await getJson(`${http}/stats`)
    expect(s.rateLimit).toMatchObject({ limit: false, dropped: 0, bans: 0, bannedSources: 0 })
  })
})

describe('rate-limit flags on the command line', () => {
  it('bad values: one line on stderr, exit 2', async () => {
    const cases: Array<[string[], RegExp]> = [
      [['--rate-limit', 'abc'], /--rate-limit .*'abc' is invalid.*whole number/],
      [['--rate-limit', '0'], /--rate-limit .*'0' is invalid/],
      [['--rate-burst', '2.5'], /--rate-burst .*'2\.5' is invalid/],
      [['--no-rate-limit', '--rate-burst', '10'], /--rate-burst has no effect with --no-rate-limit/]
    ]
    for (const [args, message] of cases) {
      const r = await runToEnd(args)
      expect(r.code, args.join(' ')).toBe(2)
      const lines = r.stderr.split('\n').filter(Boolean)
      expect(lines, args.join(' ')).toHaveLength(1)
      expect(lines[0]).toMatch(/^hyperdht-bootstrap: /)
      expect(lines[0]).toMatch(message)
    }
  })

  it('--help documents them', async () => {
    const help = await runToEnd(['--help'])
    expect(help.stdout).toContain('--rate-limit <requests/s>')
    expect(help.stdout).toContain('--rate-burst <n>')
    expect(help.stdout.replace(/\s+/g, ' ')).toContain('--no-rate-limit no per-source limit at all: for private networks only')
  })
})
