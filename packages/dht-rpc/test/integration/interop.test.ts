import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { DHT } from '../../src/index.js'
import { hex, randomId, settle, testnetHost } from '../helpers.js'
import { createRef, refCall, refDestroy, refReady, refVersion, type RefDHT, type RefQuery } from '../reference.js'

const SIZE = 10
type Kind = 'ours' | 'ref'

describe(`interop with the reference dht-rpc@${refVersion}`, () => {
  const ours: DHT[] = []
  const refs: RefDHT[] = []
  const kind = new Map<string, Kind>()
  const stores = new Map<string, Map<string, Buffer>>()
  let refBootstrap = ''
  let ourBootstrap = ''

  function ourNode (bootstrap: string): DHT {
    const node = new DHT({ bootstrap: [bootstrap] })
    const store = new Map<string, Buffer>()
    stores.set(hex(node.id), store)
    kind.set(hex(node.id), 'ours')
    node.command('kv', {
      query: (q) => store.get(hex(q.target)) ?? null,
      update: async (q) => {
        await new Promise((resolve) => setImmediate(resolve)) // async handlers work too
        store.set(hex(q.target), Buffer.from(q.value!))
        return null
      }
    })
    ours.push(node)
    return node
  }

  let refCount = 0
  async function refNode (bootstrap: string | null): Promise<RefDHT> {
    // every node on its own loopback address: reference nodes from 127.101.0.1 up
    const node = await createRef(bootstrap ? { bootstrap: [bootstrap] } : {}, testnetHost(100 + refCount++))
    const store = new Map<string, Buffer>()
    stores.set(hex(node.id), store)
    kind.set(hex(node.id), 'ref')
    node.on('query:kv', (q: RefQuery, cb: (err: Error | null, v?: Buffer | null) => void) => cb(null, store.get(hex(q.target)) ?? null))
    node.on('update:kv', (q: RefQuery, cb: (err: Error | null, v?: Buffer | null) => void) => {
      store.set(hex(q.target), Buffer.from(q.value!))
      cb(null)
    })
    refs.push(node)
    return node
  }

  beforeAll(async () => {
    // A reference node and one of ours bootstrap off each other; then the other reference nodes
    // join through ours and our other nodes through the reference one.
    const r0 = await refNode(null)
    refBootstrap = `${r0.address().address}:${r0.address().port}`
    const o0 = ourNode(refBootstrap)
    await o0.listen(0, testnetHost(0))
    await o0.ready()
    ourBootstrap = `${testnetHost(0)}:${o0.address().port}`
    const joins: Array<Promise<unknown>> = []
    for (let i = 1; i < SIZE; i++) {
      joins.push(refNode(ourBootstrap).then(refReady))
      const o = ourNode(refBootstrap)
      joins.push(o.listen(0, testnetHost(i)).then(() => o.ready()))
    }
    await Promise.all(joins)
    // one more round so that the early joiners learn about the late ones
    await Promise.all(ours.map((o) => o.bootstrap()))
    await settle(ours)
  }, 60_000)

  afterAll(async () => {
    await Promise.all(ours.map((o) => o.destroy()))
    await Promise.all(refs.map(refDestroy))
  })

  const addr = (n: DHT | RefDHT): { host: string, port: number } => {
    const a = n.address() as { address?: string, host?: string, port: number }
    return { host: a.host ?? a.address!, port: a.port }
  }

  function storedBy (target: Uint8Array, value: string): Record<Kind, number> {
    const out: Record<Kind, number> = { ours: 0, ref: 0 }
    for (const [id, store] of stores) {
      if (store.get(hex(target))?.toString() === value) out[kind.get(id)!]++
    }
    return out
  }

  it('both kinds end up in each other\'s routing tables', () => {
    for (const o of ours) {
      const kinds = new Set(o.toArray().map((n) => kind.get(hex(n.id))))
      expect(kinds.has('ref')).toBe(true)
      expect(kinds.has('ours')).toBe(true)
    }
    for (const r of refs) {
      const kinds = new Set(r.toArray().map((n) => kind.get(hex(n.id))))
      expect(kinds.has('ref')).toBe(true)
      expect(kinds.has('ours')).toBe(true)
    }
  })

  it('an update issued by our node reaches both kinds; a reference query reads it from both', async () => {
    const target = randomId()
    const commits = await ours[3]!.update({ command: 'kv', target, value: Buffer.from('from-ours') })
    const byKind = { ours: 0, ref: 0 }
    for (const c of commits) byKind[kind.get(hex(c.node.id))!]++
    expect(byKind.ours).toBeGreaterThan(0)
    expect(byKind.ref).toBeGreaterThan(0)
    const stored = storedBy(target, 'from-ours')
    expect(stored.ours).toBeGreaterThan(0)
    expect(stored.ref).toBeGreaterThan(0)

    const results = await refCall<Array<{ node: { id: Buffer }, value: Buffer | null }>>((cb) => refs[5]!.query({ command: 'kv', target }, cb))
    const answered = { ours: 0, ref: 0 }
    for (const r of results) if (r.value?.toString() === 'from-ours') answered[kind.get(hex(r.node.id))!]++
    expect(answered.ours).toBeGreaterThan(0)
    expect(answered.ref).toBeGreaterThan(0)
  })

  it('an update issued by a reference node reaches both kinds; our query reads it from both', async () => {
    const target = randomId()
    const commits = await refCall<Array<{ node: { id: Buffer } }>>((cb) => refs[7]!.update({ command: 'kv', target, value: Buffer.from('from-ref') }, cb))
    expect(commits.length).toBeGreaterThan(0)
    const stored = storedBy(target, 'from-ref')
    expect(stored.ours).toBeGreaterThan(0)
    expect(stored.ref).toBeGreaterThan(0)

    const answered = { ours: 0, ref: 0 }
    for await (const r of ours[8]!.query({ command: 'kv', target })) {
      if (r.value && Buffer.from(r.value).toString() === 'from-ref') answered[kind.get(hex(r.node.id))!]++
    }
    expect(answered.ours).toBeGreaterThan(0)
    expect(answered.ref).toBeGreaterThan(0)
  })

  it('updates from an ephemeral node of ours work against both kinds', async () => {
    const client = new DHT({ bootstrap: [refBootstrap, ourBootstrap], ephemeral: true })
    try {
      await client.ready()
      const target = randomId()
      await client.update({ command: 'kv', target, value: Buffer.from('eph') })
      const stored = storedBy(target, 'eph')
      expect(stored.ours).toBeGreaterThan(0)
      expect(stored.ref).toBeGreaterThan(0)
      for (const r of refs) expect(r.toArray().some((n) => hex(n.id) === hex(client.id))).toBe(false)
    } finally {
      await client.destroy()
    }
  })

  it('the reference pings us and we ping it', async () => {
    const o = ours[1]!
    const r = refs[1]!
    const rinfo = await refCall<{ host: string, port: number }>((cb) => r.ping(addr(o), cb))
    expect(rinfo).toMatchObject(addr(r))
    const res = await o.ping(addr(r))
    expect(res.address).toEqual(addr(o))
    expect(hex(res.node.id)).toBe(hex(r.id))
  })


  it('holepunch: reference requester, our referrer, our target', async () => {
    const seen: unknown[] = []
    ours[2]!.once('holepunch', (from, to) => seen.push([from, to]))
    await ours[2]!.ping(addr(ours[4]!))
    const res = await refCall<{ id?: Buffer }>((cb) => refs[2]!.holepunch(addr(ours[4]!), addr(ours[2]!), cb))
    expect(hex(res.id)).toBe(hex(ours[4]!.id))
    expect(seen.length).toBe(1)
  })

  it('holepunch: our requester, reference referrer, our target', async () => {
    let relayed = 0
    refs[3]!.once('holepunch', () => relayed++)
    const res = await ours[5]!.holepunch(addr(ours[6]!), addr(refs[3]!))
    expect(hex(res.id)).toBe(hex(ours[6]!.id))
    expect(relayed).toBe(1)
  })

  it('holepunch: our requester, our referrer, reference target', async () => {
    // a referrer relays only to nodes it knows: the one that listed the target in a response does
    await ours[9]!.ping(addr(refs[4]!))
    const res = await ours[7]!.holepunch(addr(refs[4]!), addr(ours[9]!))
    expect(hex(res.id)).toBe(hex(refs[4]!.id))
    expect(ours[9]!.stats.holepunches.forwarded).toBeGreaterThan(0)
  })

  it('holepunch: reference requester, reference referrer, our target', async () => {
    const res = await refCall<{ id?: Buffer }>((cb) => refs[6]!.holepunch(addr(ours[1]!), addr(refs[8]!), cb))
    expect(hex(res.id)).toBe(hex(ours[1]!.id))
    expect(ours[1]!.stats.holepunches.answered).toBeGreaterThan(0)
  })
})
