// Replays every case of ./corpus/: bodies through hyperdht's decoders (./check.ts properties,
// `expect` "null" or "decodes"), `mutablePut` bodies through the ValueStore and the put handler
// (`expect` "stored", "incomplete" or the refusal reason), and whole `datagram`s at a live
// HyperDHT node (`expect` "answered" or "dropped:<reason>"; nothing may ever be stored).
import { createSocket, type Socket } from 'node:dgram'
import { once } from 'node:events'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { fuzzSourceHost, loadCorpus, waitFor, type CorpusCase } from '@hyperdht-ts/test-utils'
import { testnetHost } from '@hyperdht-ts/dht-rpc/testnet'
import type { DHTStats } from '@hyperdht-ts/dht-rpc'
import { HyperDHT } from '../../src/index.js'
import { mutableTarget } from '../../src/crypto.js'
import { onmutableUpdate } from '../../src/handlers.js'
import { mutableRequest, putResponse, PUT_STORED } from '../../src/messages/index.js'
import { PeerStore } from '../../src/store/peer-store.js'
import { ValueStore } from '../../src/store/value-store.js'
import { DECODERS, checkHyperDecode } from './check.js'

const corpus = loadCorpus(new URL('./corpus/', import.meta.url))
const TARGETS = new Set([...Object.keys(DECODERS), 'mutablePut', 'datagram'])
const label = (c: CorpusCase): string => `${c.file}: ${c.note}`

describe('hyperdht fuzz corpus', () => {
  it('every case names a known target and an expectation', () => {
    expect(corpus.length).toBeGreaterThan(20)
    for (const c of corpus) {
      expect(TARGETS.has(c.target), `${c.file}: unknown target ${c.target}`).toBe(true)
      expect(c.expect, `${c.file}: no expect`).toBeDefined()
    }
  })

  for (const c of corpus.filter((c) => c.target in DECODERS)) {
    it(`${c.target}: ${c.file}`, () => {
      expect(checkHyperDecode(c.target, c.bytes) === null ? 'null' : 'decodes', label(c)).toBe(c.expect)
    })
  }

  for (const c of corpus.filter((c) => c.target === 'mutablePut')) {
    it(`mutablePut: ${c.file}`, () => {
      const req = mutableRequest.decode(c.bytes)
      const target = req === null ? new Uint8Array(32) : mutableTarget(req.publicKey, req.salt)
      let outcome = 'incomplete'
      if (req !== null && req.value !== null && req.signature !== null && req.seq !== null) {
        const res = new ValueStore().putMutable(target, { publicKey: req.publicKey, salt: req.salt, seq: req.seq, value: req.value, signature: req.signature }, '10.0.0.1', 0)
        outcome = res.ok ? 'stored' : res.reason
      }
      expect(outcome, label(c)).toBe(c.expect)
      // the put handler agrees, and stores exactly when the store did
      const values = new ValueStore()
      const ctx = { peers: new PeerStore(), values, now: () => 0, encodePeer: () => null, emit: () => true }
      const reply = putResponse.decode(onmutableUpdate(ctx, { node: { id: null, host: '10.0.0.1', port: 1 }, command: 'mutable', target, value: c.bytes }))
      expect(reply?.status === PUT_STORED, label(c)).toBe(c.expect === 'stored')
      expect(values.size, label(c)).toBe(c.expect === 'stored' ? 1 : 0)
    })
  }

  describe('datagram: at a live HyperDHT node', () => {
    let node: HyperDHT
    let sock: Socket
    const replies: Buffer[] = []

    beforeAll(async () => {
      node = new HyperDHT({ ephemeral: false })
      await node.listen(0, testnetHost(0))
      sock = createSocket('udp4')
      sock.on('message', (msg) => replies.push(msg))
      sock.bind(0, fuzzSourceHost(0))
      await once(sock, 'listening')
    })

    afterAll(async () => {
      sock?.close()
      await node?.destroy()
    })

    const outcomes = (s: DHTStats): number => s.dropped.total + s.responsesOut

    for (const c of corpus.filter((c) => c.target === 'datagram')) {
      it(c.file, async () => {
        const before = node.dht.stats
        const repliesBefore = replies.length
        const { host, port } = node.address()
        sock.send(c.bytes, port, host)
        await waitFor(() => outcomes(node.dht.stats) > outcomes(before))
        const after = node.dht.stats
        if (c.expect === 'answered') {
          expect(after.responsesOut - before.responsesOut, label(c)).toBe(1)
          expect(after.dropped.total, label(c)).toBe(before.dropped.total)
          await waitFor(() => replies.length > repliesBefore)
        } else {
          const reason = /^dropped:(\w+)$/.exec(c.expect ?? '')?.[1]
          expect(reason, `${c.file}: expect must be "answered" or "dropped:<reason>"`).toBeDefined()
          const drops = after.dropped as unknown as Record<string, number>
          expect(drops[reason!]! - (before.dropped as unknown as Record<string, number>)[reason!]!, label(c)).toBe(1)
          expect(after.dropped.total - before.dropped.total, label(c)).toBe(1)
        }
        // no token was ever issued to the sender: nothing stored, no fuzzer address in the table
        expect(node.peerStore.size, label(c)).toBe(0)
        expect(node.valueStore.size, label(c)).toBe(0)
        expect(node.dht.toArray().filter((n) => n.host === fuzzSourceHost(0))).toEqual([])
      })
    }
  })
})
