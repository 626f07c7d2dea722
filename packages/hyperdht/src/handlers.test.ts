import { EventEmitter } from 'node:events'
import { describe, expect, it } from 'vitest'
import { loadReference, loadReferenceDependency } from '../test/helpers/reference.js'
import { createHash } from 'node:crypto'
import type { StoreCap } from './cap-log.js'
import { onimmutableUpdate, onpeers, type HandlerContext } from './handlers.js'
import { immutablePut, lanAddressNumber, peersRequest, peersResponse } from './messages/index.js'
import { PeerStore } from './store/peer-store.js'
import { ValueStore } from './store/value-store.js'

const RefHyperDHT = loadReference()
const refStore = loadReferenceDependency('./store.js')

function encodePeer (p: { host: string, port: number }): Uint8Array {
  const [a, b, c, d] = p.host.split('.').map(Number) as [number, number, number, number]
  return new Uint8Array([a, b, c, d, p.port >> 8, p.port & 255])
}

function ours (): { ctx: HandlerContext, events: Array<[string, ...unknown[]]> } {
  const events: Array<[string, ...unknown[]]> = []
  const ctx: HandlerContext = {
    peers: new PeerStore(),
    values: new ValueStore(),
    now: () => Date.now(),
    encodePeer,
    emit: (event, ...args) => { events.push([event, ...args]); return true }
  }
  return { ctx, events }
}

function reference (): { self: unknown, events: Array<[string, ...unknown[]]> } {
  const events: Array<[string, ...unknown[]]> = []
  const self = Object.assign(new EventEmitter(), { _store: refStore() })
  self.emit = (event: string, ...args: unknown[]) => { events.push([event, ...args]); return true }
  return { self, events }
}

function sorted (buf: Uint8Array | null | undefined, size: number): string[] {
  if (buf === null || buf === undefined) return []
  const out: string[] = []
  for (let i = 0; i < buf.length; i += size) out.push(Buffer.from(buf.subarray(i, i + size)).toString('hex'))
  return out.sort()
}

describe('peers handler against hyperdht@1.3.0 _processPeers', () => {
  it('answers the same peers and local peers for random announce/unannounce/lookup sequences', () => {
    const a = ours()
    const b = reference()
    const keys = [new Uint8Array(32).fill(1), new Uint8Array(32).fill(2), new Uint8Array(32).fill(3)]
    let seed = 42
    const rnd = (n: number): number => {
      seed = (seed * 1103515245 + 12345) & 0x7fffffff
      return seed % n
    }
    let answered = 0
    for (let i = 0; i < 1500; i++) {
      const type = [0, 1, 1, 2][rnd(4)] as number
      const update = rnd(5) !== 0
      const host = `10.${rnd(2)}.0.${rnd(20) + 1}`
      const node = { id: null, host, port: 1000 + rnd(3) }
      const port = rnd(3) === 0 ? 0 : 2000 + rnd(3)
      const local = rnd(2) === 0 ? null : new Uint8Array([192, 168 + rnd(2), rnd(3), rnd(3) + 1, 0x10, rnd(3)])
      const key = keys[rnd(keys.length)] as Uint8Array
      const value = peersRequest.encode({ type, port, localAddress: local === null ? null : lanAddressNumber(local) })
      const mine = onpeers(a.ctx, { node, command: 'peers', target: key, value }, update)

      const req = { type, port, localAddress: local === null ? null : Buffer.from(local) }
      const data = { node: { id: null, host, port: node.port }, target: Buffer.from(key), value: Buffer.from(value) }
      const theirs = RefHyperDHT.prototype._processPeers.call(b.self, req, data, update)

      if (theirs === null) {
        expect(mine).toBeNull()
        continue
      }
      const res = peersResponse.decode(mine)
      expect(res).not.toBeNull()
      answered++
      expect(sorted(res?.peers, 6)).toEqual(sorted(theirs.peers, 6))
      expect(sorted(res?.localPeers, 4)).toEqual(sorted(theirs.localPeers, 4).filter(lp => !(local !== null && lp === Buffer.from(local.subarray(2)).toString('hex'))))
    }
    expect(answered).toBeGreaterThan(500)
    expect(a.events.map(e => e[0])).toEqual(b.events.map(e => e[0]))
  })

  it('ignores requests that do not decode and announces without a port', () => {
    const a = ours()
    const key = new Uint8Array(32)
    expect(onpeers(a.ctx, { node: { id: null, host: '1.1.1.1', port: 5 }, command: 'peers', target: key, value: new Uint8Array([0xff]) }, true)).toBeNull()
    expect(onpeers(a.ctx, { node: { id: null, host: '1.1.1.1', port: 5 }, command: 'peers', target: key, value: null }, true)).toBeNull()
    expect(onpeers(a.ctx, { node: { id: null, host: '1.1.1.1', port: 0 }, command: 'peers', target: key, value: peersRequest.encode({ type: 1 }) }, true)).toBeNull()
    expect(a.ctx.peers.size).toBe(0)
    // an announce sent as a query (no valid token) is not stored
    onpeers(a.ctx, { node: { id: null, host: '1.1.1.1', port: 5 }, command: 'peers', target: key, value: peersRequest.encode({ type: 1 }) }, false)
    expect(a.ctx.peers.size).toBe(0)
  })
})

describe('store caps', () => {
  it('reports the cap an announce or put hit, named as its HyperDHT option', () => {
    const hits: Array<[StoreCap, string]> = []
    const ctx: HandlerContext = {
      peers: new PeerStore(),
      values: new ValueStore(),
      now: () => 0,
      encodePeer,
      emit: () => true,
      capHit: (cap, host) => { hits.push([cap, host]) }
    }
    const announce = peersRequest.encode({ type: 1, port: 0, localAddress: null })
    const a = new Uint8Array(32).fill(1)
    const b = new Uint8Array(32).fill(2)
    const peers = (target: Uint8Array, host: string, port: number): void => {
      onpeers(ctx, { node: { id: null, host, port }, command: 'peers', target, value: announce }, true)
    }
    const twoAnnounces = (opts: ConstructorParameters<typeof PeerStore>[0], second: [Uint8Array, string]): Array<[StoreCap, string]> => {
      ctx.peers = new PeerStore(opts)
      hits.length = 0
      peers(a, '10.0.0.1', 1)
      peers(a, '10.0.0.1', 1) // a refresh hits nothing
      peers(second[0], second[1], 2)
      return hits.slice()
    }
    expect(twoAnnounces({ maxPerKey: 1 }, [a, '10.0.1.1'])).toEqual([['maxPeersPerKey', '10.0.1.1']])
    expect(twoAnnounces({ maxPerHost: 1 }, [b, '10.0.0.1'])).toEqual([['maxPeersPerHost', '10.0.0.1']])
    expect(twoAnnounces({ maxSize: 1 }, [b, '10.0.1.1'])).toEqual([['maxPeers', '10.0.1.1']])
    expect(twoAnnounces({ maxKeys: 1 }, [b, '10.0.1.1'])).toEqual([['maxPeerKeys', '10.0.1.1']])
    expect(twoAnnounces({ maxBytes: 1 }, [b, '10.0.1.1'])).toEqual([['maxPeerBytes', '10.0.1.1']])
    expect(ctx.peers.evicted).toBe(1)

    const put = (text: string, host: string): void => {
      const value = new TextEncoder().encode(text)
      const target = createHash('sha256').update(value).digest()
      onimmutableUpdate(ctx, { node: { id: null, host, port: 1 }, command: 'immutable', target, value: immutablePut.encode(value) })
    }
    const twoPuts = (opts: ConstructorParameters<typeof ValueStore>[0], host: string, second = 'two'): Array<[StoreCap, string]> => {
      ctx.values = new ValueStore(opts)
      hits.length = 0
      put('one', '10.0.0.1')
      put(second, host)
      return hits.slice()
    }
    expect(twoPuts({ maxSize: 1 }, '10.0.1.1')).toEqual([['maxValues', '10.0.1.1']])
    expect(twoPuts({ maxPerHost: 1 }, '10.0.0.1')).toEqual([['maxValuesPerHost', '10.0.0.1']])
    // the smallest budget still holds one largest value, not a small and a large one
    expect(twoPuts({ maxBytes: 1 }, '10.0.1.1', 'x'.repeat(1000))).toEqual([['maxValueBytes', '10.0.1.1']])
    expect(ctx.values.evicted).toBe(1)
  })
})
