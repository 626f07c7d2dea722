// `_ping` throughput: this package vs. the reference dht-rpc@2.3.0 vs. a bare dgram echo,
// in one run, with the same number of pings in flight. Client and server share this process
// for all three, so the numbers compare the stacks, not the machines.
//
//   pnpm bench                      (PINGS=20000 CONCURRENCY=16 ROUNDS=3 to change)
import { createSocket } from 'node:dgram'
import { createRequire } from 'node:module'
import { DHT } from '../src/index.js'

const PINGS = Number(process.env.PINGS ?? 20000)
const CONCURRENCY = Number(process.env.CONCURRENCY ?? 16)
const ROUNDS = Number(process.env.ROUNDS ?? 3)

const require = createRequire(import.meta.url)
const ref = createRequire(require.resolve('hyperdht/package.json'))
const RefDHT = ref('dht-rpc')
const refVersion: string = ref('dht-rpc/package.json').version

/** Runs `PINGS` calls of `ping`, `CONCURRENCY` at a time; returns pings per second. */
async function drive (ping: () => Promise<unknown>): Promise<number> {
  let started = 0
  let failed = 0
  const t0 = process.hrtime.bigint()
  const worker = async (): Promise<void> => {
    while (started < PINGS) {
      started++
      try {
        await ping()
      } catch {
        failed++
      }
    }
  }
  await Promise.all(Array.from({ length: CONCURRENCY }, worker))
  const secs = Number(process.hrtime.bigint() - t0) / 1e9
  if (failed > 0) console.log(`  (${failed} pings failed)`)
  return PINGS / secs
}

async function ours (): Promise<number> {
  const server = new DHT()
  const client = new DHT({ concurrency: CONCURRENCY, ephemeral: true })
  await server.listen(0, '127.0.0.1')
  await client.listen(0, '127.0.0.1')
  const to = { host: '127.0.0.1', port: server.address().port }
  try {
    return await drive(() => client.ping(to))
  } finally {
    await client.destroy()
    await server.destroy()
  }
}

async function reference (): Promise<number> {
  const server = new RefDHT()
  const client = new RefDHT({ concurrency: CONCURRENCY, ephemeral: true })
  await new Promise((resolve) => server.listen(0, resolve))
  await new Promise((resolve) => client.listen(0, resolve))
  const to = { host: '127.0.0.1', port: server.address().port }
  try {
    return await drive(() => new Promise((resolve, reject) => client.ping(to, (err: Error | null, res: unknown) => err ? reject(err) : resolve(res))))
  } finally {
    client.destroy()
    server.destroy()
  }
}

async function bare (): Promise<number> {
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
    return await drive(() => new Promise<void>((resolve) => {
      const id = tid++ & 0x7fff
      const msg = Buffer.from(body)
      msg.writeUInt16BE(id, 0)
      waiting.set(id, resolve)
      client.send(msg, port, '127.0.0.1')
    }))
  } finally {
    client.close()
    server.close()
  }
}

const fmt = (n: number): string => `${Math.round(n).toLocaleString('en-US')} pings/s`

console.log(`_ping throughput: ${PINGS} pings, ${CONCURRENCY} in flight, best of ${ROUNDS} rounds (Node ${process.version})`)
const best = { ours: 0, ref: 0, bare: 0 }
for (let r = 0; r < ROUNDS; r++) {
  const b = await bare()
  const f = await reference()
  const o = await ours()
  console.log(`  round ${r + 1}: bare ${fmt(b)}, dht-rpc@${refVersion} ${fmt(f)}, @hyperdht-ts/dht-rpc ${fmt(o)}`)
  best.bare = Math.max(best.bare, b)
  best.ref = Math.max(best.ref, f)
  best.ours = Math.max(best.ours, o)
}
console.log('')
console.log(`  bare dgram echo         ${fmt(best.bare)}`)
console.log(`  dht-rpc@${refVersion}          ${fmt(best.ref)}`)
console.log(`  @hyperdht-ts/dht-rpc    ${fmt(best.ours)}`)
console.log('')
console.log(`  ours / reference = ${(best.ours / best.ref).toFixed(2)}`)
console.log(`  ours / bare      = ${(best.ours / best.bare).toFixed(2)}`)
console.log(`  reference / bare = ${(best.ref / best.bare).toFixed(2)}`)
