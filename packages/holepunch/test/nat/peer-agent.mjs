#!/usr/bin/env node
// A HyperDHT node driven by JSON lines, run inside a network namespace by the NAT tests. It is
// our built code (packages/hyperdht/dist), in a real process, on a real socket.
//
// Configuration: the JSON in argv[2]: { host, port, bootstrap: [], mode, holepunch: {...}, dht: {...}, log }
// (`dht`: further HyperDHT/dht-rpc options, e.g. `rateLimit`).
// With `log: true` the library's debug/info/warn lines are printed as {type:'log', level, msg, data, t}.
// Prints: {type:'ready', address, id, mode}, then {type:'mode'|'nat'|'reachability'|'portmapping', ...}
// as they happen, and the answers to commands read from stdin:
//   {op:'info'}                 -> {type:'info', mode, nat, publicAddress, reachability, portMapping, table, guard}
//   {op:'listen', key}          -> {type:'listening', key}; then {type:'connection', ...} and {type:'message', ...}
//   {op:'connect', key}         -> {type:'connected', remoteAddress, path, rtt, ms} | {type:'connect-failed', code, message, ms}
//   {op:'send', text}           -> {type:'sent', count} (to every open connection, acknowledged)
//   {op:'close'}                -> {type:'closed'} (every connection, gracefully)
//   {op:'destroy'}              -> {type:'destroyed'} once node.destroy() resolved, then exits
// Exits when stdin ends, so it dies with the test even when the test process is killed.
import { createInterface } from 'node:readline'
import { HyperDHT } from '../../../hyperdht/dist/index.js'

const config = JSON.parse(process.argv[2] ?? '{}')
const out = (msg) => process.stdout.write(JSON.stringify(msg) + '\n')
const fail = (err) => ({ code: err?.code ?? 'ERROR', message: err?.message ?? String(err) })

const log = (level) => (msg, data) => out({ type: 'log', level, msg, data, t: Date.now() })
const logger = config.log === true ? { debug: log('debug'), info: log('info'), warn: log('warn') } : undefined
const node = new HyperDHT({ ...config.dht, bootstrap: config.bootstrap ?? [], mode: config.mode ?? 'auto', holepunch: config.holepunch ?? {}, logger })
node.on('mode', (c) => out({ type: 'mode', mode: c.mode, previous: c.previous, reason: c.reason }))
node.on('nat', (c) => out({ type: 'nat', nat: c.verdict.type, host: c.verdict.host, port: c.verdict.port, addressChanged: c.addressChanged }))
node.on('reachability', (c) => out({ type: 'reachability', reachability: c.reachability }))
node.on('portmapping', (c) => out({ type: 'portmapping', status: c.status, mapping: c.mapping, ...(c.error ? { error: fail(c.error) } : {}) }))

const conns = new Set()
const servers = []

function track (conn) {
  conns.add(conn)
  ;(async () => {
    try {
      for await (const m of conn) out({ type: 'message', text: Buffer.from(m).toString(), from: conn.remoteAddress })
      out({ type: 'peer-closed', from: conn.remoteAddress })
    } catch (err) {
      out({ type: 'peer-lost', from: conn.remoteAddress, ...fail(err) })
    } finally {
      conns.delete(conn)
    }
  })()
}

async function handle (cmd) {
  switch (cmd.op) {
    case 'info':
      out({
        type: 'info',
        mode: node.mode,
        nat: node.natType,
        publicAddress: node.publicAddress,
        reachability: node.reachability,
        portMapping: node.portMapping === null ? null : { ...node.portMapping, error: node.portMapping.error && fail(node.portMapping.error) },
        table: node.dht.toArray().map((n) => ({ host: n.host, port: n.port })),
        guard: node.dht.stats.guard
      })
      return
    case 'listen': {
      const server = await node.listen(Buffer.from(cmd.key, 'hex'))
      servers.push(server)
      server.on('connection', (c) => {
        out({ type: 'connection', remoteAddress: c.remoteAddress, path: c.path })
        track(c)
      })
      out({ type: 'listening', key: cmd.key, storing: server.storing.length })
      return
    }
    case 'connect': {
      const started = Date.now()
      try {
        const conn = await node.connect(Buffer.from(cmd.key, 'hex'), { signal: AbortSignal.timeout(cmd.timeout ?? 60_000) })
        track(conn)
        out({ type: 'connected', remoteAddress: conn.remoteAddress, path: conn.path, rtt: conn.rtt, ms: Date.now() - started })
      } catch (err) {
        out({ type: 'connect-failed', ...fail(err), ms: Date.now() - started })
      }
      return
    }
    case 'send': {
      await Promise.all([...conns].map(async (c) => await c.send(Buffer.from(cmd.text))))
      out({ type: 'sent', count: conns.size })
      return
    }
    case 'close':
      await Promise.all([...conns].map(async (c) => await c.close().catch(() => {})))
      out({ type: 'closed' })
      return
    case 'destroy':
      for (const s of servers) await s.close().catch(() => {})
      await node.destroy()
      out({ type: 'destroyed' })
      process.exit(0)
      return
    default:
      out({ type: 'error', code: 'UNKNOWN_OP', message: `unknown op ${cmd.op}` })
  }
}

async function main () {
  await node.listen(config.port ?? 0, config.host)
  await node.ready()
  out({ type: 'ready', address: node.address(), id: Buffer.from(node.id).toString('hex'), mode: node.mode })
  const lines = createInterface({ input: process.stdin })
  lines.on('line', (line) => {
    let cmd
    try {
      cmd = JSON.parse(line)
    } catch {
      return
    }
    handle(cmd).catch((err) => out({ type: 'error', op: cmd.op, ...fail(err) }))
  })
  lines.on('close', async () => {
    for (const s of servers) await s.close().catch(() => {})
    await node.destroy()
    process.exit(0)
  })
}

main().catch((err) => {
  out({ type: 'fatal', ...fail(err) })
  process.exit(1)
})
