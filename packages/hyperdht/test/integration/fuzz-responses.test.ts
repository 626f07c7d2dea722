// The other direction: malformed RESPONSES. A hostile node in the middle of the network answers
// a HyperDHT client's requests with mutated versions of real answers (it relays each request to
// an honest node and breaks the response on its way back: ids, nodes, tokens, peers, values,
// signatures, length prefixes). The client's lookups and gets must end (no hang) with results or
// typed errors, return only well-formed peers and only values that verify, and never throw
// anything untyped or leave an unhandled rejection. Mutated `nodes` are kept on loopback.
// The mutations come from a Prng seeded by FUZZ_SEED, in the order the requests arrive.
import { createSocket, type Socket } from 'node:dgram'
import { once } from 'node:events'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { Prng, envCount, fuzzSeed, guardedSocket, mutate, type GuardedSocket } from '@hyperdht-ts/test-utils'
import { responseEncoding, toHex } from '@hyperdht-ts/dht-rpc'
import { testnetHost } from '@hyperdht-ts/dht-rpc/testnet'
import { HyperDHT, HyperDHTError } from '../../src/index.js'
import { sha256 } from '../../src/crypto.js'
import { verifyMutable } from '../../src/store/value-store.js'
import { confineNodes, frame, signedRecord } from '../fuzz/seeds.js'

const seed = fuzzSeed()
const OPS = envCount('FUZZ_OPS', 60)
const NODES = 3

/** A response body whose `nodes` entries naming an honest node name its relay instead. */
function throughRelays (body: Uint8Array, relayOf: Map<string, Buffer>): Uint8Array {
  let res
  try {
    res = responseEncoding.decode(body)
  } catch {
    return body
  }
  const nodes = res.nodes
  if (!nodes || nodes.length % 38 !== 0) return body
  const out = Uint8Array.from(body)
  const at = nodes.byteOffset - body.byteOffset
  for (let o = 0; o < nodes.length; o += 38) {
    const host = [...nodes.subarray(o + 32, o + 36)].join('.')
    const relay = relayOf.get(`${host}:${(nodes[o + 36]! << 8) | nodes[o + 37]!}`)
    if (relay !== undefined) out.set(relay, at + o + 32)
  }
  return out
}

describe('fuzz: mutated responses at a HyperDHT client', () => {
  const rand = new Prng(seed)
  const setup = rand.fork()
  const stream = rand.fork()
  const nodes: HyperDHT[] = []
  const relays: Socket[] = []
  let client: HyperDHT
  let clientSocket: GuardedSocket
  let unhandled = 0
  const onunhandled = (): void => { unhandled++ }
  const key = setup.bytes(32)
  const value = setup.bytes(300)
  const record = signedRecord(setup, { salt: setup.bytes(4), seq: 9 })
  const tally = { relayed: 0, mutated: 0, tampered: {} as Record<string, number> }

  beforeAll(async () => {
    console.log(`hyperdht response fuzz: seed ${seed}, ${OPS} operations (replay: FUZZ_SEED=${seed} FUZZ_OPS=${OPS}; mutations follow the order requests arrive in)`)
    process.on('unhandledRejection', onunhandled)
    for (let i = 0; i < NODES; i++) {
      const node = new HyperDHT({ id: setup.bytes(32), ephemeral: false, socket: guardedSocket(), bootstrap: i === 0 ? [] : [`${testnetHost(0)}:${nodes[0]!.address().port}`] })
      nodes.push(node)
      await node.listen(0, testnetHost(i))
      await node.ready()
    }
    await nodes[1]!.announce(key)
    await nodes[1]!.immutablePut(value)
    await nodes[1]!.mutablePut({ publicKey: record.publicKey, secretKey: record.secretKey }, record.value, { seq: record.seq, salt: record.salt! })

    // hostile relays, one in front of each honest node: a request from the client goes on to the
    // honest node under a tid of the relay; the answer comes back with its `nodes` pointing at the
    // relays (so the client never leaves them), then mutated, under the client's tid
    const confine = confineNodes((b) => responseEncoding.decode(b))
    const relayOf = new Map<string, Buffer>() // honest "ip:port" -> the relay's 6-byte peer
    let nextTid = 0
    for (let i = 0; i < NODES; i++) {
      const honest = nodes[i]!.address()
      const pending = new Map<number, { host: string, port: number, tid: number }>()
      const relay = createSocket('udp4')
      relays.push(relay)
      relay.on('message', (msg, rinfo) => {
        if (msg.length < 2) return
        const tid = msg.readUInt16BE(0) & 0x7fff
        if (rinfo.address === honest.host && rinfo.port === honest.port) {
          const to = pending.get(tid)
          if (to === undefined || (msg[0]! & 0x80) !== 0) return // the honest node's own pings: never answered
          pending.delete(tid)
          let body: Uint8Array = throughRelays(msg.subarray(2), relayOf)
          if (stream.chance(0.7)) {
            body = mutate(stream, body, { maxOps: 2 }).bytes
            tally.mutated++
          }
          relay.send(confine(frame(false, to.tid, body)), to.port, to.host)
        } else if (rinfo.address === testnetHost(NODES) && (msg[0]! & 0x80) !== 0) {
          const t = nextTid++ & 0x7fff
          pending.set(t, { host: rinfo.address, port: rinfo.port, tid })
          if (pending.size > 4096) pending.delete(pending.keys().next().value!)
          tally.relayed++
          relay.send(frame(true, t, msg.subarray(2)), honest.port, honest.host)
        }
      })
      relay.bind(0, testnetHost(NODES + 1 + i))
      await once(relay, 'listening')
      const peer = Buffer.alloc(6)
      testnetHost(NODES + 1 + i).split('.').forEach((o, k) => { peer[k] = Number(o) })
      peer.writeUInt16BE(relay.address().port, 4)
      relayOf.set(`${honest.host}:${honest.port}`, peer)
    }

    clientSocket = guardedSocket()
    client = new HyperDHT({ socket: clientSocket, timeout: 400, bootstrap: [`${testnetHost(NODES + 1)}:${relays[0]!.address().port}`] })
    client.on('tampered', (t) => { tally.tampered[t.reason] = (tally.tampered[t.reason] ?? 0) + 1 })
    await client.listen(0, testnetHost(NODES))
  })

  afterAll(async () => {
    process.off('unhandledRejection', onunhandled)
    await client?.destroy()
    for (const r of relays) r.close()
    await Promise.all(nodes.map(async (n) => await n.destroy()))
  })

  it(`${OPS} lookups and gets through a relay that breaks responses`, async () => {
    const why = `seed ${seed} (replay: FUZZ_SEED=${seed} FUZZ_OPS=${OPS})`
    const outcomes = new Map<string, number>()
    const count = (k: string): void => { outcomes.set(k, (outcomes.get(k) ?? 0) + 1) }
    const run = async (op: 'lookup' | 'immutable' | 'mutable'): Promise<void> => {
      // a generous bound: an operation that outlives it hangs (queries end by their own timeouts)
      const signal = AbortSignal.timeout(60_000)
      try {
        if (op === 'lookup') {
          for (const r of await client.lookup(key, { signal }).toArray()) {
            for (const p of r.peers) {
              expect(p.port, why).toBeGreaterThanOrEqual(1)
              expect(p.port, why).toBeLessThanOrEqual(65535)
              expect(p.host, why).toMatch(/^\d{1,3}(\.\d{1,3}){3}$/)
            }
          }
          count('lookup: ok')
        } else if (op === 'immutable') {
          const got = await client.immutableGet(sha256(value), { signal })
          if (got !== null) expect(toHex(sha256(got.value)), why).toBe(toHex(sha256(value)))
          count(`immutable: ${got === null ? 'null' : 'ok'}`)
        } else {
          const got = await client.mutableGet(record.publicKey, { salt: record.salt!, signal })
          if (got !== null) expect(verifyMutable({ publicKey: record.publicKey, salt: record.salt, seq: got.seq, value: got.value, signature: got.signature }), why).toBe(true)
          count(`mutable: ${got === null ? 'null' : 'ok'}`)
        }
      } catch (err) {
        if (!HyperDHTError.isInstance(err)) throw new Error(`${why}: ${op} failed with an untyped error: ${String(err)}`, { cause: err })
        expect(signal.aborted, `${why}: ${op} hung`).toBe(false)
        count(`${op}: ${err.code}`)
      }
    }
    // a few operations at a time, so that many responses cross the relays
    const ops = Array.from({ length: OPS }, () => setup.pick(['lookup', 'immutable', 'mutable'] as const))
    for (let i = 0; i < ops.length; i += 6) await Promise.all(ops.slice(i, i + 6).map(run))
    console.log('hyperdht response fuzz:', JSON.stringify({ seed, ...tally, outcomes: Object.fromEntries(outcomes), blocked: clientSocket.blocked.length }))
    expect(unhandled, why).toBe(0)
    expect(tally.mutated, why).toBeGreaterThan(0)
    expect(clientSocket.blocked, why).toEqual([])
  }, 300_000)
})
