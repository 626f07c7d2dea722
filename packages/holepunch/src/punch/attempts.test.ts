// The attempts of a punch plan over real loopback UDP (no NAT in the way): each side is a frame
// router on its own socket, as a Holepuncher has on its DHT socket. What a NAT would drop does
// not matter here; what is checked is what proves a path, what wins a race, and how an attempt
// ends (timeout, abort, an exhausted or impossible attempt).
import { createSocket } from 'node:dgram'
import { waitFor } from '@hyperdht-ts/test-utils'
import { afterEach, describe, expect, it, onTestFinished } from 'vitest'
import { failureOf } from '../../test/failure'
import { encodeFrame, FRAME_TYPE } from '../connection/frame'
import { FrameRouter } from '../connection/router'
import { SocketPort } from '../io/port'
import type { Peer } from '../types'
import { runPlan, type AttemptContext } from './attempts'
import type { BirthdayAttempt, PunchAttempt, PunchPlan } from './strategy'

interface Side { host: string, router: FrameRouter, port: SocketPort, address: Peer }

const opened: SocketPort[] = []
afterEach(() => {
  while (opened.length > 0) opened.pop()!.close()
})

/** A router on a socket of its own, bound to `host` (distinct 127/8 hosts: Linux binds them all). */
async function side (host: string): Promise<Side> {
  const router = new FrameRouter(() => null)
  const port = await SocketPort.open(host, 4, router.receive)
  opened.push(port)
  return { host, router, port, address: port.address() }
}

/** A host where nothing listens: probes to it are lost, as to a peer behind a closed NAT. */
const NOBODY = '127.250.77.1'

function context (s: Side, id: number, signal: AbortSignal, peerHosts: string[] = []): AttemptContext {
  return { router: s.router, port: s.port, id, family: 4, bindHost: s.host, receive: s.router.receive, signal, peerHosts }
}

function plan (stages: PunchAttempt[][], failure: PunchPlan['failure'] = 'HOLEPUNCH_FAILED'): PunchPlan {
  return { stages, failure, reason: 'test plan' }
}

function birthday (role: BirthdayAttempt['role'], target: BirthdayAttempt['target'], sizes: { sockets?: number, probes?: number, probeInterval?: number } = {}): BirthdayAttempt {
  const probes = sizes.probes ?? 50
  const probeInterval = sizes.probeInterval ?? 5
  return { kind: 'birthday', path: 'holepunch', role, target, sockets: sizes.sockets ?? 4, probes, probeInterval, successProbability: 1, maxDuration: probes * probeInterval }
}


describe('runPlan', () => {
  it('fails at once on an empty plan, with the plan\'s failure code', async () => {
    const a = await side('127.240.0.1')
    const signal = new AbortController().signal
    const failed = await failureOf(runPlan(context(a, 1, signal), plan([])))
    expect(failed.code).toBe('HOLEPUNCH_FAILED')
    expect(failed.message).toContain('test plan')
    expect((await failureOf(runPlan(context(a, 1, signal), plan([], 'BOTH_NATS_RANDOM')))).code).toBe('BOTH_NATS_RANDOM')
  })

  it('direct: the answer to our probe proves the path, with its round trip', async () => {
    const a = await side('127.240.0.2')
    const b = await side('127.240.0.3')
    const found = await runPlan(context(a, 7, new AbortController().signal), plan([[{ kind: 'direct', path: 'direct', address: b.address }]]), 5000)
    expect(found.path).toBe('direct')
    expect(found.remote).toEqual(b.address)
    expect(found.port).toBe(a.port)
    expect(found.rtt).toBeGreaterThanOrEqual(0)
    expect(b.router.stats.probesAnswered).toBeGreaterThanOrEqual(1)
  })

  it('lan: a dead LAN address racing a live one does not block the stage', async () => {
    const a = await side('127.240.0.4')
    const b = await side('127.240.0.5')
    const stage: PunchAttempt[] = [
      { kind: 'lan', path: 'lan', address: { host: NOBODY, port: 9 } },
      { kind: 'lan', path: 'lan', address: b.address }
    ]
    const found = await runPlan(context(a, 8, new AbortController().signal), plan([stage]), 10_000)
    expect(found.path).toBe('lan')
    expect(found.remote).toEqual(b.address)
  })

  it('a stage that finds nothing within the timeout gives way to the next one', async () => {
    const a = await side('127.240.0.6')
    const b = await side('127.240.0.7')
    const stages: PunchAttempt[][] = [
      [{ kind: 'direct', path: 'direct', address: { host: NOBODY, port: 9 } }],
      [{ kind: 'holepunch', path: 'holepunch', address: b.address }]
    ]
    const found = await runPlan(context(a, 9, new AbortController().signal), plan(stages), 300)
    expect(found.path).toBe('holepunch')
    expect(found.remote).toEqual(b.address)
  })

  it('fails with HOLEPUNCH_FAILED when every stage timed out; an answer to no probe of ours proves nothing', async () => {
    const a = await side('127.240.0.8')
    const forger = await side('127.240.0.9')
    // acks for our connection id, but with nonces we never sent
    const forging = setInterval(() => forger.port.send(encodeFrame({ type: FRAME_TYPE.PROBE_ACK, id: 10, seq: 12345, ack: 0 }), a.address), 20)
    try {
      const stages: PunchAttempt[][] = [[{ kind: 'direct', path: 'direct', address: { host: NOBODY, port: 9 } }]]
      const failed = await failureOf(runPlan(context(a, 10, new AbortController().signal), plan(stages), 400))
      expect(failed.code).toBe('HOLEPUNCH_FAILED')
      expect(failed.message).toContain('test plan')
    } finally {
      clearInterval(forging)
    }
  })

  it('holepunch: both sides probe; the side without an address is proven by the peer\'s probe from its host', async () => {
    const a = await side('127.240.0.10')
    const b = await side('127.240.0.11')
    const signal = new AbortController().signal
    const [fromA, fromB] = await Promise.all([
      runPlan(context(a, 11, signal), plan([[{ kind: 'holepunch', path: 'holepunch', address: b.address }]]), 5000),
      // b does not know a's address: it only waits for a's probes from a's host
      runPlan(context(b, 11, signal, [a.host]), plan([[{ kind: 'holepunch', path: 'holepunch', address: null }]]), 5000)
    ])
    expect(fromA.remote).toEqual(b.address)
    expect(fromB.remote).toEqual(a.address)
    expect(fromB.rtt).toBe(0) // proven by a's probe, not by an answer to ours
    expect(fromB.path).toBe('holepunch')
  })

  it('a probe from a host the peer is not known at proves nothing', async () => {
    const b = await side('127.240.0.12')
    const stranger = await side('127.240.0.13')
    const probing = setInterval(() => stranger.port.send(encodeFrame({ type: FRAME_TYPE.PROBE, id: 12, seq: 1, ack: 0 }), b.address), 20)
    try {
      const failed = await failureOf(runPlan(context(b, 12, new AbortController().signal, ['127.240.0.99']), plan([[{ kind: 'holepunch', path: 'holepunch', address: null }]]), 400))
      expect(failed.code).toBe('HOLEPUNCH_FAILED')
    } finally {
      clearInterval(probing)
    }
    expect(b.router.stats.probesAnswered).toBeGreaterThan(0) // answered all the same: that is how paths are proven
  })

  it('rejects with ABORTED when aborted before or during a stage', async () => {
    const a = await side('127.240.0.14')
    const before = new AbortController()
    before.abort(new Error('no'))
    const stage: PunchAttempt[] = [{ kind: 'direct', path: 'direct', address: { host: NOBODY, port: 9 } }]
    expect((await failureOf(runPlan(context(a, 13, before.signal), plan([stage])))).code).toBe('ABORTED')

    const during = new AbortController()
    const running = runPlan(context(a, 14, during.signal), plan([stage, stage]), 30_000)
    setTimeout(() => during.abort(new Error('stop')), 100)
    expect((await failureOf(running)).code).toBe('ABORTED')
    expect(a.router.has(14)).toBe(false) // the attempt stopped listening
  })
})

describe('runPlan: birthday attempt', () => {
  it('the random side\'s extra sockets meet the consistent side\'s probes; the winning socket stays open', async () => {
    const random = await side('127.241.0.1')
    const consistent = await side('127.241.0.2')
    const signal = new AbortController().signal
    const [fromRandom, fromConsistent] = await Promise.all([
      runPlan(context(random, 21, signal), plan([[birthday('open-sockets', consistent.address, { sockets: 4 })]]), 5000),
      runPlan(context(consistent, 21, signal), plan([[birthday('probe-ports', { host: random.host, port: null }, { probes: 40, probeInterval: 5 })]]), 5000)
    ])
    expect(fromRandom.path).toBe('holepunch')
    expect(fromRandom.port.kind).toBe('extra')
    expect(fromRandom.port).not.toBe(random.port)
    opened.push(fromRandom.port as SocketPort)
    expect(fromRandom.remote).toEqual(consistent.address)
    expect(fromConsistent.port).toBe(consistent.port)
    expect(fromConsistent.remote.host).toBe(random.host)
    expect(fromConsistent.remote.port).not.toBe(random.address.port) // one of the extra sockets

    // the path carries frames: the winning socket is still open and reaches the consistent side
    const winner = fromRandom.port as SocketPort
    const seen: Peer[] = []
    const stop = consistent.router.onProbe(22, (_kind, from) => seen.push(from))
    const sending = setInterval(() => winner.send(encodeFrame({ type: FRAME_TYPE.PROBE, id: 22, seq: 0, ack: 0 }), fromRandom.remote), 20)
    try {
      await waitFor(() => seen.length > 0)
    } finally {
      clearInterval(sending)
      stop()
    }
    expect(seen[0]).toEqual(winner.address())
  })

  it('the consistent side gives up once its guesses are spent and the stage timed out', async () => {
    const consistent = await side('127.241.0.3')
    const stranger = await side('127.241.0.7')
    // probes for the attempt's id, but from a host other than the one probed: not the peer
    const probing = setInterval(() => stranger.port.send(encodeFrame({ type: FRAME_TYPE.PROBE, id: 23, seq: 1, ack: 0 }), consistent.address), 20)
    onTestFinished(() => clearInterval(probing))
    const failed = await failureOf(runPlan(context(consistent, 23, new AbortController().signal),
      plan([[birthday('probe-ports', { host: NOBODY, port: 40000 }, { probes: 5, probeInterval: 1 })]]), 300))
    expect(failed.code).toBe('HOLEPUNCH_FAILED')
  })

  it('the consistent side tries the reported port first: the answer from there proves the path', async () => {
    const consistent = await side('127.241.0.8')
    const random = await side('127.241.0.9') // answers probes, as the socket mapped on that port would
    const found = await runPlan(context(consistent, 27, new AbortController().signal),
      plan([[birthday('probe-ports', { host: random.host, port: random.address.port }, { probes: 1750, probeInterval: 10 })]]), 5000)
    expect(found.remote).toEqual(random.address)
    expect(found.port).toBe(consistent.port)
    expect(found.rtt).toBeGreaterThanOrEqual(0)
    expect(random.router.stats.probesAnswered).toBeGreaterThanOrEqual(1)
  })

  it('the random side probes again from every socket while nothing answers', async () => {
    const random = await side('127.241.0.10')
    // the consistent side's socket, behind a NAT that lets probes in but nothing out
    const silent = createSocket('udp4')
    const probesFrom = new Map<number, number>()
    silent.on('message', (_msg, rinfo) => probesFrom.set(rinfo.port, (probesFrom.get(rinfo.port) ?? 0) + 1))
    await new Promise<void>((resolve) => silent.bind(0, '127.241.0.11', resolve))
    onTestFinished(() => { silent.close() })
    const target = { host: '127.241.0.11', port: silent.address().port }
    const failed = await failureOf(runPlan(context(random, 28, new AbortController().signal),
      plan([[birthday('open-sockets', target, { sockets: 3 })]]), 3500))
    expect(failed.code).toBe('HOLEPUNCH_FAILED')
    expect(probesFrom.size).toBe(3) // one mapping per socket
    expect([...probesFrom.values()].every((n) => n >= 2)).toBe(true) // the first probe, then again each second
    expect(probesFrom.has(random.address.port)).toBe(false) // never from the DHT socket
  })

  it('the random side cannot start without the consistent side\'s port', async () => {
    const random = await side('127.241.0.4')
    const started = Date.now()
    const failed = await failureOf(runPlan(context(random, 24, new AbortController().signal),
      plan([[birthday('open-sockets', { host: NOBODY, port: null })]]), 20_000))
    expect(failed.code).toBe('HOLEPUNCH_FAILED')
    expect(Date.now() - started).toBeLessThan(15_000) // not the stage timeout: there was nothing to run
  })

  it('the random side goes on without sockets it cannot bind, and fails at the timeout', async () => {
    const random = await side('127.241.0.5')
    const ctx = { ...context(random, 25, new AbortController().signal), bindHost: '192.0.2.1' } // TEST-NET-1: not ours
    const failed = await failureOf(runPlan(ctx, plan([[birthday('open-sockets', { host: NOBODY, port: 9 })]]), 300))
    expect(failed.code).toBe('HOLEPUNCH_FAILED')
  })

  it('an abort while the random side opens its sockets rejects with ABORTED', async () => {
    const random = await side('127.241.0.6')
    const ac = new AbortController()
    const running = runPlan(context(random, 26, ac.signal), plan([[birthday('open-sockets', { host: NOBODY, port: 9 }, { sockets: 200 })]]), 30_000)
    setTimeout(() => ac.abort(new Error('stop')), 20)
    expect((await failureOf(running)).code).toBe('ABORTED')
  })
})
