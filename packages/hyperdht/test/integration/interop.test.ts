// One loopback UDP network of reference hyperdht@1.3.0 nodes and ours.
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { HyperDHT } from '../../src/index.js'
import { testnetHost } from '@hyperdht-ts/dht-rpc/testnet'
import { boundSocket, loadReference, type Any } from '../helpers/reference.js'
import { collectLookup, has, randomKey } from '../helpers/network.js'

const RefHyperDHT = loadReference()

interface RefPeer { host: string, port: number }
interface RefResult { node: Any, peers: RefPeer[], localPeers: RefPeer[] }

async function refNode (bootstrap: string[], host: string): Promise<Any> {
  const node = RefHyperDHT({ bootstrap, socket: boundSocket(host) })
  await new Promise<void>((resolve) => node.listen(0, () => resolve()))
  await new Promise<void>((resolve) => node.ready(() => resolve()))
  return node
}

async function refLookup (node: Any, key: Uint8Array, opts: Any = null): Promise<RefResult[]> {
  return await new Promise((resolve, reject) => node.lookup(Buffer.from(key), opts, (err: Error | null, res: RefResult[]) => err ? reject(err) : resolve(res)))
}

async function refAnnounce (node: Any, key: Uint8Array, opts: Any): Promise<void> {
  await new Promise<void>((resolve, reject) => node.announce(Buffer.from(key), opts, (err: Error | null) => err ? reject(err) : resolve()))
}

async function refBootstrap (node: Any): Promise<void> {
  await new Promise<void>((resolve) => node.bootstrap(() => resolve()))
}

describe('interop with hyperdht@1.3.0 (6 reference + 7 of our nodes, loopback UDP)', () => {
  const ours: HyperDHT[] = []
  const refs: Any[] = []

  beforeAll(async () => {
    // every node on its own loopback address: ours from 127.1.0.1, the reference's from 127.101.0.1
    const first = new HyperDHT({ mode: 'server' })
    await first.listen(0, testnetHost(0))
    await first.ready()
    ours.push(first)
    const bootstrap = [`${testnetHost(0)}:${first.address().port}`]
    for (let i = 0; i < 6; i++) {
      refs.push(await refNode(bootstrap, testnetHost(100 + i)))
      const n = new HyperDHT({ bootstrap, mode: 'server' })
      await n.listen(0, testnetHost(1 + i))
      await n.ready()
      ours.push(n)
    }
    // a second round of bootstrapping so that early nodes also know the late ones
    await Promise.all([...refs.map(refBootstrap), ...ours.map(async (n) => await n.dht.bootstrap())])
  })

  afterAll(async () => {
    for (const r of refs) r.destroy()
    await Promise.all(ours.map(async (n) => await n.destroy()))
  })

  it('an announce on our node is found by a reference lookup, with localPeers', async () => {
    const key = randomKey()
    const a = ours[2] as HyperDHT
    const refStored: RefPeer[] = []
    const onannounce = (_k: Buffer, peer: RefPeer): void => { refStored.push(peer) }
    for (const r of refs) r.on('announce', onannounce)
    const res = await a.announce(key, { port: 6001, localAddress: { host: '192.168.44.7', port: 6002 } })
    for (const r of refs) r.removeListener('announce', onannounce)
    expect(res.committed.length).toBeGreaterThan(6)
    expect(refStored.length).toBeGreaterThan(0) // reference nodes stored our announce
    expect(refStored.every((p) => p.host === a.address().host && p.port === 6001)).toBe(true)

    const results = await refLookup(refs[4], key, { localAddress: { host: '192.168.1.1', port: 0 } })
    expect(results.some((r) => has(r.peers, a.address().host, 6001))).toBe(true)
    expect(results.some((r) => has(r.localPeers, '192.168.44.7', 6002))).toBe(true)
    // answers from both kinds of node
    const ids = new Set(ours.map((n) => Buffer.from(n.id).toString('hex')))
    const answering = results.filter((r) => has(r.peers, a.address().host, 6001)).map((r) => Buffer.from(r.node.id).toString('hex'))
    expect(answering.some((id) => ids.has(id))).toBe(true)
    expect(answering.some((id) => !ids.has(id))).toBe(true)
  })

  it('an announce on a reference node is found by our lookup', async () => {
    const key = randomKey()
    const stored: string[] = []
    for (const n of ours) n.on('announce', (k, p) => { if (Buffer.from(k).equals(key)) stored.push(`${p.host}:${p.port}`) })
    await refAnnounce(refs[1], key, { port: 7007, localAddress: { host: '10.20.30.40', port: 7008 } })
    expect(stored.length).toBeGreaterThan(0)
    const results = []
    for await (const r of (ours[5] as HyperDHT).lookup(key, { localAddress: { host: '10.20.1.1', port: 1 } })) results.push(r)
    expect(results.some((r) => has(r.peers, testnetHost(101), 7007))).toBe(true)
    expect(results.some((r) => has(r.localPeers, '10.20.30.40', 7008))).toBe(true)
  })

  it('an unannounce from our node removes the announce from reference nodes', async () => {
    const key = randomKey()
    const a = ours[4] as HyperDHT
    await a.announce(key, { port: 6100 })
    const before = await refLookup(refs[0], key)
    expect(before.some((r) => has(r.peers, a.address().host, 6100))).toBe(true)
    let unannounced = 0
    for (const r of refs) r.on('unannounce', () => { unannounced++ })
    await a.unannounce(key, { port: 6100 })
    expect(unannounced).toBeGreaterThan(0)
    for (const r of refs) {
      const after = await refLookup(r, key)
      expect(after.some((x) => has(x.peers, a.address().host, 6100))).toBe(false)
    }
    expect(await collectLookup(ours[1] as HyperDHT, key)).toEqual([])
  })

  it('stored values route through reference nodes, which ignore them', async () => {
    const value = new Uint8Array(Buffer.from('mixed network value'))
    const put = await (ours[3] as HyperDHT).immutablePut(value)
    const oursIds = new Set(ours.map((n) => Buffer.from(n.id).toString('hex')))
    expect(put.stored.every((n) => n.id !== null && oursIds.has(Buffer.from(n.id).toString('hex')))).toBe(true)
    const got = await (ours[6] as HyperDHT).immutableGet(put.hash)
    expect(Buffer.from(got?.value ?? []).toString()).toBe('mixed network value')

    const kp = HyperDHT.keyPair()
    await (ours[1] as HyperDHT).mutablePut(kp, value, { seq: 1 })
    expect((await (ours[2] as HyperDHT).mutableGet(kp.publicKey))?.seq).toBe(1)
    // the reference nodes are still fine
    const key = randomKey()
    await refAnnounce(refs[2], key, { port: 7100 })
    expect((await refLookup(refs[3], key)).some((r) => has(r.peers, testnetHost(102), 7100))).toBe(true)
  })
})
