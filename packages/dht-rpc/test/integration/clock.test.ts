// The per-source rate limit refills on the monotonic clock: a wall clock set back (an NTP step,
// an operator fixing the date) must not stall a source's bucket, which would leave that source
// ignored until the wall clock caught up again. Over real loopback UDP, a raw peer on an
// address of its own, against the node's real guard.
import { afterEach, describe, expect, it, vi } from 'vitest'
import { RawPeer, requestFrame, sleep } from '@hyperdht-ts/test-utils'
import { DHT, requestEncoding } from '../../src/index.js'

const NODE_HOST = '127.81.0.1'
const PEER_HOST = '127.82.0.1'

describe('the rate limit runs on the monotonic clock', () => {
  const open: Array<{ destroy: () => Promise<void> } | RawPeer> = []
  afterEach(async () => {
    vi.restoreAllMocks()
    for (const o of open.splice(0)) await (o instanceof RawPeer ? o.close() : o.destroy())
  })

  it('a source that used up its burst gets answers again after the refill, though the wall clock went back an hour', async () => {
    // 4 requests a second sustained, a burst of 4, never banned: only the refill is tested
    const node = new DHT({ bootstrap: [], rateLimit: { rate: 4, burst: 4, banAfter: 1_000_000 } })
    open.push(node)
    await node.listen(0, NODE_HOST)
    const to = { host: NODE_HOST, port: node.address().port }
    const peer = await RawPeer.bind(PEER_HOST)
    open.push(peer)
    const body = requestEncoding.encode({ command: '_ping' })
    let tid = 0
    /** Sends `n` pings back to back; how many were answered within 300 ms. */
    const answers = async (n: number): Promise<number> => {
      const tids = new Set<number>()
      let got = 0
      const off = peer.onMessage((msg) => { if ((msg[0]! & 0x80) === 0 && tids.delete(msg.readUInt16BE(0))) got++ })
      for (let i = 0; i < n; i++) {
        tids.add(tid)
        await peer.send(requestFrame(tid++, body), to)
      }
      await sleep(300)
      off()
      return got
    }

    // a fresh source's bucket holds the burst; the rest of a quick run is dropped (a token more
    // if the run took over 250 ms)
    const first = await answers(8)
    expect(first).toBeGreaterThanOrEqual(4)
    expect(first).toBeLessThanOrEqual(5)
    const limited = node.stats.guard.rateLimited
    expect(limited).toBe(8 - first)

    const realNow = Date.now.bind(Date)
    vi.spyOn(Date, 'now').mockImplementation(() => realNow() - 3_600_000)
    await sleep(1000) // 4 more tokens at 4 a second (5 with the 300 ms above), capped at the burst
    expect(await answers(4)).toBe(4)
    expect(node.stats.guard.rateLimited).toBe(limited)
  })
})
