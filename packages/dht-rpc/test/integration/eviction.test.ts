// Which silences cost a contact its place in the table. A walk (a lookup's, an update's) stops
// waiting for a contact unanswered after a few times the measured round trip (it goes overdue,
// long before the adaptive timeout), so a contact that is slow for a moment (its machine loaded,
// a burst of traffic) is overdue in every lookup in flight at once. That moment must count once: a
// ping with the full timeout decides, and only a contact that does not answer it either is
// dropped. A contact that stopped answering still goes within about a second of the first lookup
// it was silent in.
import { seededRandom } from '@hyperdht-ts/test-utils'
import { afterEach, describe, expect, it } from 'vitest'
import type { DHT } from '../../src/index.js'
import { createTestnet, type Testnet } from '../../src/testnet.js'
import { hex, waitFor } from '../helpers.js'

let net: Testnet | null = null
afterEach(async () => {
  await net?.destroy()
  net = null
})

/** A querier whose round-trip estimate is warm (adaptive timeouts on) and one of its contacts. */
async function setup (seed: number): Promise<{ querier: DHT, contact: DHT }> {
  net = await createTestnet(12, { memory: { latency: [1, 3], random: seededRandom(seed) } })
  const querier = net.nodes[1]!
  const contact = net.nodes.find((n) => n !== querier && n !== net!.nodes[0] && querier.findLocal(n.id!) !== null)!
  expect(contact).toBeDefined()
  for (let i = 0; i < 12; i++) await querier.ping(net.nodes[0]!.address())
  return { querier, contact }
}

/**
 * Runs `count` lookups at once towards the contact's own id: each asks the contact first. Returns
 * how many of them its request timed out in, how many ended with its answer, and how many requests
 * went overdue in all. The contact is the only slow node, but on a loaded machine (CI runs test
 * files side by side) an answer from a fast one may also come late, so `overdue` is a floor.
 */
async function lookupsAt (querier: DHT, contact: DHT, count: number): Promise<{ timeouts: number, answered: number, overdue: number }> {
  const host = contact.address().host
  let timeouts = 0
  let answered = 0
  let overdue = 0
  await Promise.all(Array.from({ length: count }, async () => {
    const q = querier.query({ command: '_find_node', target: contact.id! }, { holepunching: false })
    q.on('request-failed', (err) => {
      if (err.code === 'REQUEST_TIMEOUT' && err.peer?.host === host) timeouts++
    })
    const replies = await q.toArray().catch(() => [])
    if (replies.some((r) => r.node.host === host)) answered++
    overdue += q.overdue
  }))
  return { timeouts, answered, overdue }
}

/** The lookups ended without the contact's answer and without its timeout: it went overdue in each. */
function expectOverdueIn (result: { timeouts: number, answered: number, overdue: number }, count: number): void {
  expect({ timeouts: result.timeouts, answered: result.answered }).toEqual({ timeouts: 0, answered: 0 })
  expect(result.overdue).toBeGreaterThanOrEqual(count)
}

describe('eviction of contacts that time out in queries', () => {
  it('a contact slow for a moment is overdue in three lookups at once and stays: the full-timeout ping it answers decides', async () => {
    const { querier, contact } = await setup(5)
    // 400 ms: past the adaptive timeout (200 ms here), well within the full one (1 s)
    net!.network!.setFault(contact.address().host, { delay: 400 })
    const removed: string[] = []
    querier.on('remove-node', (n) => removed.push(hex(n.id)))
    // the lookups end without it, long before its answer (or their 200 ms timeout)
    expectOverdueIn(await lookupsAt(querier, contact, 3), 3)
    // the liveness ping is answered after ~400 ms
    await new Promise((resolve) => setTimeout(resolve, 1500))
    expect(removed).not.toContain(hex(contact.id))
    expect(querier.findLocal(contact.id!)).not.toBeNull()
  }, 20_000)

  it('a contact that stopped answering is dropped after the first lookup it was silent in and the failed ping', async () => {
    const { querier, contact } = await setup(6)
    net!.network!.setFault(contact.address().host, { drop: true })
    const started = Date.now()
    expectOverdueIn(await lookupsAt(querier, contact, 1), 1)
    await waitFor(() => querier.findLocal(contact.id!) === null, 3000)
    expect(Date.now() - started).toBeLessThan(2500)
  }, 20_000)

  it('a contact that stopped answering is overdue in an update, which commits without it; it is dropped after the failed ping', async () => {
    const { querier, contact } = await setup(7)
    net!.network!.setFault(contact.address().host, { drop: true })
    const committedTo: string[] = []
    for (const n of net!.nodes) n.command('put', { update: () => { committedTo.push(n.address().host) } })
    const before = querier.stats.commands.put?.timeouts ?? 0
    const started = Date.now()
    const commits = await querier.update({ command: 'put', target: contact.id!, value: Uint8Array.of(1) }, { holepunching: false })
    // the walk's request to it was cancelled when the commits started, before its timeout
    expect((querier.stats.commands.put?.timeouts ?? 0) - before).toBe(0)
    expect(commits.length).toBeGreaterThan(0)
    expect(committedTo).toHaveLength(commits.length)
    expect(committedTo).not.toContain(contact.address().host)
    await waitFor(() => querier.findLocal(contact.id!) === null, 3000)
    expect(Date.now() - started).toBeLessThan(2500)
  }, 20_000)
})
