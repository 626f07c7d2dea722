import { describe, expect, it } from 'vitest'
import { HolepunchError } from '../errors'
import type { ReachabilityChange } from './verdict'
import { ReachabilityTracker, type ProbeOutcome } from './verdict'

function setup (options: ConstructorParameters<typeof ReachabilityTracker>[0] = {}) {
  let time = 0
  const tracker = new ReachabilityTracker({ now: () => time, window: 60_000, ...options })
  const events: ReachabilityChange[] = []
  tracker.on('reachability', (e) => events.push(e))
  let nonce = 0
  const report = (n: number, outcome: ProbeOutcome, host = `198.51.100.${n}`) =>
    tracker.report({ helper: { host, port: 49737 }, outcome, nonce: nonce++ })
  return { tracker, events, report, tick: (ms: number) => { time += ms } }
}

describe('ReachabilityTracker', () => {
  it('believes reachable after three distinct helpers agree', () => {
    const { tracker, events, report } = setup()
    expect(report(1, 'reachable')).toBe('unknown')
    expect(report(2, 'reachable')).toBe('unknown')
    expect(tracker.streak).toEqual({ outcome: 'reachable', helpers: 2 })
    expect(report(3, 'reachable')).toBe('reachable')
    expect(events).toEqual([{ reachability: 'reachable', previous: 'unknown' }])
  })

  it('believes unreachable the same way', () => {
    const { report } = setup()
    report(1, 'unreachable')
    report(2, 'unreachable')
    expect(report(3, 'unreachable')).toBe('unreachable')
  })

  it('does not count one host twice', () => {
    const { tracker, report } = setup()
    report(1, 'reachable')
    report(1, 'reachable')
    tracker.report({ helper: { host: '198.51.100.1', port: 1 }, outcome: 'reachable' })
    expect(tracker.streak.helpers).toBe(1)
    expect(tracker.reachability).toBe('unknown')
  })

  it('relaxes distinctness to host:port on a loopback testnet', () => {
    const tracker = new ReachabilityTracker({ distinctHosts: false, now: () => 0 })
    for (const port of [1, 2, 3]) tracker.report({ helper: { host: '127.0.0.1', port }, outcome: 'reachable' })
    expect(tracker.reachability).toBe('reachable')
  })

  it('ignores a replayed nonce', () => {
    const tracker = new ReachabilityTracker({ now: () => 0 })
    tracker.report({ helper: { host: '10.0.0.1', port: 1 }, outcome: 'reachable', nonce: 'abc' })
    tracker.report({ helper: { host: '10.0.0.2', port: 1 }, outcome: 'reachable', nonce: 'abc' })
    tracker.report({ helper: { host: '10.0.0.3', port: 1 }, outcome: 'reachable', nonce: new Uint8Array([1, 2]) })
    tracker.report({ helper: { host: '10.0.0.4', port: 1 }, outcome: 'reachable', nonce: new Uint8Array([1, 2]) })
    expect(tracker.streak.helpers).toBe(2)
    expect(tracker.reachability).toBe('unknown')
  })

  it('resets the count on contradicting evidence', () => {
    const { tracker, report } = setup()
    report(1, 'reachable')
    report(2, 'reachable')
    report(3, 'unreachable')
    expect(tracker.streak).toEqual({ outcome: 'unreachable', helpers: 1 })
    report(4, 'reachable')
    report(5, 'reachable')
    expect(tracker.reachability).toBe('unknown')
    report(6, 'reachable')
    expect(tracker.reachability).toBe('reachable')
  })

  it('keeps a confirmed verdict through one contradicting outcome, flips on a confirmed contradiction', () => {
    const { events, report } = setup()
    for (const n of [1, 2, 3]) report(n, 'reachable')
    expect(report(4, 'unreachable')).toBe('reachable')
    expect(report(5, 'reachable')).toBe('reachable')
    for (const n of [6, 7]) expect(report(n, 'unreachable')).toBe('reachable')
    expect(report(8, 'unreachable')).toBe('unreachable')
    expect(events.map((e) => e.reachability)).toEqual(['reachable', 'unreachable'])
  })

  it('forgets outcomes older than the window', () => {
    const { tracker, report, tick } = setup()
    report(1, 'reachable')
    report(2, 'reachable')
    tick(61_000)
    report(3, 'reachable')
    expect(tracker.reachability).toBe('unknown')
    expect(tracker.streak.helpers).toBe(1)
  })

  it('decays to unknown when no supporting outcome arrives within the window', () => {
    const { tracker, events, report, tick } = setup()
    for (const n of [1, 2, 3]) report(n, 'reachable')
    tick(50_000)
    report(4, 'reachable') // supports the verdict: it lives another window
    tick(50_000)
    expect(tracker.refresh()).toBe('reachable')
    report(5, 'unreachable') // contradicts: does not support
    tick(11_000)
    expect(tracker.refresh()).toBe('unknown')
    expect(events.at(-1)).toEqual({ reachability: 'unknown', previous: 'reachable' })
  })

  it('reset() forgets the evidence', () => {
    const { tracker, report } = setup()
    for (const n of [1, 2, 3]) report(n, 'reachable')
    expect(tracker.reset()).toBe('unknown')
    expect(tracker.streak).toEqual({ outcome: null, helpers: 0 })
    report(1, 'reachable')
    expect(tracker.reachability).toBe('unknown')
  })

  it('honours confirmations', () => {
    const { tracker, report } = setup({ confirmations: 1 })
    report(1, 'unreachable')
    expect(tracker.reachability).toBe('unreachable')
  })

  it('rejects bad input', () => {
    const tracker = new ReachabilityTracker()
    expect(() => tracker.report({ helper: { host: 'x', port: 0 }, outcome: 'reachable' })).toThrow(HolepunchError)
    expect(() => tracker.report({ helper: { host: 'x', port: 1 }, outcome: 'maybe' as never })).toThrow(/outcome/)
    expect(() => new ReachabilityTracker({ confirmations: 0 })).toThrow(/confirmations/)
    expect(() => new ReachabilityTracker({ window: 0 })).toThrow(/window/)
  })
})
