// Which timeouts cost a contact its place in the table. A query asks a contact with the adaptive
// timeout (a few times the measured round trip, 200 ms at least), so a contact that is slow for a
// moment (its machine loaded, a burst of traffic) times out in every query in flight at once.
// That moment must count once: a ping with the full timeout decides, and only a contact that does
// not answer it either is dropped. A contact that stopped answering still goes within about a
// second of its first timeout.
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

/** Runs `count` lookups at once towards the contact's own id: each asks the contact. */
async function lookupsAt (querier: DHT, contact: DHT, count: number): Promise<number> {
  let timeouts = 0
  await Promise.all(Array.from({ length: count }, async () => {
    const q = querier.query({ command: '_find_node', target: contact.id! }, { holepunching: false })
    q.on('request-failed', (err) => {
      if (err.code === 'REQUEST_TIMEOUT' && err.peer?.host === contact.address().host) timeouts++
    })
    await q.toArray().catch(() => [])
  }))
  return timeouts
}

describe('eviction of contacts that time out in queries', () => {
  it('a contact slow for a moment times out in three lookups at once and stays: the full-timeout ping it answers decides', async () => {
    const { querier, contact } = await setup(5)
    // 400 ms: past the adaptive timeout (200 ms here), well within the full one (1 s)
    net!.network!.setFault(contact.address().host, { delay: 400 })
    const removed: string[] = []
    querier.on('remove-node', (n) => removed.push(hex(n.id)))
    expect(await lookupsAt(querier, contact, 3)).toBe(3)
    // the liveness ping is answered after ~400 ms
    await new Promise((resolve) => setTimeout(resolve, 1500))
    expect(removed).not.toContain(hex(contact.id))
    expect(querier.findLocal(contact.id!)).not.toBeNull()
  }, 20_000)

  it('a contact that stopped answering is dropped after its first query timeout and the failed ping', async () => {
    const { querier, contact } = await setup(6)
    net!.network!.setFault(contact.address().host, { drop: true })
    const started = Date.now()
    expect(await lookupsAt(querier, contact, 1)).toBe(1)
    await waitFor(() => querier.findLocal(contact.id!) === null, 3000)
    expect(Date.now() - started).toBeLessThan(2500)
  }, 20_000)
})
