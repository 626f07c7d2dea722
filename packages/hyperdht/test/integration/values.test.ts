import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { DHT } from '@hyperdht-ts/dht-rpc'
import { HyperDHT, HyperDHTError, signable, type TamperReport } from '../../src/index.js'
import { createKeyPair, sha256, signDetached } from '../../src/crypto.js'
import { immutableValue, mutableRecord, putResponse, PUT_SEQ_TOO_LOW } from '../../src/messages/index.js'
import { createHyperNetwork, type HyperNetwork } from '../helpers/network.js'

const text = (s: string): Uint8Array => new Uint8Array(Buffer.from(s))
const str = (b: Uint8Array | undefined): string => Buffer.from(b ?? []).toString()

/** A dht-rpc node on the same in-memory network that answers stored-value commands with lies. */
async function evilNode (net: HyperNetwork, handlers: Parameters<DHT['command']>[1], command: string): Promise<DHT> {
  const evil = new DHT({ bootstrap: net.bootstrap, socket: net.network?.createSocket() })
  evil.command(command, handlers)
  await evil.listen(0, '127.0.0.1')
  await evil.ready()
  return evil
}

function tamperLog (node: HyperDHT): TamperReport[] {
  const log: TamperReport[] = []
  node.on('tampered', (r) => log.push(r))
  return log
}

describe('immutable values', () => {
  let net: HyperNetwork
  beforeAll(async () => { net = await createHyperNetwork(20, { memory: true }) })
  afterAll(async () => { await net.destroy() })

  it('put then get from another node, verified by hash', async () => {
    const value = text('hello immutable world')
    const { hash, stored } = await (net.nodes[2] as HyperDHT).immutablePut(value)
    expect(hash).toEqual(sha256(value))
    expect(stored.length).toBeGreaterThan(0)
    const got = await (net.nodes[17] as HyperDHT).immutableGet(hash)
    expect(str(got?.value)).toBe('hello immutable world')
    expect(got?.from.port).toBeGreaterThan(0)
  })

  it('get of an unknown hash is null', async () => {
    expect(await (net.nodes[3] as HyperDHT).immutableGet(sha256(text('never stored')))).toBeNull()
  })

  it('refuses values over 1000 bytes with VALUE_TOO_LARGE and bad hashes with INVALID_ARGUMENT', async () => {
    const n = net.nodes[4] as HyperDHT
    await expect(n.immutablePut(new Uint8Array(1001))).rejects.toMatchObject({ code: 'VALUE_TOO_LARGE' })
    await expect(n.immutablePut(new Uint8Array(1000))).resolves.toMatchObject({ stored: expect.any(Array) })
    await expect(n.immutableGet(new Uint8Array(5))).rejects.toMatchObject({ code: 'INVALID_ARGUMENT' })
  })

  it('ignores and reports nodes that answer a tampered value', async () => {
    const value = text('the real value')
    const hash = sha256(value)
    // a small network (fewer than k nodes), so that every query reaches the evil node
    const small = await createHyperNetwork(6, { memory: true })
    const evil = await evilNode(small, { query: () => immutableValue.encode(text('a forged value')) }, 'immutable')
    try {
      const getter = small.nodes[5] as HyperDHT
      const log = tamperLog(getter)
      expect(await getter.immutableGet(hash)).toBeNull() // not stored yet: only lies are around
      expect(log.length).toBeGreaterThan(0)
      expect(log[0]).toMatchObject({ command: 'immutable', reason: 'hash-mismatch', node: { port: evil.address().port } })

      await (small.nodes[2] as HyperDHT).immutablePut(value)
      const got = await getter.immutableGet(hash)
      expect(str(got?.value)).toBe('the real value')
      expect(got?.from.port).not.toBe(evil.address().port)
    } finally {
      await evil.destroy()
      await small.destroy()
    }
  })
})

describe('mutable values', () => {
  let net: HyperNetwork
  beforeAll(async () => { net = await createHyperNetwork(20, { memory: true }) })
  afterAll(async () => { await net.destroy() })

  it('put then get the highest seq, with and without salt', async () => {
    const kp = HyperDHT.keyPair()
    const a = net.nodes[1] as HyperDHT
    const b = net.nodes[12] as HyperDHT
    const put = await a.mutablePut(kp, text('v1'), { seq: 1 })
    expect(put.stored.length).toBeGreaterThan(0)
    await a.mutablePut(kp, text('v2'), { seq: 2 })
    await a.mutablePut(kp, text('salted'), { seq: 7, salt: text('s') })
    const got = await b.mutableGet(kp.publicKey)
    expect(str(got?.value)).toBe('v2')
    expect(got?.seq).toBe(2)
    expect(got?.signature.length).toBe(64)
    const salted = await b.mutableGet(kp.publicKey, { salt: text('s') })
    expect(str(salted?.value)).toBe('salted')
    expect(await b.mutableGet(kp.publicKey, { seq: 3 })).toBeNull()
    expect(await b.mutableGet(HyperDHT.keyPair().publicKey)).toBeNull()
  })

  it('refuses a stale put with SEQ_TOO_LOW, accepts an identical re-put', async () => {
    const kp = HyperDHT.keyPair()
    const a = net.nodes[5] as HyperDHT
    await a.mutablePut(kp, text('five'), { seq: 5 })
    const low = await a.mutablePut(kp, text('four'), { seq: 4 }).catch((e: unknown) => e)
    expect(HyperDHTError.isInstance(low) && low.code).toBe('SEQ_TOO_LOW')
    expect((low as HyperDHTError).details).toMatchObject({ seq: 4, current: 5 })
    await expect(a.mutablePut(kp, text('FIVE'), { seq: 5 })).rejects.toMatchObject({ code: 'SEQ_TOO_LOW' })
    await expect(a.mutablePut(kp, text('five'), { seq: 5 })).resolves.toMatchObject({ seq: 5 })
    expect(str((await (net.nodes[9] as HyperDHT).mutableGet(kp.publicKey))?.value)).toBe('five')
  })

  it('validates arguments', async () => {
    const a = net.nodes[5] as HyperDHT
    const kp = HyperDHT.keyPair()
    await expect(a.mutablePut(kp, new Uint8Array(1001), { seq: 1 })).rejects.toMatchObject({ code: 'VALUE_TOO_LARGE' })
    await expect(a.mutablePut(kp, text('x'), { seq: 1, salt: new Uint8Array(65) })).rejects.toMatchObject({ code: 'VALUE_TOO_LARGE' })
    await expect(a.mutablePut(kp, text('x'), { seq: -1 })).rejects.toMatchObject({ code: 'INVALID_ARGUMENT' })
    await expect(a.mutablePut({ publicKey: kp.publicKey, secretKey: HyperDHT.keyPair().secretKey }, text('x'), { seq: 1 })).rejects.toMatchObject({ code: 'INVALID_SIGNATURE' })
    await expect(a.mutableGet(new Uint8Array(31))).rejects.toMatchObject({ code: 'INVALID_ARGUMENT' })
    expect(() => HyperDHT.keyPair(new Uint8Array(3))).toThrow(HyperDHTError)
    expect(HyperDHT.keyPair(new Uint8Array(32).fill(1)).publicKey).toEqual(HyperDHT.keyPair(new Uint8Array(32).fill(1)).publicKey)
  })

  it('ignores and reports forged and stale records', async () => {
    const kp = HyperDHT.keyPair()
    const other = createKeyPair()
    const small = await createHyperNetwork(6, { memory: true })
    const honest = small.nodes[1] as HyperDHT
    await honest.mutablePut(kp, text('genuine'), { seq: 10 })
    const forged = mutableRecord.encode({ seq: 99, value: text('forged'), signature: signDetached(signable(null, 99, text('forged')), other.secretKey) })
    const stale = mutableRecord.encode({ seq: 3, value: text('old'), signature: signDetached(signable(null, 3, text('old')), kp.secretKey) })
    const liar = await evilNode(small, { query: () => forged }, 'mutable')
    const staler = await evilNode(small, { query: () => stale }, 'mutable')
    try {
      const getter = small.nodes[4] as HyperDHT
      const log = tamperLog(getter)
      const got = await getter.mutableGet(kp.publicKey, { seq: 4 })
      expect(str(got?.value)).toBe('genuine')
      expect(got?.seq).toBe(10)
      const reasons = log.map((r) => `${r.reason}@${r.node.port}`)
      expect(reasons).toContain(`invalid-signature@${liar.address().port}`)
      expect(reasons).toContain(`seq-too-low@${staler.address().port}`)
    } finally {
      await liar.destroy()
      await staler.destroy()
      await small.destroy()
    }
  })

  it('ignores a forged SEQ_TOO_LOW refusal', async () => {
    const kp = HyperDHT.keyPair()
    const fake = putResponse.encode({ status: PUT_SEQ_TOO_LOW, current: { seq: 1000, value: text('no'), signature: new Uint8Array(64) } })
    const small = await createHyperNetwork(6, { memory: true })
    const liar = await evilNode(small, { update: () => fake }, 'mutable')
    try {
      const putter = small.nodes[3] as HyperDHT
      const log = tamperLog(putter)
      const res = await putter.mutablePut(kp, text('mine'), { seq: 1 })
      expect(res.stored.length).toBe(5)
      expect(log.map((r) => `${r.reason}@${r.node.port}`)).toEqual([`invalid-signature@${liar.address().port}`])
      expect((await (small.nodes[0] as HyperDHT).mutableGet(kp.publicKey))?.seq).toBe(1)
    } finally {
      await liar.destroy()
      await small.destroy()
    }
  })
})
