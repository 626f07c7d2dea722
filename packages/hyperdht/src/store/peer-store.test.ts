import { ipv4Peers, ipv6Peers } from '@hyperdht-ts/ip-encoding'
import { describe, expect, it } from 'vitest'
import {
  DEFAULT_MAX_PEER_BYTES,
  DEFAULT_MAX_PEERS,
  PEER_KEY_BYTES,
  STORE_HOST_BYTES,
  STORE_PREFIX_BYTES
} from '../constants.js'
import { PeerStore, type PeerStoreCap, type StoredPeer } from './peer-store.js'

function peer (host: string, port: number, local?: [number, number, number, number, number]): StoredPeer {
  const bytes = host.includes(':') ? ipv6Peers.encodeOne({ host, port }) : ipv4Peers.encodeOne({ host, port })
  if (local === undefined) return { host, port, peer: bytes, localFilter: null, localPeer: null }
  const [la, lb, lc, ld, lport] = local
  return { host, port, peer: bytes, localFilter: new Uint8Array([la, lb]), localPeer: new Uint8Array([lc, ld, lport >> 8, lport & 255]) }
}

function decode (peers: Uint8Array): string[] {
  const out: string[] = []
  for (let i = 0; i < peers.length; i += 6) {
    out.push(`${peers[i]}.${peers[i + 1]}.${peers[i + 2]}.${peers[i + 3]}:${((peers[i + 4] as number) << 8) | (peers[i + 5] as number)}`)
  }
  return out.sort()
}

function hosts (s: PeerStore, key: string, now: number): string[] {
  return s.get(key, now).map((p) => `${p.host}:${p.port}`).sort()
}

describe('PeerStore', () => {
  it('stores, refreshes and deletes announces per key', () => {
    const s = new PeerStore()
    expect(s.put('aa', peer('1.2.3.4', 80), 0)).toBe('added')
    expect(s.put('aa', peer('1.2.3.4', 80), 10)).toBe('refreshed')
    expect(s.put('aa', peer('1.2.3.4', 81), 10)).toBe('added')
    expect(s.put('bb', peer('1.2.3.4', 80), 10)).toBe('added')
    expect(s.size).toBe(3)
    expect(decode(s.select('aa', 20).peers)).toEqual(['1.2.3.4:80', '1.2.3.4:81'])
    expect(s.delete('aa', '1.2.3.4', 80)).toBe(true)
    expect(s.delete('aa', '1.2.3.4', 80)).toBe(false)
    expect(s.delete('zz', '1.2.3.4', 81)).toBe(false)
    expect(s.delete('aa', '9.9.9.9', 81)).toBe(false)
    expect(decode(s.select('aa', 20).peers)).toEqual(['1.2.3.4:81'])
    expect(s.has('cc', 20)).toBe(false)
    expect(s.get('aa', 20)).toEqual([{ host: '1.2.3.4', port: 81, peer: new Uint8Array([1, 2, 3, 4, 0, 81]), localFilter: null, localPeer: null }])
  })

  it('expires announces after maxAge, and a refresh keeps one alive', () => {
    const s = new PeerStore({ maxAge: 1000 })
    const t0 = 1_700_000_000_000 // a Date.now() clock
    s.put('k', peer('1.1.1.1', 1), t0)
    s.put('k', peer('2.2.2.2', 2), t0 + 500)
    s.put('k', peer('1.1.1.1', 1), t0 + 900) // refresh
    expect(s.select('k', t0 + 1000).count).toBe(2)
    expect(decode(s.select('k', t0 + 1600).peers)).toEqual(['1.1.1.1:1'])
    expect(s.has('k', t0 + 1900)).toBe(true)
    expect(s.has('k', t0 + 1901)).toBe(false)
    expect(s.stats()).toEqual({ peers: 0, keys: 0, hosts: 0, prefixes: 0, bytes: 0 })
  })

  it('leaves out the requester and answers LAN peers only within the same /16', () => {
    const s = new PeerStore()
    s.put('k', peer('1.1.1.1', 1, [192, 168, 0, 5, 3000]), 0)
    s.put('k', peer('2.2.2.2', 2, [10, 0, 0, 6, 4000]), 0)
    s.put('k', peer('3.3.3.3', 3), 0)
    const sel = s.select('k', 0, {
      exclude: new Uint8Array([3, 3, 3, 3, 0, 3]),
      localAddress: new Uint8Array([192, 168, 7, 7, 0, 1])
    })
    expect(decode(sel.peers)).toEqual(['1.1.1.1:1', '2.2.2.2:2'])
    expect([...sel.localPeers]).toEqual([0, 5, 3000 >> 8, 3000 & 255])
    // the requester's own LAN address is not sent back
    const self = s.select('k', 0, { localAddress: new Uint8Array([192, 168, 0, 5, 3000 >> 8, 3000 & 255]) })
    expect(self.localPeers.length).toBe(0)
    expect(s.select('k', 0).localPeers.length).toBe(0)
    // the same, with the LAN address as the number a decoded request carries (address * 2^16 + port)
    const asNumber = (octets: number[], port: number): number => octets.reduce((n, o) => n * 256 + o, 0) * 65536 + port
    expect([...s.select('k', 0, { localAddress: asNumber([192, 168, 7, 7], 1) }).localPeers]).toEqual([0, 5, 3000 >> 8, 3000 & 255])
    expect(s.select('k', 0, { localAddress: asNumber([192, 168, 0, 5], 3000) }).localPeers.length).toBe(0)
    expect(s.select('k', 0, { localAddress: asNumber([192, 169, 0, 5], 3000) }).localPeers.length).toBe(0)
    for (const bad of [-1, 2 ** 48, 0.5, new Uint8Array(4)]) expect(s.select('k', 0, { localAddress: bad }).localPeers.length).toBe(0)
    expect(s.get('k', 0).find((p) => p.host === '1.1.1.1')).toEqual({
      host: '1.1.1.1', port: 1, peer: new Uint8Array([1, 1, 1, 1, 0, 1]), localFilter: new Uint8Array([192, 168]), localPeer: new Uint8Array([0, 5, 3000 >> 8, 3000 & 255])
    })
  })

  it('keeps its own copy of the announced bytes', () => {
    const s = new PeerStore()
    const p = peer('1.1.1.1', 1, [192, 168, 0, 5, 3000])
    s.put('k', p, 0)
    ;(p.peer as Uint8Array).fill(0)
    ;(p.localPeer as Uint8Array).fill(0)
    expect(decode(s.select('k', 0).peers)).toEqual(['1.1.1.1:1'])
    expect([...(s.get('k', 0)[0]?.localPeer as Uint8Array)]).toEqual([0, 5, 3000 >> 8, 3000 & 255])
  })

  it('answers at most ~900 bytes, picked at random', () => {
    const s = new PeerStore({ maxPerHost: 1000 })
    for (let i = 0; i < 500; i++) s.put('k', peer('9.9.' + (i >> 8) + '.' + (i & 255), 1000 + i), 0)
    const seen = new Set<string>()
    for (let r = 0; r < 20; r++) {
      const sel = s.select('k', 0)
      expect(sel.peers.length).toBeLessThanOrEqual(906)
      expect(sel.peers.length).toBeGreaterThanOrEqual(900)
      const list = decode(sel.peers)
      expect(new Set(list).size).toBe(list.length)
      for (const p of list) seen.add(p)
    }
    expect(seen.size).toBeGreaterThan(300)
  })

  it('answers 18-byte peers on an IPv6 network', () => {
    const s = new PeerStore()
    s.put('k', peer('2001:db8::1', 7), 0)
    s.put('k', peer('2001:db8::2', 8), 0)
    const sel = s.select('k', 0, { exclude: ipv6Peers.encodeOne({ host: '2001:db8::2', port: 8 }) })
    expect(sel.count).toBe(1)
    expect(ipv6Peers.decode(sel.peers)).toEqual([{ host: '2001:db8::1', port: 7 }])
  })

  it('refuses new announces from a host at its cap, refreshes still pass', () => {
    const s = new PeerStore({ maxPerHost: 2 })
    expect(s.put('k', peer('1.1.1.1', 1), 0)).toBe('added')
    expect(s.put('k', peer('1.1.1.1', 2), 0)).toBe('added')
    expect(s.put('k', peer('1.1.1.1', 3), 0)).toBe('refused-host')
    expect(s.put('x', peer('1.1.1.1', 3), 0)).toBe('refused-host')
    expect(s.put('x', peer('1.1.1.2', 3), 0)).toBe('added') // another host of the same /24
    expect(s.put('k', peer('1.1.1.1', 1), 5)).toBe('refreshed')
    expect(s.put('k', peer('1.1.1.1', 1, [10, 0, 0, 1, 80]), 6)).toBe('refreshed') // grew a LAN address
    s.delete('k', '1.1.1.1', 2)
    expect(s.put('x', peer('1.1.1.1', 3), 7)).toBe('added')
    expect(s.evicted).toBe(0)
  })

  it('a full key evicts from the prefix holding the most under it, not the oldest announcer', () => {
    const evictions: string[] = []
    const s = new PeerStore({ maxPerKey: 4, onevict: (key, p, cap) => evictions.push(`${key} ${p.host}:${p.port} ${cap}`) })
    s.put('k', peer('1.1.1.1', 1), 0) // honest, first
    s.put('k', peer('6.6.6.1', 1), 1)
    s.put('k', peer('6.6.6.2', 1), 2)
    s.put('k', peer('6.6.6.3', 1), 3)
    expect(s.put('k', peer('6.6.6.4', 1), 4)).toBe('added')
    expect(s.put('k', peer('2.2.2.2', 1), 5)).toBe('added') // an honest newcomer gets in
    expect(evictions).toEqual(['k 6.6.6.1:1 per-key', 'k 6.6.6.2:1 per-key'])
    expect(hosts(s, 'k', 6)).toEqual(['1.1.1.1:1', '2.2.2.2:1', '6.6.6.3:1', '6.6.6.4:1'])
    // the prefix holding the most under the key is 6.6.6.0/24 even though it holds few elsewhere
    for (let i = 0; i < 10; i++) s.put('other' + i, peer('3.3.3.' + i, 1), 7)
    s.put('k', peer('3.3.3.3', 2), 8)
    expect(evictions.at(-1)).toBe('k 6.6.6.3:1 per-key')
    expect(s.lastEviction).toBe('per-key')
    expect(s.get('k', 8).length).toBe(4)
  })

  it('a full store evicts the oldest entry of the prefix holding the most', () => {
    const s = new PeerStore({ maxSize: 5 })
    s.put('a', peer('1.1.1.1', 1), 0)
    s.put('b', peer('2.2.2.2', 1), 1)
    s.put('c', peer('9.9.9.1', 1), 2)
    s.put('d', peer('9.9.9.2', 1), 3)
    s.put('e', peer('9.9.9.1', 2), 4)
    s.put('c', peer('9.9.9.1', 1), 5) // refresh: 9.9.9.2 is now the oldest of 9.9.9.0/24
    s.put('f', peer('3.3.3.3', 1), 6)
    expect(s.has('d', 6)).toBe(false)
    expect(s.has('a', 6) && s.has('b', 6) && s.has('c', 6) && s.has('e', 6) && s.has('f', 6)).toBe(true)
    expect(s.evicted).toBe(1)
    expect(s.lastEviction).toBe('size')
    expect(s.stats()).toMatchObject({ peers: 5, keys: 5, hosts: 4, prefixes: 4 })
  })

  it('a full key set evicts from the prefix holding the most until a key is free', () => {
    const caps: PeerStoreCap[] = []
    const s = new PeerStore({ maxKeys: 3, onevict: (_k, _p, cap) => caps.push(cap) })
    s.put('a', peer('1.1.1.1', 1), 0)
    s.put('b', peer('7.7.7.7', 1), 1)
    s.put('b', peer('7.7.7.8', 1), 2)
    s.put('c', peer('7.7.7.7', 2), 3)
    expect(s.put('d', peer('2.2.2.2', 1), 4)).toBe('added')
    // 7.7.7.0/24 holds the most: its oldest two (both under b) go before a key is free
    expect(caps).toEqual(['keys', 'keys'])
    expect(['a', 'b', 'c', 'd'].filter((k) => s.has(k, 5))).toEqual(['a', 'c', 'd'])
    expect(s.put('c', peer('1.1.1.1', 3), 5)).toBe('added') // an existing key needs no room
  })

  it('counts bytes and evicts fairly at the byte budget', () => {
    const one = PeerStore.entryBytes(6, false) + PEER_KEY_BYTES + STORE_HOST_BYTES + STORE_PREFIX_BYTES
    const s = new PeerStore({ maxBytes: 10 * one })
    expect(s.maxBytes).toBe(10 * one)
    for (let i = 0; i < 10; i++) s.put('k' + i, peer(`10.0.${i}.1`, 1), i)
    expect(s.bytes).toBe(10 * one)
    expect(s.evicted).toBe(0)
    // a LAN address costs more: the store is over by PEER_LAN_BYTES, the largest prefix pays
    s.put('flood', peer('6.6.6.6', 1, [192, 168, 0, 1, 1]), 20)
    expect(s.lastEviction).toBe('bytes')
    expect(s.bytes).toBeLessThanOrEqual(s.maxBytes)
    expect(s.has('flood', 20)).toBe(true)
    for (let i = 0; i < 100; i++) s.put('flood' + i, peer('6.6.6.' + (i % 50), 1 + i, [192, 168, 0, 1, 1]), 21 + i)
    expect(s.bytes).toBeLessThanOrEqual(s.maxBytes)
    const kept = Array.from({ length: 10 }, (_, i) => s.has('k' + i, 200)).filter(Boolean).length
    // the flood's prefix holds the most as soon as it holds two: it evicts itself from then on
    expect(kept).toBeGreaterThanOrEqual(8)
    expect(s.stats().prefixes).toBe(kept + 1)
  })

  it('never lets a tiny byte budget refuse a single announce', () => {
    const s = new PeerStore({ maxBytes: 1 })
    expect(s.maxBytes).toBeGreaterThan(1)
    for (let i = 0; i < 5; i++) expect(s.put('k' + i, peer('2001:db8:' + i + '::1', 1, [10, 0, 0, 1, 1]), i)).toBe('added')
    expect(s.size).toBe(1)
    expect(s.bytes).toBeLessThanOrEqual(s.maxBytes)
  })

  it('groups IPv4 hosts by /24 (mapped IPv6 included) and IPv6 hosts by /48', () => {
    const s = new PeerStore()
    s.put('k', peer('10.1.2.3', 1), 0)
    s.put('k', peer('10.1.2.200', 1), 0)
    s.put('k', peer('::ffff:10.1.2.7', 1), 0)
    expect(s.stats()).toMatchObject({ hosts: 3, prefixes: 1 })
    s.put('k', peer('10.1.3.3', 1), 0)
    expect(s.stats().prefixes).toBe(2)
    s.put('k', peer('2001:db8:1:0::1', 1), 0)
    s.put('k', peer('2001:db8:1:ffff::1', 1), 0) // same /48, another /64
    expect(s.stats()).toMatchObject({ hosts: 6, prefixes: 3 })
    s.put('k', peer('2001:db8:2::1', 1), 0)
    expect(s.stats().prefixes).toBe(4)
  })

  it('keeps prefix counts right under refresh, delete and expiry', () => {
    const s = new PeerStore({ maxAge: 100, maxSize: 4 })
    s.put('a', peer('5.5.5.1', 1), 0)
    s.put('b', peer('5.5.5.2', 1), 10)
    s.put('c', peer('8.8.8.8', 1), 20)
    s.put('a', peer('5.5.5.1', 1), 90) // refresh keeps a alive past b
    expect(s.delete('c', '8.8.8.8', 1)).toBe(true)
    expect(s.stats()).toMatchObject({ peers: 2, hosts: 2, prefixes: 1 })
    s.prune(150) // b expires
    expect(s.stats()).toMatchObject({ peers: 1, hosts: 1, prefixes: 1 })
    // the counts are right: 5.5.5.0/24 holds 1, so a newcomer's flood is what gets evicted
    for (let i = 0; i < 10; i++) s.put('f' + i, peer('6.6.6.' + i, 1), 151 + i)
    expect(s.has('a', 160)).toBe(true)
    expect(s.size).toBe(4)
    s.prune(1000)
    expect(s.stats()).toEqual({ peers: 0, keys: 0, hosts: 0, prefixes: 0, bytes: 0 })
  })

  it('stays bounded under an announce flood from many hosts and keys', () => {
    const s = new PeerStore({ maxSize: 5000, maxPerKey: 100, maxPerHost: 50 })
    let now = 0
    for (let i = 0; i < 80_000; i++) {
      const host = `10.${(i >> 16) & 255}.${(i >> 8) & 255}.${i & 255}`
      // each host announces many ports on a few keys, plus random keys
      s.put((i % 7 === 0 ? 'hot' : 'key' + (i % 20_000)), peer(host, 1 + (i % 60_000)), now++)
      s.put('hot', peer('6.6.6.6', 1 + (i % 60_000)), now++)
      const st = s.stats()
      if (st.peers > 5000 || st.keys > 5000 || st.hosts > 5000 || st.bytes > s.maxBytes) throw new Error('unbounded: ' + JSON.stringify(st))
    }
    expect(s.stats().peers).toBe(5000)
    expect(s.get('hot', now).length).toBe(100)
    expect(s.get('hot', now).filter((p) => p.host === '6.6.6.6').length).toBeLessThanOrEqual(50)
  })
})

describe('PeerStore address lookups (whom a referrer may relay to)', () => {
  it('hasPeer finds an announce under its key only; hasAddress under any key; both forget expired or removed ones', () => {
    const store = new PeerStore({ maxAge: 1000 })
    store.put('aa', peer('10.1.2.3', 7000), 0)
    store.put('bb', peer('10.1.2.4', 7000), 0)
    expect(store.hasPeer('aa', '10.1.2.3', 7000, 10)).toBe(true)
    expect(store.hasPeer('bb', '10.1.2.3', 7000, 10)).toBe(false)
    expect(store.hasPeer('aa', '10.1.2.3', 7001, 10)).toBe(false)
    expect(store.hasAddress('10.1.2.3', 7000, 10)).toBe(true)
    expect(store.hasAddress('10.1.2.4', 7000, 10)).toBe(true)
    expect(store.hasAddress('10.1.2.4', 7001, 10)).toBe(false)
    expect(store.hasAddress('10.9.9.9', 7000, 10)).toBe(false)
    store.delete('bb', '10.1.2.4', 7000)
    expect(store.hasAddress('10.1.2.4', 7000, 10)).toBe(false)
    expect(store.hasAddress('10.1.2.3', 7000, 1001)).toBe(false) // expired
    expect(store.hasPeer('aa', '10.1.2.3', 7000, 1001)).toBe(false)
  })
})

describe('PeerStore fairness at the default caps', () => {
  const honestPrefixes = 50

  /** 50 honest /24s (two hosts each, three keys each) announce first. */
  function honest (s: PeerStore): string[] {
    const ids: string[] = []
    for (let p = 0; p < honestPrefixes; p++) {
      for (let h = 1; h <= 2; h++) {
        for (let k = 0; k < 3; k++) {
          const key = `honest-${p}-${k}`
          expect(s.put(key, peer(`20.${p}.0.${h}`, 4000 + k), 0)).toBe('added')
          ids.push(`${key} 20.${p}.0.${h}:${4000 + k}`)
        }
      }
    }
    return ids
  }

  function stillThere (s: PeerStore, ids: string[], now: number): number {
    let n = 0
    for (const id of ids) {
      const [key, hostPort] = id.split(' ') as [string, string]
      if (s.get(key, now).some((p) => `${p.host}:${p.port}` === hostPort)) n++
    }
    return n
  }

  it('a flood from 3 prefixes filling the store leaves every honest entry in place', () => {
    const s = new PeerStore() // every cap at its default
    const ids = honest(s)
    // 3 attacker /24s, every host at its per-host cap: 3 x 256 x 256 = 196,608 announces
    let added = 0
    for (let a = 0; a < 3; a++) {
      for (let h = 0; h < 256; h++) {
        for (let port = 1; port <= 256; port++) {
          if (s.put(`flood-${a}-${h}-${port}`, peer(`66.${a}.0.${h}`, port), 1) === 'added') added++
        }
      }
    }
    expect(added).toBe(3 * 256 * 256)
    // one announce per key is the costliest shape: the byte budget fills before the entry cap
    expect(s.lastEviction).toBe('bytes')
    expect(s.size).toBeLessThanOrEqual(DEFAULT_MAX_PEERS)
    expect(s.size).toBeGreaterThan(DEFAULT_MAX_PEERS * 0.75)
    expect(s.bytes).toBeLessThanOrEqual(DEFAULT_MAX_PEER_BYTES)
    expect(s.bytes).toBeGreaterThan(DEFAULT_MAX_PEER_BYTES - 2048)
    expect(s.evicted).toBe(added + ids.length - s.size)
    expect(stillThere(s, ids, 1)).toBe(ids.length)
    expect(s.stats()).toMatchObject({ prefixes: honestPrefixes + 3 })
    // the flood competes with itself: its 3 prefixes hold equal shares (one more at most)
    const perAttacker = (s.size - ids.length) / 3
    for (let a = 0; a < 3; a++) {
      let n = 0
      for (let h = 0; h < 256; h++) for (let port = 1; port <= 256; port++) if (s.has(`flood-${a}-${h}-${port}`, 1)) n++
      expect(Math.abs(n - perAttacker)).toBeLessThanOrEqual(1)
    }
  })

  it('a flood of LAN announces from one IPv6 /48 hits the byte budget and evicts only itself', () => {
    const s = new PeerStore()
    const ids = honest(s)
    for (let i = 0; i < 120_000; i++) {
      // a different /64 (and host) every 256 announces, all in 2001:db8:66::/48
      s.put(`v6-${i}`, peer(`2001:db8:66:${(i >> 8).toString(16)}::1`, 1 + (i & 255), [10, 0, 0, 1, 1]), 2)
    }
    expect(s.lastEviction).toBe('bytes')
    expect(s.size).toBeLessThan(DEFAULT_MAX_PEERS)
    expect(s.bytes).toBeLessThanOrEqual(s.maxBytes)
    expect(stillThere(s, ids, 2)).toBe(ids.length)
  })

  it('a flood into honest keys from one prefix evicts only its own entries', () => {
    const s = new PeerStore()
    const ids = honest(s)
    for (let h = 0; h < 256; h++) {
      for (let port = 1; port <= 256; port++) {
        // 15 honest keys get over their per-key cap's worth of flood each, from one /24
        s.put(`honest-${port % 5}-${h % 3}`, peer(`66.6.6.${h}`, port), 3)
      }
    }
    expect(s.lastEviction).toBe('per-key')
    for (let p = 0; p < 5; p++) for (let k = 0; k < 3; k++) expect(s.get(`honest-${p}-${k}`, 3).length).toBe(s.maxPerKey)
    expect(stillThere(s, ids, 3)).toBe(ids.length)
  })
})
