// A lookup on real UDP does not wait out the timeout of a node that vanished: once the querier
// has measured round trips of a millisecond, the vanished node's request goes overdue after
// `srtt + 4 * rttvar` (at least 10 ms), it gives up its place among the k closest, and the lookup
// ends with the closest that answered, long before the adaptive timeout (200 ms) would have failed
// the request. The contact still leaves the querier's table: the full-timeout ping it fails.
import { compareDistance } from '@hyperdht-ts/kbucket'
import { seededRandom } from '@hyperdht-ts/test-utils'
import { afterEach, describe, expect, it } from 'vitest'
import { K } from '../../src/constants.js'
import { createTestnet, type Testnet } from '../../src/testnet.js'
import { hex, waitFor } from '../helpers.js'

let net: Testnet | null = null
afterEach(async () => {
  await net?.destroy()
  net = null
})

describe('a lookup and a node that vanished', () => {
  it('ends without waiting for its timeout, with the k closest that answered, and the contact is then removed', async () => {
    net = await createTestnet(30)
    const querier = net.nodes[1]!
    // one of the querier's contacts, not the bootstrap node: it vanishes without a goodbye
    const gone = net.nodes.find((n, i) => i > 1 && querier.findLocal(n.id!) !== null)!
    expect(gone).toBeDefined()
    // a warm round-trip estimate (8 samples at least): answers take about a millisecond here
    for (const n of net.nodes.slice(2, 14)) await querier.ping(n.address())
    const target = gone.id!
    const goneAt = gone.address()
    await gone.destroy()

    const q = querier.query({ command: '_find_node', target }, { holepunching: false })
    const results = await q.toArray()
    expect(q.overdue).toBeGreaterThanOrEqual(1)
    expect(q.errors).toBe(0) // it ended before the vanished node's request timed out
    expect(results.some((r) => r.node.port === goneAt.port && r.node.host === goneAt.host)).toBe(false)
    // the k - 1 live nodes closest to the target all answered (the vanished one gave its place up,
    // as a failed one does: to the next one if a later answer names it)
    const answered = new Set(results.map((r) => hex(r.node.id)))
    const live = net.nodes.filter((n) => n !== gone && n !== querier).sort((a, b) => compareDistance(target, a.id!, b.id!))
    for (const n of live.slice(0, K - 1)) expect(answered.has(hex(n.id!))).toBe(true)

    await waitFor(() => querier.findLocal(target) === null, 3000)
  }, 20_000)

  it('also where answers take a hundred milliseconds: it ends before the adaptive timeout fails the request', async () => {
    // one-way 50-60 ms: srtt + 4 * rttvar about 130 ms, the adaptive timeout its floor, 200 ms
    net = await createTestnet(12, { memory: { latency: [50, 60], random: seededRandom(3) } })
    const querier = net.nodes[1]!
    const gone = net.nodes.find((n, i) => i > 1 && querier.findLocal(n.id!) !== null)!
    for (let i = 0; i < 12; i++) await querier.ping(net.nodes[0]!.address())
    net.network!.setFault(gone.address().host, { drop: true })
    const q = querier.query({ command: '_find_node', target: gone.id! }, { holepunching: false })
    const results = await q.toArray()
    // errors 0: it ended before the dropped node's request failed, so that request went overdue
    // (a live node's answer may go overdue too on a loaded machine: the count is a floor)
    expect(q.errors).toBe(0)
    expect(q.overdue).toBeGreaterThanOrEqual(1)
    expect(results.some((r) => r.node.host === gone.address().host)).toBe(false)
  }, 20_000)
})
