// The reachability probe's three roles over loopback UDP, asked directly with the requests a
// misbehaving or over-eager node would send: what a helper and a stranger refuse (malformed
// requests, their rate limits), and what an asker ignores (dialbacks it did not ask for).
import { createSocket } from 'node:dgram'
import { DHT } from '@hyperdht-ts/dht-rpc'
import { testnetHost } from '@hyperdht-ts/dht-rpc/testnet'
import { waitFor } from '@hyperdht-ts/test-utils'
import { afterEach, describe, expect, it } from 'vitest'
import { Holepuncher, type Peer } from '../../src/index'
import { Addresses, DIAL, Dialback, DialRequest, DialResponse, REACH, ReachRequest, ReachResponse } from '../../src/messages/index'
import { DIAL_COMMAND, DIALBACK_COMMAND, REACH_COMMAND } from '../../src/reachability/probe'

const cleanup: Array<() => Promise<unknown> | unknown> = []
afterEach(async () => {
  while (cleanup.length > 0) await cleanup.pop()!()
})

async function holepuncherNode (i: number, mode: 'server' | 'client', bootstrap: Peer[] = []): Promise<{ dht: DHT, hp: Holepuncher, address: Peer }> {
  const dht = new DHT({ bootstrap: bootstrap.map((p) => `${p.host}:${p.port}`) })
  const hp = new Holepuncher(dht, { mode })
  cleanup.push(async () => { await hp.destroy(); await dht.destroy() })
  await dht.listen(0, testnetHost(i))
  return { dht, hp, address: { host: dht.address().host, port: dht.address().port } }
}

/** A bare dht-rpc client: sends the requests by hand. */
async function plainClient (i: number): Promise<DHT> {
  const dht = new DHT({ bootstrap: [], ephemeral: true })
  cleanup.push(async () => await dht.destroy())
  await dht.listen(0, testnetHost(i))
  return dht
}

const v4 = new Addresses(4)
const nonce = (n = 16): Uint8Array => new Uint8Array(n).fill(9)

describe('reachability probes: what each role refuses', () => {
  it('a helper answers UNAVAILABLE to a malformed ask or when it knows no stranger, and RATE_LIMITED past its burst', async () => {
    const helper = await holepuncherNode(230, 'server')
    const asker = await plainClient(231)
    const ask = async (value: Uint8Array): Promise<number> => {
      const res = await asker.request({ command: REACH_COMMAND, value }, helper.address)
      return ReachResponse.decode(res.value!).status
    }
    expect(await ask(new Uint8Array([0xff, 0x01]))).toBe(REACH.UNAVAILABLE)
    expect(await ask(ReachRequest.encode({ nonce: nonce(33) }))).toBe(REACH.UNAVAILABLE) // a nonce no dialback carries
    expect(helper.hp.stats.reach.helped).toBe(0) // refused before any work or budget
    // well formed, but the helper's table holds no stranger to dial the asker
    const statuses: number[] = []
    for (let i = 0; i < 8; i++) statuses.push(await ask(ReachRequest.encode({ nonce: nonce() })))
    expect(statuses.slice(0, 6)).toEqual(Array(6).fill(REACH.UNAVAILABLE))
    // past the burst (a token comes back every 10 s: one may on a very slow machine)
    expect(statuses.slice(6)).toContain(REACH.RATE_LIMITED)
    expect(helper.hp.stats.reach.helped).toBe(statuses.filter((x) => x === REACH.UNAVAILABLE).length)
  })

  it('a stranger refuses a malformed dial or one past its budget for the target; otherwise sends one datagram there', async () => {
    const stranger = await holepuncherNode(232, 'server')
    const helper = await plainClient(233)
    const target = createSocket('udp4')
    let arrived = 0
    target.on('message', () => arrived++)
    await new Promise<void>((resolve) => target.bind(0, testnetHost(234), resolve))
    cleanup.push(() => { target.close() })
    const to = v4.encode({ host: testnetHost(234), port: target.address().port })!
    const dial = async (value: Uint8Array): Promise<number> => {
      const res = await helper.request({ command: DIAL_COMMAND, value }, stranger.address)
      return DialResponse.decode(res.value!).status
    }
    expect(await dial(new Uint8Array([0xff]))).toBe(DIAL.REFUSED)
    expect(await dial(DialRequest.encode({ nonce: nonce(), to: to.subarray(0, 3) }))).toBe(DIAL.REFUSED) // not an address
    expect(await dial(DialRequest.encode({ nonce: nonce(40), to }))).toBe(DIAL.REFUSED)
    expect(stranger.hp.stats.reach.refused).toBe(3)
    expect(arrived).toBe(0)

    const statuses: number[] = []
    for (let i = 0; i < 8; i++) statuses.push(await dial(DialRequest.encode({ nonce: nonce(), to })))
    expect(statuses.slice(0, 6)).toEqual(Array(6).fill(DIAL.SENT))
    expect(statuses.slice(6)).toContain(DIAL.REFUSED) // the target's budget: no datagram cannon
    const sent = statuses.filter((x) => x === DIAL.SENT).length
    await waitFor(() => arrived === sent)
    expect(stranger.hp.stats.reach.dialed).toBe(sent)
    expect(stranger.hp.stats.reach.refused).toBe(3 + 8 - sent)
  })

  it('an asker ignores dialbacks it did not ask for, and never answers them', async () => {
    const asker = await holepuncherNode(235, 'client')
    const sender = await plainClient(236)
    for (const value of [new Uint8Array([0xff]), Dialback.encode({ nonce: nonce() })]) {
      await expect(sender.request({ command: DIALBACK_COMMAND, value }, asker.address, { timeout: 300 })).rejects.toMatchObject({ code: 'REQUEST_TIMEOUT' })
    }
    expect(asker.hp.stats.reach.dialbacks).toBe(0)
  })

  it('a round with nobody to ask, or aborted, gives no evidence', async () => {
    const lonely = await holepuncherNode(237, 'client')
    expect(await lonely.hp.checkReachability()).toBe('unknown')
    expect(lonely.hp.stats.reach.asked).toBe(0)

    const helpers = [await holepuncherNode(238, 'server')]
    for (let i = 1; i < 3; i++) helpers.push(await holepuncherNode(238 + i, 'server', [helpers[0]!.address]))
    const x = await holepuncherNode(241, 'client', [helpers[0]!.address])
    await x.dht.ready()
    await waitFor(() => x.dht.toArray().length > 0)
    const ac = new AbortController()
    ac.abort()
    expect(await x.hp.checkReachability({ signal: ac.signal })).toBe('unknown')
    expect(x.hp.stats.reach.asked).toBeGreaterThan(0) // asked, but gave up at once
    expect(x.hp.stats.reach.dispatched).toBe(0)
  })
})
