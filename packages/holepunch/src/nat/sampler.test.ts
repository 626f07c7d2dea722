import { describe, expect, it } from 'vitest'
import { HolepunchError } from '../errors'
import type { NatChange } from './sampler'
import { NatSampler } from './sampler'

const PUBLIC = '203.0.113.7'

function setup (options: ConstructorParameters<typeof NatSampler>[0] = {}) {
  let time = 1000
  const sampler = new NatSampler({ now: () => time, ...options })
  const events: NatChange[] = []
  sampler.on('nat', (e) => events.push(e))
  const add = (n: number, port: number, host = PUBLIC) => sampler.add({ from: { host: `198.51.100.${n}`, port: 49737 }, address: { host, port } })
  return { sampler, events, add, tick: (ms: number) => { time += ms } }
}

describe('NatSampler', () => {
  it('starts unknown and emits nat when the verdict appears', () => {
    const { sampler, events, add, tick } = setup()
    expect(sampler.verdict.type).toBe('unknown')
    add(1, 4000)
    tick(10)
    add(2, 4000)
    tick(10)
    expect(sampler.type).toBe('unknown')
    add(3, 4000)
    expect(sampler.verdict).toMatchObject({ type: 'consistent', host: PUBLIC, port: 4000 })
    // first event: the majority address appeared (still unknown); second: consistent
    expect(events.map((e) => e.verdict.type)).toEqual(['unknown', 'consistent'])
    expect(events[0]!.addressChanged).toBe(true)
    expect(events[1]!.addressChanged).toBe(false)
    expect(events[1]!.previous.type).toBe('unknown')
  })

  it('does not emit when nothing changed', () => {
    const { events, add, tick } = setup()
    for (const n of [1, 2, 3]) { add(n, 4000); tick(1) }
    const count = events.length
    add(4, 4000)
    add(1, 4000)
    expect(events.length).toBe(count)
  })

  it('emits random when ports differ and an address change when the host moves', () => {
    const { sampler, events, add, tick } = setup()
    for (const n of [1, 2, 3]) { add(n, 4000 + n); tick(1) }
    expect(sampler.verdict).toMatchObject({ type: 'random', host: PUBLIC, port: null })
    events.length = 0
    for (const n of [4, 5, 6]) { add(n, 5000 + n, '192.0.2.9'); tick(1) }
    expect(sampler.verdict).toMatchObject({ type: 'random', host: '192.0.2.9' })
    expect(events.at(-1)!.addressChanged).toBe(true)
  })

  it('keeps memory bounded: one sample per remote, at most maxSamples', () => {
    const { sampler, add, tick } = setup({ maxSamples: 4 })
    for (let n = 1; n <= 20; n++) { add(n, 4000); tick(1) }
    add(20, 4000)
    expect(sampler.samples.length).toBe(4)
    expect(sampler.samples.map((s) => s.from.host)).toEqual(['198.51.100.17', '198.51.100.18', '198.51.100.19', '198.51.100.20'])
    expect(sampler.verdict.type).toBe('consistent')
  })

  it('forgets the stalest remote first, even when it is the oldest insertion refreshed', () => {
    const { sampler, add, tick } = setup({ maxSamples: 3 })
    add(1, 4000); tick(1)
    add(2, 4000); tick(1)
    add(3, 4000); tick(1)
    add(1, 4000); tick(1) // remote 1 refreshed: remote 2 is now the stalest
    add(4, 4000)
    expect(sampler.samples.map((s) => s.from.host)).toEqual(['198.51.100.3', '198.51.100.1', '198.51.100.4'])
  })

  it('expires old samples on refresh()', () => {
    const { sampler, events, add, tick } = setup({ maxAge: 60_000 })
    for (const n of [1, 2, 3]) add(n, 4000)
    expect(sampler.type).toBe('consistent')
    tick(30_000)
    expect(sampler.refresh().type).toBe('consistent')
    tick(31_000)
    expect(sampler.refresh()).toMatchObject({ type: 'unknown', host: null })
    expect(sampler.samples.length).toBe(0)
    expect(events.at(-1)!.verdict.type).toBe('unknown')
  })

  it('becomes open with reachability and a matching local address, and back', () => {
    const { sampler, events, add } = setup({ localAddresses: [{ host: PUBLIC, port: 4000 }] })
    for (const n of [1, 2, 3]) add(n, 4000)
    expect(sampler.type).toBe('consistent')
    expect(sampler.setReachability('reachable').type).toBe('open')
    expect(events.at(-1)).toMatchObject({ verdict: { type: 'open' }, addressChanged: false })
    expect(sampler.setReachability('unknown').type).toBe('consistent')
    sampler.setLocalAddresses([])
    expect(sampler.setReachability('reachable').type).toBe('consistent')
    expect(sampler.setAssumeOpen(true).type).toBe('open')
  })

  it('clear() forgets everything', () => {
    const { sampler, add } = setup()
    for (const n of [1, 2, 3]) add(n, 4000)
    expect(sampler.clear()).toMatchObject({ type: 'unknown', host: null, port: null })
  })

  it('relaxes distinct hosts on a loopback testnet', () => {
    const sampler = new NatSampler({ distinctHosts: false, now: () => 0 })
    for (const port of [10001, 10002, 10003]) sampler.add({ from: { host: '127.0.0.1', port }, address: { host: '127.0.0.1', port: 20000 } })
    expect(sampler.type).toBe('consistent')
  })

  it('rejects malformed samples and options', () => {
    const sampler = new NatSampler()
    expect(() => sampler.add({ from: { host: '1.2.3.4', port: 0 }, address: { host: '1.2.3.4', port: 1 } })).toThrow(HolepunchError)
    expect(() => sampler.add({} as never)).toThrow(/from and address/)
    expect(() => new NatSampler({ maxSamples: 2 })).toThrow(/maxSamples/)
    expect(() => new NatSampler({ minRemotes: 0 })).toThrow(/minRemotes/)
  })
})
