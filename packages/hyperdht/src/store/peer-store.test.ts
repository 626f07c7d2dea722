import { describe, expect, it } from 'vitest'
import { PeerStore, type StoredPeer } from './peer-store.js'

function peer (host: string, port: number, local?: [number, number, number, number, number]): StoredPeer {
  const [a, b, c, d] = host.split('.').map(Number) as [number, number, number, number]
  const bytes = new Uint8Array([a, b, c, d, port >> 8, port & 255])
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
    expect(decode(s.select('aa', 20).peers)).toEqual(['1.2.3.4:81'])
    expect(s.has('cc', 20)).toBe(false)
  })

  it('expires announces after maxAge, and a refresh keeps one alive', () => {
    const s = new PeerStore({ maxAge: 1000 })
    s.put('k', peer('1.1.1.1', 1), 0)
    s.put('k', peer('2.2.2.2', 2), 500)
    s.put('k', peer('1.1.1.1', 1), 900) // refresh
    expect(s.select('k', 1000).count).toBe(2)
    expect(decode(s.select('k', 1600).peers)).toEqual(['1.1.1.1:1'])
    expect(s.has('k', 1900)).toBe(true)
    expect(s.has('k', 1901)).toBe(false)
    expect(s.stats()).toEqual({ peers: 0, keys: 0, hosts: 0 })
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

  it('caps announces per key and per host', () => {
    const s = new PeerStore({ maxPerKey: 3, maxPerHost: 2 })
    expect(s.put('k', peer('1.1.1.1', 1), 0)).toBe('added')
    expect(s.put('k', peer('1.1.1.1', 2), 0)).toBe('added')
    expect(s.put('k', peer('1.1.1.1', 3), 0)).toBe('refused-host')
    expect(s.put('x', peer('1.1.1.1', 3), 0)).toBe('refused-host')
    expect(s.put('k', peer('2.2.2.2', 1), 0)).toBe('added')
    expect(s.put('k', peer('3.3.3.3', 1), 0)).toBe('refused-key')
    expect(s.put('k', peer('1.1.1.1', 1), 5)).toBe('refreshed') // refreshes are not capped
    s.delete('k', '1.1.1.1', 2)
    expect(s.put('k', peer('3.3.3.3', 1), 0)).toBe('added')
  })

  it('evicts the oldest announce at the global cap', () => {
    const s = new PeerStore({ maxSize: 3 })
    s.put('a', peer('1.1.1.1', 1), 0)
    s.put('b', peer('2.2.2.2', 1), 1)
    s.put('c', peer('3.3.3.3', 1), 2)
    s.put('a', peer('1.1.1.1', 1), 3) // refresh: b is now the oldest
    s.put('d', peer('4.4.4.4', 1), 4)
    expect(s.has('b', 4)).toBe(false)
    expect(s.has('a', 4) && s.has('c', 4) && s.has('d', 4)).toBe(true)
    expect(s.stats()).toEqual({ peers: 3, keys: 3, hosts: 3 })
  })

  it('stays bounded under an announce flood from many hosts and keys', () => {
    const s = new PeerStore({ maxSize: 5000, maxPerKey: 100, maxPerHost: 50 })
    const before = process.memoryUsage().heapUsed
    let now = 0
    for (let i = 0; i < 80_000; i++) {
      const host = `10.${(i >> 16) & 255}.${(i >> 8) & 255}.${i & 255}`
      // each host announces many ports on a few keys, plus random keys
      s.put((i % 7 === 0 ? 'hot' : 'key' + (i % 20_000)), peer(host, 1 + (i % 60_000)), now++)
      s.put('hot', peer('6.6.6.6', 1 + (i % 60_000)), now++)
      const st = s.stats()
      if (st.peers > 5000 || st.keys > 5000 || st.hosts > 5000) throw new Error('unbounded: ' + JSON.stringify(st))
    }
    const st = s.stats()
    expect(st.peers).toBeLessThanOrEqual(5000)
    expect(s.get('hot', now).length).toBeLessThanOrEqual(100)
    expect(s.get('hot', now).filter(p => p.host === '6.6.6.6').length).toBeLessThanOrEqual(50)
    globalThis.gc?.()
    expect(process.memoryUsage().heapUsed - before).toBeLessThan(64 * 1024 * 1024)
  })
})
