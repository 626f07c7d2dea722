#!/usr/bin/env node
// A scripted tour of the library API (`pnpm tour`): a local network of hyperdht-ts nodes on
// loopback UDP, doing real announces, lookups, an unannounce and stored values, printed as a
// user would want to see them, then exits 0 if everything was found. `pnpm tour` builds first;
// the interactive way in is `pnpm demo` (`hyperdht testnet`) and the `hyperdht` command.
import { createHash } from 'node:crypto'
import { HyperDHT } from '../packages/hyperdht/dist/index.js'

const SIZE = Number(process.env.DEMO_NODES || 30)
const HOST = '127.0.0.1'
const topic = (name) => createHash('sha256').update(name).digest()
const text = (bytes) => new TextDecoder().decode(bytes)
const bytes = (str) => new TextEncoder().encode(str)
const hex = (b) => Buffer.from(b).toString('hex').slice(0, 12) + '…'
const addr = (p) => `${p.host}:${p.port}`
const ms = (t0) => `${(performance.now() - t0).toFixed(1)} ms`

const nodes = []

async function startNetwork () {
  const t0 = performance.now()
  const bootstrap = new HyperDHT({ ephemeral: false })
  await bootstrap.listen(0, HOST)
  await bootstrap.ready()
  nodes.push(bootstrap)
  const boot = [addr(bootstrap.address())]
  // Join a few at a time, as nodes of a real network would arrive.
  for (let i = 1; i < SIZE; i += 8) {
    const batch = []
    for (let j = i; j < Math.min(SIZE, i + 8); j++) {
      const node = new HyperDHT({ bootstrap: boot, ephemeral: false })
      nodes.push(node)
      batch.push(node.listen(0, HOST).then(() => node.ready()))
    }
    await Promise.all(batch)
  }
  // One more round of bootstrapping now that everyone is here fills the routing tables.
  await Promise.all(nodes.map((n) => n.dht.bootstrap()))
  const tables = nodes.map((n) => n.dht.toArray().length)
  console.log(`network: ${SIZE} nodes on ${HOST} up in ${ms(t0)} (bootstrap ${boot[0]}), routing tables hold ${Math.min(...tables)}–${Math.max(...tables)} contacts`)
}

async function lookup (node, name, localAddress) {
  const t0 = performance.now()
  const found = new Map()
  const lanFound = new Map()
  const query = node.lookup(topic(name), localAddress ? { localAddress } : {})
  for await (const { peers, localPeers } of query) {
    for (const p of peers) found.set(addr(p), p)
    for (const p of localPeers) lanFound.set(addr(p), p)
  }
  const lan = lanFound.size ? `, on our LAN ${[...lanFound.keys()].join(' ')}` : ''
  console.log(`  lookup  "${name}" from node ${addr(node.address())}: ${found.size ? [...found.keys()].join(' ') : 'nobody'}${lan} (${query.requests ?? '?'} requests, ${ms(t0)})`)
  return found
}

async function main () {
  console.log('hyperdht-ts demo: a local DHT on loopback UDP\n')
  await startNetwork()
  const pick = (i) => nodes[(i * 7 + 3) % nodes.length]

  console.log('\nannounce: three apps make themselves findable under a topic')
  const apps = [
    { name: 'chat-room', node: pick(1), port: 7001, localAddress: { host: '192.168.1.10', port: 7001 } },
    { name: 'chat-room', node: pick(2), port: 7002, localAddress: { host: '192.168.1.11', port: 7002 } },
    { name: 'file-share', node: pick(3), port: 8080 }
  ]
  for (const app of apps) {
    const t0 = performance.now()
    const { committed } = await app.node.announce(topic(app.name), { port: app.port, localAddress: app.localAddress })
    console.log(`  announce "${app.name}" as ${HOST}:${app.port} from node ${addr(app.node.address())}: stored on ${committed.length} closest nodes (${ms(t0)})`)
  }

  console.log('\nlookup: other nodes find them')
  const chat = await lookup(pick(4), 'chat-room', { host: '192.168.1.99', port: 0 })
  const share = await lookup(pick(5), 'file-share')
  await lookup(pick(6), 'nobody-announced-this')

  console.log('\nunannounce: one chat peer leaves')
  await apps[1].node.unannounce(topic('chat-room'), { port: apps[1].port, localAddress: apps[1].localAddress })
  const after = await lookup(pick(7), 'chat-room')

  console.log('\nstored values')
  let t0 = performance.now()
  const { hash } = await pick(8).immutablePut(bytes('hello from hyperdht-ts'))
  const imm = await pick(9).immutableGet(hash)
  console.log(`  immutable put → sha256 ${hex(hash)}; get from another node → "${imm && text(imm.value)}" (${ms(t0)})`)

  t0 = performance.now()
  const keyPair = HyperDHT.keyPair()
  await pick(10).mutablePut(keyPair, bytes('status: online'), { seq: 1 })
  await pick(10).mutablePut(keyPair, bytes('status: away'), { seq: 2 })
  const mut = await pick(11).mutableGet(keyPair.publicKey)
  console.log(`  mutable put seq 1 then 2 under key ${hex(keyPair.publicKey)}; get → "${mut && text(mut.value)}" at seq ${mut?.seq} (signature verified) (${ms(t0)})`)
  let refused = 'accepted (unexpected)'
  try {
    await pick(12).mutablePut(keyPair, bytes('status: stale'), { seq: 1 })
  } catch (err) {
    refused = `refused with ${err.code}`
  }
  console.log(`  a stale put at seq 1 is ${refused}`)

  const ok = chat.size === 2 && share.size === 1 && after.size === 1 &&
    imm !== null && mut !== null && mut.seq === 2 && refused.includes('SEQ_TOO_LOW')
  console.log(`\n${ok ? 'every announce was found and every value fetched' : 'SOMETHING WAS NOT FOUND'}`)
  return ok
}

let ok = false
try {
  ok = await main()
} catch (err) {
  console.error('demo failed:', err)
} finally {
  await Promise.all(nodes.map((n) => n.destroy()))
}
process.exit(ok ? 0 : 1)
