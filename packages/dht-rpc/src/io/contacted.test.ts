import { seededRandom } from '@hyperdht-ts/test-utils'
import { describe, expect, it } from 'vitest'
import { CONTACTED_REFRESH, CONTACTED_TTL } from '../constants.js'
import { Contacted } from './contacted.js'

/** The two maps `Contacted` replaces: every address and every host, each in contact order. */
class TwoMaps {
  readonly addresses = new Map<string, number>()
  readonly hosts = new Map<string, number>()
  constructor (readonly max: number) {}

  note (host: string, port: number, now: number): void {
    this.#touch(this.addresses, host + '|' + port, now)
    this.#touch(this.hosts, host, now)
  }

  hasAddress (host: string, port: number, now: number): boolean {
    const at = this.addresses.get(host + '|' + port)
    return at !== undefined && now - at < CONTACTED_TTL
  }

  hasHost (host: string, now: number): boolean {
    const at = this.hosts.get(host)
    return at !== undefined && now - at < CONTACTED_TTL
  }

  #touch (c: Map<string, number>, key: string, now: number): void {
    const at = c.get(key)
    if (at !== undefined) {
      if (now - at < CONTACTED_REFRESH) return
      c.delete(key)
    } else if (c.size >= this.max) {
      c.delete(c.keys().next().value!)
    }
    c.set(key, now)
  }
}


/** Random contacts over a few minutes, comparing every answer; `ports` per host at most. */
function compare (seed: number, opts: { max: number, hosts: number, ports: number, checkAddresses: boolean }): void {
  const r = seededRandom(seed)
  const ours = new Contacted(opts.max)
  const model = new TwoMaps(opts.max)
  const hosts = Array.from({ length: opts.hosts }, (_, i) => i % 7 === 0 ? `2001:db8::${i}` : `10.0.${i >> 8}.${i & 255}`)
  let now = 1
  for (let i = 0; i < 20000; i++) {
    now += Math.floor(r() * 400)
    const host = hosts[Math.floor(r() * hosts.length)]!
    const port = 1000 + Math.floor(r() * opts.ports)
    if (r() < 0.5) {
      ours.note(host, port, now)
      model.note(host, port, now)
    } else {
      expect(ours.hasHost(host, now)).toBe(model.hasHost(host, now))
      if (opts.checkAddresses) expect(ours.hasAddress(host, port, now)).toBe(model.hasAddress(host, port, now))
    }
  }
  expect(ours.hosts).toBe(model.hosts.size)
}

describe('Contacted', () => {
  it('answers as two maps (every address, every host) would, hosts on one port or several', () => {
    for (let seed = 1; seed <= 3; seed++) {
      compare(seed, { max: 10_000, hosts: 60, ports: 1, checkAddresses: true })
      compare(seed, { max: 10_000, hosts: 60, ports: 3, checkAddresses: true })
    }
  })

  it('the same at its cap when every host has one port; hosts always the same', () => {
    for (let seed = 1; seed <= 3; seed++) {
      compare(seed, { max: 20, hosts: 60, ports: 1, checkAddresses: true })
      compare(seed, { max: 20, hosts: 60, ports: 3, checkAddresses: false })
    }
  })

  it('counts an address for CONTACTED_TTL, refreshed at most every CONTACTED_REFRESH', () => {
    const c = new Contacted()
    c.note('10.0.0.1', 1, 0)
    expect(c.hasAddress('10.0.0.1', 1, CONTACTED_TTL - 1)).toBe(true)
    expect(c.hasAddress('10.0.0.1', 2, 1)).toBe(false)
    expect(c.hasHost('10.0.0.1', CONTACTED_TTL - 1)).toBe(true)
    expect(c.hasAddress('10.0.0.1', 1, CONTACTED_TTL)).toBe(false)
    c.note('10.0.0.1', 1, CONTACTED_REFRESH - 1) // too soon: not refreshed
    expect(c.hasAddress('10.0.0.1', 1, CONTACTED_TTL)).toBe(false)
    c.note('10.0.0.1', 2, CONTACTED_TTL + 5) // a second port
    expect(c.hasAddress('10.0.0.1', 2, CONTACTED_TTL + 5)).toBe(true)
    expect(c.hasAddress('10.0.0.1', 1, CONTACTED_TTL + 5)).toBe(false)
    c.note('10.0.0.1', 1, CONTACTED_TTL + 6)
    expect(c.hasAddress('10.0.0.1', 1, CONTACTED_TTL + 6)).toBe(true)
    expect(c.hasAddress('10.0.0.1', 2, CONTACTED_TTL + 6)).toBe(true)
  })

  it('keeps at most max hosts, the oldest contact first out', () => {
    const c = new Contacted(3)
    for (let i = 1; i <= 4; i++) c.note(`10.0.0.${i}`, 1, i)
    expect(c.hosts).toBe(3)
    expect(c.hasHost('10.0.0.1', 5)).toBe(false)
    expect(c.hasAddress('10.0.0.1', 1, 5)).toBe(false)
    expect(c.hasHost('10.0.0.4', 5)).toBe(true)
  })
})
