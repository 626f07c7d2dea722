// The built `hyperdht-bootstrap` binary on loopback: its admin endpoint (fetched, /metrics parsed
// as Prometheus text, the status page rendered by a real headless chromium), its shutdown and its
// restart from the state file, joined by library nodes on distinct /16s.
import { createSocket } from 'node:dgram'
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { createServer } from 'node:net'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { HyperDHT } from '@hyperdht-ts/hyperdht'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { dumpDom, freeUdpPort, parsePrometheus, runToEnd, Server } from './helpers.js'

const HOST = '127.93.0.1'
const dir = mkdtempSync(join(tmpdir(), 'hyperdht-bootstrap-test-'))
const stateFile = join(dir, 'state.json')
const nodes: HyperDHT[] = []
const topic = new Uint8Array(32).fill(7)

let server: Server
let port = 0
let http = ''

async function json (path: string): Promise<any> {
  const res = await fetch(`${http}${path}`)
  expect(res.status).toBe(200)
  return await res.json()
}

async function joinNodes (count: number, bootstrap: string): Promise<void> {
  for (let i = 0; i < count; i++) {
    // one /16 each, so the routing table's diversity shows
    const node = new HyperDHT({ bootstrap: [bootstrap], ephemeral: false })
    nodes.push(node)
    await node.listen(0, `127.${94 + i}.0.1`)
    await node.ready()
  }
}

beforeAll(async () => {
  server = new Server(['--port', '0', '--host', HOST, '--http-port', '0', '--state-file', stateFile, '--rate-interval', '200', '--save-interval', '3600'])
  const started = await server.started(true)
  port = started.port
  http = `http://127.0.0.1:${started.httpPort!}`
  await joinNodes(5, `${HOST}:${port}`)
  await nodes[0]!.announce(topic, { port: 4242 })
})

afterAll(async () => {
  await Promise.all(nodes.map(async (n) => await n.destroy()))
  await server?.stop('SIGKILL')
  rmSync(dir, { recursive: true, force: true })
})

describe('HTTP admin endpoint', () => {
  it('/health is 200 while the node answers', async () => {
    const res = await fetch(`${http}/health`)
    expect(res.status).toBe(200)
    expect(await res.json()).toMatchObject({ status: 'ok', ok: true, closing: false, rtt: expect.any(Number) })
  })

  it('/stats has the routing table with its diversity, the store and the request rate', async () => {
    const s = await json('/stats')
    expect(s.id).toMatch(/^[0-9a-f]{64}$/)
    expect(s.address).toEqual({ host: HOST, port })
    expect(s.mode).toBe('server')
    expect(s.routingTable.size).toBe(5)
    expect(s.routingTable.diversity.prefixes16).toBe(5)
    expect(s.routingTable.diversity.largest16).toMatchObject({ count: 1 })
    expect(s.store.peers.peers).toBe(1)
    expect(s.stats.commands._find_node.requestsIn).toBeGreaterThan(0)
    expect(s.requestRate).toMatchObject({ interval: 200, capacity: 72 })
    expect(s.eventLoop.p99).toEqual(expect.any(Number))
    expect(s.state).toMatchObject({ file: stateFile, loadedNodes: 0, loadProblem: null })
  })

  it('/metrics is Prometheus text with the documented metrics, types and values', async () => {
    // one datagram too short for a header: counted as dropped, by reason
    const sock = createSocket('udp4')
    await new Promise<void>((resolve) => sock.send(new Uint8Array([1]), port, HOST, () => resolve()))
    sock.close()
    await new Promise((resolve) => setTimeout(resolve, 300))

    const res = await fetch(`${http}/metrics`)
    expect(res.status).toBe(200)
    expect(res.headers.get('content-type')).toMatch(/^text\/plain; version=0\.0\.4/)
    const { types, samples } = parsePrometheus(await res.text())
    const expected: Record<string, string> = {
      hyperdht_requests_received_total: 'counter',
      hyperdht_responses_sent_total: 'counter',
      hyperdht_requests_sent_total: 'counter',
      hyperdht_responses_received_total: 'counter',
      hyperdht_request_timeouts_total: 'counter',
      hyperdht_dropped_datagrams_total: 'counter',
      hyperdht_store_evictions_total: 'counter',
      hyperdht_up: 'gauge',
      hyperdht_routing_table_nodes: 'gauge',
      hyperdht_routing_table_prefixes: 'gauge',
      hyperdht_stored_announces: 'gauge',
      hyperdht_stored_values: 'gauge',
      nodejs_eventloop_lag_seconds: 'gauge'
    }
    for (const [name, type] of Object.entries(expected)) expect(types.get(name), name).toBe(type)
    // every sample belongs to a declared metric
    for (const s of samples) {
      const base = s.name.replace(/_(bucket|sum|count)$/, '')
      expect(types.has(s.name) || types.has(base), s.name).toBe(true)
      expect(Number.isNaN(s.value), s.name).toBe(false)
    }
    const value = (name: string, labels: Record<string, string> = {}): number | undefined =>
      samples.find((s) => s.name === name && Object.entries(labels).every(([k, v]) => s.labels[k] === v))?.value
    expect(value('hyperdht_up')).toBe(1)
    expect(value('hyperdht_routing_table_nodes')).toBe(5)
    expect(value('hyperdht_routing_table_prefixes', { prefix: '16' })).toBe(5)
    expect(value('hyperdht_stored_announces')).toBe(1)
    expect(value('hyperdht_requests_received_total', { command: '_find_node' })).toBeGreaterThan(0)
    expect(value('hyperdht_requests_received_total', { command: 'peers' })).toBeGreaterThan(0)
    expect(value('hyperdht_dropped_datagrams_total', { reason: 'tooShort' })).toBeGreaterThanOrEqual(1)
    expect(value('nodejs_eventloop_lag_seconds')).toBeGreaterThanOrEqual(0)
  })

  it('answers 404 and 405 for what it does not serve', async () => {
    expect((await fetch(`${http}/nope`)).status).toBe(404)
    expect((await fetch(`${http}/stats`, { method: 'POST' })).status).toBe(405)
  })

  it('/ renders its figures and the request-rate chart in a real headless browser (chromium)', async () => {
    // let the rate history collect a few samples first
    await new Promise((resolve) => setTimeout(resolve, 1000))
    const stats = await json('/stats')
    const dom = await dumpDom(`${http}/`)
    const text = (id: string): string | undefined => new RegExp(`id="${id}"[^>]*>([^<]*)<`).exec(dom)?.[1]
    expect(dom).toMatch(/<body[^>]*data-rendered="\d+"/)
    expect(text('health')).toBe('healthy')
    expect(text('node-id')).toBe(`${stats.id.slice(0, 16)}…`)
    expect(text('address')).toBe(`${HOST}:${port}`)
    expect(text('table-size')).toBe(String(stats.routingTable.size))
    expect(text('prefixes16')).toBe('5')
    expect(text('stored-announces')).toBe(String(stats.store.peers.peers))
    expect(Number(text('requests-in'))).toBeGreaterThanOrEqual(stats.stats.requestsIn)
    // the chart: an SVG polyline with one point per sample
    const svg = /<svg id="chart"[^>]*data-points="(\d+)"/.exec(dom)
    expect(svg).not.toBeNull()
    const points = Number(svg![1])
    expect(points).toBeGreaterThanOrEqual(2)
    const line = /<polyline id="rate-line" points="([^"]+)"/.exec(dom)
    expect(line).not.toBeNull()
    const coords = line![1]!.trim().split(/\s+/)
    expect(coords).toHaveLength(points)
    for (const c of coords) expect(c).toMatch(/^\d+(\.\d+)?,\d+(\.\d+)?$/)
    // the per-command table is filled in by the script
    expect(dom).toMatch(/<td>_find_node<\/td>/)
  })
})

describe('shutdown and restart from the state file', () => {
  it('SIGTERM: stops answering, writes the state file, exits 0 promptly', async () => {
    const before = await json('/stats')
    const { code, ms } = await server.stop('SIGTERM')
    expect(code).toBe(0)
    // the server's own deadline is 2 s; allow for a loaded machine
    expect(ms).toBeLessThan(10_000)
    expect(server.logs.map((l) => l.msg)).toEqual(expect.arrayContaining(['shutting down: stop answering, write state', 'stopped']))
    const state = JSON.parse(readFileSync(stateFile, 'utf8'))
    expect(state).toMatchObject({ version: 1, id: before.id })
    expect(state.nodes).toHaveLength(5)
    expect(state.nodes.map((n: { host: string }) => n.host).sort()).toEqual(nodes.map((n) => n.address().host).sort())
  })

  it('restarted without a bootstrap list, it rejoins through the state file: a fresh node that knows only it finds the network', async () => {
    server = new Server(['--port', String(port), '--host', HOST, '--http-port', '0', '--state-file', stateFile])
    const started = await server.started(true)
    http = `http://127.0.0.1:${started.httpPort!}`
    expect(server.logs.find((l) => l.msg === 'state file loaded: rejoining through its contacts')).toMatchObject({ nodes: 5, skipped: 0 })
    const s = await json('/stats')
    expect(s.state.loadedNodes).toBe(5)
    expect(s.routingTable.size).toBe(5)

    const fresh = new HyperDHT({ bootstrap: [`${HOST}:${port}`] })
    nodes.push(fresh)
    await fresh.listen(0, '127.110.0.1')
    const joined = await fresh.ready()
    expect(joined.error).toBeNull()
    // it learnt the other nodes from the restarted server alone
    expect(fresh.dht.toArray().length).toBeGreaterThanOrEqual(5)
    // and finds the announce stored on them before the restart
    const found = (await fresh.lookup(topic).toArray()).flatMap((r) => r.peers)
    expect(found.map((p) => p.port)).toContain(4242)
  })

  it('SIGINT works the same', async () => {
    const { code } = await server.stop('SIGINT')
    expect(code).toBe(0)
  })
})

describe('state file problems are reported, never fatal', () => {
  it('a corrupt state file is logged and ignored, then replaced by a good one', async () => {
    const file = join(dir, 'corrupt.json')
    writeFileSync(file, '{"version": 1, "id": "zz", "nod')
    const s = new Server(['--port', '0', '--host', HOST, '--http-port', '0', '--state-file', file])
    const { port: p, httpPort } = await s.started(true)
    const warn = await s.waitLog(/^state file ignored/)
    expect(warn).toMatchObject({ level: 40, file })
    expect(warn.problem).toMatch(/not valid JSON/)
    expect((await fetch(`http://127.0.0.1:${httpPort!}/health`)).status).toBe(200)
    // a node joins, so there is a table to write
    await joinNodes(1, `${HOST}:${p}`)
    expect((await s.stop('SIGTERM')).code).toBe(0)
    expect(JSON.parse(readFileSync(file, 'utf8')).nodes).toHaveLength(1)
  })

  it('a state file of another shape is ignored too; contacts that are not valid are skipped', async () => {
    const file = join(dir, 'shape.json')
    writeFileSync(file, JSON.stringify({ version: 1, id: 'ab'.repeat(32), nodes: [{ id: 'cd'.repeat(32), host: '127.99.0.1', port: 1 }, { id: 'x', host: 'h', port: 0 }] }))
    const s = new Server(['--port', '0', '--host', HOST, '--state-file', file])
    await s.started(false)
    expect(s.logs.find((l) => l.msg === 'state file loaded: rejoining through its contacts')).toMatchObject({ nodes: 1, skipped: 1 })
    expect((await s.stop()).code).toBe(0)
  })

  it('a state file that cannot be written is a warning; the server still exits 0', async () => {
    const file = join(dir, 'no-such-dir', 'state.json')
    const s = new Server(['--port', '0', '--host', HOST, '--state-file', file])
    const { port: p } = await s.started(false)
    await s.waitLog(/^no state file yet/)
    await joinNodes(1, `${HOST}:${p}`)
    expect((await s.stop()).code).toBe(0)
    expect(s.logs.find((l) => l.msg === 'state file could not be written')).toMatchObject({ level: 40, file })
  })
})

describe('command line', () => {
  it('bad flags: one line on stderr, exit 2', async () => {
    for (const args of [['--port', 'abc'], ['--log-level', 'loud'], ['--frobnicate'], ['--http-port', '70000']]) {
      const r = await runToEnd(args)
      expect(r.code, args.join(' ')).toBe(2)
      const lines = r.stderr.split('\n').filter(Boolean)
      expect(lines, args.join(' ')).toHaveLength(1)
      expect(lines[0]).toMatch(/^hyperdht-bootstrap: /)
    }
  })

  it('a busy UDP port: one line on stderr, exit 1', async () => {
    const p = await freeUdpPort(HOST)
    const sock = createSocket('udp4')
    await new Promise<void>((resolve) => sock.bind(p, HOST, () => resolve()))
    try {
      const r = await runToEnd(['--port', String(p), '--host', HOST])
      expect(r.code).toBe(1)
      expect(r.stderr).toBe(`hyperdht-bootstrap: UDP port ${p} is already in use on ${HOST}\n`)
    } finally {
      sock.close()
    }
  })

  it('a busy HTTP port: one line on stderr, exit 1', async () => {
    const tcp = createServer()
    await new Promise<void>((resolve) => tcp.listen(0, '127.0.0.1', () => resolve()))
    const busy = (tcp.address() as { port: number }).port
    try {
      const r = await runToEnd(['--port', '0', '--host', HOST, '--http-port', String(busy)])
      expect(r.code).toBe(1)
      expect(r.stderr).toBe(`hyperdht-bootstrap: cannot start the HTTP admin endpoint on 127.0.0.1:${busy}: the port is already in use\n`)
    } finally {
      tcp.close()
    }
  })

  it('--log-level warn keeps info lines out; --help exits 0', async () => {
    const tcp = createServer()
    await new Promise<void>((resolve) => tcp.listen(0, '127.0.0.1', () => resolve()))
    const httpPort = (tcp.address() as { port: number }).port
    await new Promise<void>((resolve) => tcp.close(() => resolve()))
    const s = new Server(['--port', '0', '--host', HOST, '--log-level', 'warn', '--http-port', String(httpPort)])
    // nothing is logged at this level: wait for the endpoint instead
    for (let i = 0; ; i++) {
      const ok = await fetch(`http://127.0.0.1:${httpPort}/health`).then((r) => r.status === 200, () => false)
      if (ok) break
      if (i > 300) throw new Error('the server did not come up')
      await new Promise((resolve) => setTimeout(resolve, 100))
    }
    expect((await s.stop()).code).toBe(0)
    expect(s.logs.filter((l) => l.level < 40)).toEqual([])
    const help = await runToEnd(['--help'])
    expect(help.code).toBe(0)
    expect(help.stdout).toContain('Usage: hyperdht-bootstrap')
  })
})
