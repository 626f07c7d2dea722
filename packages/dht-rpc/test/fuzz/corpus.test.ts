// Replays every case of ./corpus/ (inputs that once failed, and edge cases kept on purpose):
// `request` / `response` bodies through the decoders (with the properties of ./check.ts),
// `nodes` fields through the lenient nodes decoder, and whole `datagram`s at a live node, whose
// drop counters must move exactly as the case's `expect` says. To add a case, drop a JSON file in
// ./corpus (see docs/security.md, "Malformed input").
import { createSocket, type Socket } from 'node:dgram'
import { once } from 'node:events'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { fuzzSourceHost, loadCorpus, waitFor, type CorpusCase } from '@hyperdht-ts/test-utils'
import { DHT, requestEncoding, responseEncoding, type DHTStats } from '../../src/index.js'
import { AddressCodec } from '../../src/messages/addresses.js'
import { testnetHost } from '../../src/testnet.js'
import { checkDecode } from './check.js'

const corpus = loadCorpus(new URL('./corpus/', import.meta.url))
const TARGETS = new Set(['request', 'response', 'nodes', 'datagram'])
const label = (c: CorpusCase): string => `${c.file}: ${c.note}`

describe('dht-rpc fuzz corpus', () => {
  it('every case names a known target and an expectation', () => {
    expect(corpus.length).toBeGreaterThan(20)
    for (const c of corpus) {
      expect(TARGETS.has(c.target), `${c.file}: unknown target ${c.target}`).toBe(true)
      expect(c.expect, `${c.file}: no expect`).toBeDefined()
    }
  })

  for (const c of corpus.filter((c) => c.target === 'request' || c.target === 'response')) {
    it(`${c.target}: ${c.file}`, () => {
      const enc = c.target === 'request' ? requestEncoding : responseEncoding
      const out = checkDecode<never>(enc as never, c.bytes)
      expect(out.ok ? 'decodes' : 'throws', label(c)).toBe(c.expect)
    })
  }

  it('nodes: each case decodes to the expected number of nodes, never throws', () => {
    const codec = new AddressCodec(4)
    for (const c of corpus.filter((c) => c.target === 'nodes')) {
      expect(String(codec.decodeNodes(c.bytes).length), label(c)).toBe(c.expect)
    }
  })

  describe('datagram: at a live node', () => {
    let node: DHT
    let sock: Socket
    const replies: Buffer[] = []

    beforeAll(async () => {
      node = new DHT({ ephemeral: false })
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
        const before = node.stats
        const repliesBefore = replies.length
        const { host, port } = node.address()
        sock.send(c.bytes, port, host)
        await waitFor(() => outcomes(node.stats) > outcomes(before))
        const after = node.stats
        if (c.expect === 'answered') {
          expect(after.responsesOut - before.responsesOut, label(c)).toBe(1)
          expect(after.dropped.total, label(c)).toBe(before.dropped.total)
          await waitFor(() => replies.length > repliesBefore)
        } else {
          const reason = /^dropped:(\w+)$/.exec(c.expect ?? '')?.[1]
          expect(reason, `${c.file}: expect must be "answered" or "dropped:<reason>"`).toBeDefined()
          const drops = after.dropped as unknown as Record<string, number>
          expect(reason! in drops, `${c.file}: no drop reason ${reason}`).toBe(true)
          expect(drops[reason!]! - (before.dropped as unknown as Record<string, number>)[reason!]!, label(c)).toBe(1)
          expect(after.dropped.total - before.dropped.total, label(c)).toBe(1)
          expect(after.responsesOut, label(c)).toBe(before.responsesOut)
        }
        // whatever came in, no fuzzer address is ever in the table
        expect(node.toArray().filter((n) => n.host === fuzzSourceHost(0))).toEqual([])
      })
    }

    it('still answers a ping afterwards', async () => {
      const probe = new DHT()
      try {
        await probe.listen(0, testnetHost(1))
        const pong = await probe.ping(node.address())
        expect(Buffer.from(pong.node.id!).equals(Buffer.from(node.id))).toBe(true)
      } finally {
        await probe.destroy()
      }
    })
  })
})
