import { describe, expect, it } from 'vitest'
import { Link, type LinkOptions } from '../../test/lossy-pipe'
import { VirtualTime } from '../../test/virtual-time'
import { HolepunchError } from '../errors'
import { seededRandom } from '../random'
import { decodeFrame, encodeFrame, FRAME_TYPE } from './frame'
import { ReliableChannel, type ChannelClose, type ReliableChannelOptions } from './reliable-channel'

type Options = Partial<ReliableChannelOptions>

function pair (link: LinkOptions = {}, options: Options = {}, seed = 1) {
  const time = new VirtualTime(1_000_000)
  const random = seededRandom(seed)
  const ab = new Link(time, random, link)
  const ba = new Link(time, random, link)
  const common = { id: 7, now: time.now, schedule: time.schedule, ...options }
  const a = new ReliableChannel({ ...common, send: ab.send, remoteAddress: { host: '10.0.0.2', port: 2 } })
  const b = new ReliableChannel({ ...common, send: ba.send, remoteAddress: { host: '10.0.0.1', port: 1 } })
  ab.connect((bytes) => b.receive(bytes))
  ba.connect((bytes) => a.receive(bytes))
  const received = { a: [] as string[], b: [] as string[] }
  a.on('message', (m) => received.a.push(text(m)))
  b.on('message', (m) => received.b.push(text(m)))
  const closes = { a: [] as ChannelClose[], b: [] as ChannelClose[] }
  a.on('close', (c) => closes.a.push(c))
  b.on('close', (c) => closes.b.push(c))
  return { time, a, b, ab, ba, received, closes }
}

const enc = new TextEncoder()
const dec = new TextDecoder()
const bytes = (s: string) => enc.encode(s)
const text = (b: Uint8Array) => dec.decode(b)

/** Tracks a promise's outcome without awaiting (virtual time runs synchronously). */
function track<T> (promise: Promise<T>) {
  const state: { settled: boolean, value?: T, error?: unknown } = { settled: false }
  promise.then((value) => { state.settled = true; state.value = value }, (error) => { state.settled = true; state.error = error })
  return state
}

/** Lets promise callbacks run. */
const flush = async () => { for (let i = 0; i < 5; i++) await Promise.resolve() }

function codeOf (err: unknown): string | undefined {
  return HolepunchError.isInstance(err) ? err.code : undefined
}

describe('ReliableChannel', () => {
  it('delivers messages in order and resolves send on acknowledgement', async () => {
    const { time, a, b, received } = pair({ latency: 20 })
    const sends = ['one', 'two', 'three'].map((m) => track(a.send(bytes(m))))
    time.advance(30)
    expect(received.b).toEqual(['one', 'two', 'three'])
    await flush()
    expect(sends.every((s) => s.settled && s.error === undefined)).toBe(false) // acks still on the way
    time.advance(20)
    await flush()
    expect(sends.every((s) => s.settled && s.error === undefined)).toBe(true)
    expect(a.rtt).toBe(40)
    expect(a.inflight).toBe(0)
    expect(b.stats.messagesReceived).toBe(3)
    a.destroy()
    b.destroy()
  })

  it('uses the initial RTT from the punch until it measures one', () => {
    const { a } = pair({}, { initialRtt: 80 })
    expect(a.rtt).toBe(80)
    a.destroy()
  })

  it.each([1, 2, 3, 4, 5])('delivers exactly once and in order through loss, duplication and reordering (seed %i)', async (seed) => {
    const { time, a, b, received, ab } = pair({ loss: 0.2, duplicate: 0.1, latency: 20, jitter: 60 }, {}, seed)
    const count = 300
    const expectedA: string[] = []
    const expectedB: string[] = []
    const sends: Array<ReturnType<typeof track>> = []
    for (let i = 0; i < count; i++) {
      expectedB.push(`a${i}`)
      expectedA.push(`b${i}`)
      sends.push(track(a.send(bytes(`a${i}`))), track(b.send(bytes(`b${i}`))))
    }
    time.runUntilTrue(() => received.a.length === count && received.b.length === count && a.inflight === 0 && b.inflight === 0 && a.queued === 0 && b.queued === 0)
    await flush()
    expect(received.b).toEqual(expectedB)
    expect(received.a).toEqual(expectedA)
    expect(sends.every((s) => s.settled && s.error === undefined)).toBe(true)
    // the impairments really happened and were repaired
    expect(ab.dropped).toBeGreaterThan(0)
    expect(a.stats.retransmits + b.stats.retransmits).toBeGreaterThan(0)
    expect(a.stats.duplicates + b.stats.duplicates).toBeGreaterThan(0)
    expect(a.closed || b.closed).toBe(false)
    a.destroy()
    b.destroy()
  })

  it('never has more than window messages in flight and queues the rest', async () => {
    const { time, a, b, received } = pair({ latency: 50 }, { window: 4 })
    let maxInflight = 0
    const origSend = a.send.bind(a)
    const sends = Array.from({ length: 20 }, (_, i) => track(origSend(bytes(`m${i}`))))
    expect(a.inflight).toBe(4)
    expect(a.queued).toBe(16)
    while (received.b.length < 20) {
      time.advance(5)
      maxInflight = Math.max(maxInflight, a.inflight)
    }
    expect(maxInflight).toBeLessThanOrEqual(4)
    time.advance(100)
    await flush()
    expect(sends.every((s) => s.settled && s.error === undefined)).toBe(true)
    a.destroy()
    b.destroy()
  })

  it('rejects a message over maxMessageSize with MESSAGE_TOO_LARGE', async () => {
    const { a, b } = pair()
    await expect(a.send(new Uint8Array(1179))).rejects.toMatchObject({ code: 'MESSAGE_TOO_LARGE' })
    const fits = track(a.send(new Uint8Array(1178)))
    await flush()
    expect(fits.error).toBeUndefined()
    const small = new ReliableChannel({ id: 1, send: () => {}, maxMessageSize: 10, schedule: () => () => {} })
    await expect(small.send(new Uint8Array(11))).rejects.toMatchObject({ code: 'MESSAGE_TOO_LARGE' })
    expect(small.maxMessageSize).toBe(10)
    small.destroy()
    a.destroy()
    b.destroy()
  })

  it('rejects with QUEUE_FULL beyond the window and the queue', async () => {
    const { a, b } = pair({ latency: 50 }, { window: 2, maxQueue: 3 })
    const ok = Array.from({ length: 5 }, () => track(a.send(bytes('x'))))
    await expect(a.send(bytes('y'))).rejects.toMatchObject({ code: 'QUEUE_FULL' })
    a.destroy()
    b.destroy()
    await flush()
    expect(ok.every((s) => codeOf(s.error) === 'DESTROYED')).toBe(true)
  })

  it('copies the message: the caller may reuse its buffer', () => {
    const { time, a, b, received } = pair()
    const buffer = bytes('first')
    void a.send(buffer)
    buffer.set(bytes('XXXXX'))
    time.advance(50)
    expect(received.b).toEqual(['first'])
    a.destroy()
    b.destroy()
  })

  it('sends keepalives often enough to hold a NAT mapping, and stays up while idle', () => {
    const { time, a, b, ab, ba, closes } = pair({ latency: 20 })
    time.advance(120_000)
    expect(closes.a).toEqual([])
    expect(closes.b).toEqual([])
    // both directions see traffic at least every keepalive interval
    for (const link of [ab, ba]) {
      const times = [1_000_000, ...link.sent.map((s) => s.at)]
      const gaps = times.slice(1).map((t, i) => t - times[i]!)
      expect(Math.max(...gaps)).toBeLessThanOrEqual(5_000)
      expect(link.sent.length).toBeGreaterThan(20)
    }
    a.destroy()
    b.destroy()
  })

  it('detects a lost peer within the idle timeout and rejects pending sends with CONNECTION_LOST', async () => {
    const { time, a, b, ab, ba, closes } = pair({ latency: 20 })
    time.advance(7_000)
    ab.cut = true
    ba.cut = true
    const cutAt = time.now()
    const pending = track(a.send(bytes('into the void')))
    const iterator = a.messages()
    const next = track(iterator.next())
    time.runUntilTrue(() => a.closed && b.closed)
    // within idleTimeout (15 s) of the last proof, which was at most one keepalive before the cut
    expect(time.now() - cutAt).toBeLessThanOrEqual(15_000)
    expect(closes.a).toHaveLength(1)
    expect(closes.a[0]!.reason).toBe('lost')
    expect(codeOf(closes.a[0]!.error)).toBe('CONNECTION_LOST')
    expect(closes.b[0]!.reason).toBe('lost')
    await flush()
    expect(codeOf(pending.error)).toBe('CONNECTION_LOST')
    expect(codeOf(next.error)).toBe('CONNECTION_LOST')
    expect(time.pending).toBe(0)
  })

  it('detects a one-way path: hearing the peer is not enough', () => {
    const { time, a, b, ab, closes } = pair({ latency: 20 })
    time.advance(1_000)
    ab.cut = true // a can hear b, b never hears a
    const cutAt = time.now()
    time.runUntilTrue(() => a.closed)
    expect(time.now() - cutAt).toBeLessThanOrEqual(15_000)
    expect(closes.a[0]!.reason).toBe('lost')
    b.destroy()
  })

  it('declares a message that never gets through lost (an MTU black hole) even while pings pass', () => {
    const { time, a, b, ab, closes } = pair({ latency: 20 })
    ab.filter = (bytes) => bytes.byteLength > 500
    void a.send(new Uint8Array(1000)).catch(() => {})
    const sentAt = time.now()
    time.runUntilTrue(() => a.closed)
    expect(time.now() - sentAt).toBe(15_000)
    expect(codeOf(closes.a[0]!.error)).toBe('CONNECTION_LOST')
    b.destroy()
  })

  it('emits error only when someone listens, then close', () => {
    const { time, a, b, ab, ba } = pair()
    const order: string[] = []
    a.on('error', (err) => order.push(`error:${codeOf(err)}`))
    a.on('close', (c) => order.push(`close:${c.reason}`))
    ab.cut = true
    ba.cut = true
    time.runUntilTrue(() => a.closed && b.closed) // b has no error listener: no throw
    expect(order).toEqual(['error:CONNECTION_LOST', 'close:lost'])
  })

  it('closes gracefully: the peer sees close with reason remote after every message', async () => {
    const { time, a, b, received, closes } = pair({ latency: 20, loss: 0.2, jitter: 30 }, {}, 9)
    for (let i = 0; i < 50; i++) void a.send(bytes(`m${i}`))
    const closed = track(a.close())
    expect(a.state).toBe('closing')
    await expect(a.send(bytes('late'))).rejects.toMatchObject({ code: 'CONNECTION_CLOSED' })
    time.runUntilTrue(() => a.closed && b.closed)
    await flush()
    expect(received.b).toEqual(Array.from({ length: 50 }, (_, i) => `m${i}`))
    expect(closes.b).toEqual([{ reason: 'remote' }])
    expect(closes.a).toEqual([{ reason: 'local' }])
    expect(closed.settled && closed.error === undefined).toBe(true)
    expect(time.pending).toBe(0)
  })

  it('ends the peer\'s iterator on close', async () => {
    const { time, a, b } = pair()
    const got: string[] = []
    const consumer = (async () => { for await (const m of b) got.push(text(m)) })()
    void a.send(bytes('hello'))
    time.advance(50)
    void a.close()
    time.runUntilTrue(() => b.closed)
    await consumer
    expect(got).toEqual(['hello'])
    a.destroy()
  })

  it('answers a retransmitted close after closing, and finishes after closeTimeout if no ack comes back', async () => {
    const { time, a, b, ba, closes } = pair({ latency: 20 })
    ba.filter = (bytes) => decodeFrame(bytes).type === FRAME_TYPE.CLOSE_ACK // every close ack is lost
    const closed = track(a.close())
    time.runUntilTrue(() => b.closed)
    expect(closes.b).toEqual([{ reason: 'remote' }])
    const acksBefore = ba.sent.filter((s) => decodeFrame(s.bytes).type === FRAME_TYPE.CLOSE_ACK).length
    time.runUntilTrue(() => a.closed)
    const acksAfter = ba.sent.filter((s) => decodeFrame(s.bytes).type === FRAME_TYPE.CLOSE_ACK).length
    expect(acksAfter).toBeGreaterThan(acksBefore) // b kept answering the retransmitted closes
    expect(closes.a).toEqual([{ reason: 'local' }])
    await flush()
    expect(closed.settled).toBe(true)
  })

  it('handles a simultaneous close', () => {
    const { time, a, b, closes } = pair({ latency: 20 })
    void a.close()
    void b.close()
    time.runUntilTrue(() => a.closed && b.closed)
    expect(closes.a).toEqual([{ reason: 'local' }])
    expect(closes.b).toEqual([{ reason: 'local' }])
  })

  it('rejects the sends the peer never acknowledged when the peer closes', async () => {
    const { time, a, b, ab } = pair({ latency: 20 })
    ab.cut = true
    const pending = track(a.send(bytes('lost')))
    void b.close()
    time.runUntilTrue(() => a.closed)
    await flush()
    expect(codeOf(pending.error)).toBe('CONNECTION_CLOSED')
  })

  it('destroy() is immediate, idempotent and leaves no timer', async () => {
    const { time, a, b, closes } = pair({ latency: 20 })
    const pending = track(a.send(bytes('x')))
    a.destroy()
    a.destroy()
    expect(closes.a).toEqual([{ reason: 'destroyed' }])
    await flush()
    expect(codeOf(pending.error)).toBe('DESTROYED')
    await expect(a.send(bytes('y'))).rejects.toMatchObject({ code: 'CONNECTION_CLOSED' })
    b.destroy()
    time.advance(100) // the datagram already on the link arrives at a destroyed channel
    expect(time.pending).toBe(0)
    const err = new Error('boom')
    const { a: c } = pair()
    const it = c.messages()
    c.destroy(err)
    await expect(it.next()).rejects.toBe(err)
  })

  it('close() on a closed channel resolves at once', async () => {
    const { a } = pair()
    a.destroy()
    await expect(a.close()).resolves.toBeUndefined()
  })

  it('honours AbortSignal on send (queued: never sent) and on messages()', async () => {
    const { time, a, b, received } = pair({ latency: 20 }, { window: 1 })
    const first = track(a.send(bytes('first')))
    const controller = new AbortController()
    const second = a.send(bytes('second'), { signal: controller.signal })
    controller.abort()
    await expect(second).rejects.toMatchObject({ code: 'ABORTED' })
    await expect(a.send(bytes('x'), { signal: AbortSignal.abort() })).rejects.toMatchObject({ code: 'ABORTED' })
    time.advance(200)
    await flush()
    expect(received.b).toEqual(['first'])
    expect(first.error).toBeUndefined()

    const iterController = new AbortController()
    const iterator = b.messages({ signal: iterController.signal })
    const pending = iterator.next()
    iterController.abort()
    await expect(pending).rejects.toMatchObject({ code: 'ABORTED' })
    a.destroy()
    b.destroy()
  })

  it('close({ signal }) aborted destroys the channel', async () => {
    const { a, b, ab } = pair()
    ab.cut = true
    void a.send(bytes('stuck')).catch(() => {})
    const controller = new AbortController()
    const closing = a.close({ signal: controller.signal })
    controller.abort()
    await expect(closing).rejects.toMatchObject({ code: 'ABORTED' })
    expect(a.closed).toBe(true)
    b.destroy()
  })

  it('a break out of for-await stops the iterator without closing the channel', async () => {
    const { time, a, b } = pair()
    void a.send(bytes('1'))
    void a.send(bytes('2'))
    const got: string[] = []
    const consumer = (async () => {
      for await (const m of b) {
        got.push(text(m))
        break
      }
    })()
    time.advance(50)
    await consumer
    expect(got).toEqual(['1'])
    expect(b.closed).toBe(false)
    a.destroy()
    b.destroy()
  })

  it('drops junk and frames of other connections without throwing', () => {
    const { a, b } = pair()
    expect(a.receive(new Uint8Array([1, 2, 3]))).toBe(false)
    expect(a.receive(encodeFrame({ type: FRAME_TYPE.PING, id: 8, seq: 1, ack: 0 }))).toBe(false)
    expect(a.receive(encodeFrame({ type: FRAME_TYPE.PING, id: 7, seq: 1, ack: 0 }))).toBe(true)
    expect(a.stats.dropped).toBe(2)
    // an ack for something never sent is ignored
    expect(a.receive(encodeFrame({ type: FRAME_TYPE.ACK, id: 7, seq: 0, ack: 1000 }))).toBe(true)
    expect(a.closed).toBe(false)
    a.destroy()
    b.destroy()
  })

  it('drops DATA beyond the receive window', () => {
    const sent: Uint8Array[] = []
    const c = new ReliableChannel({ id: 1, send: (f) => sent.push(f), window: 4, schedule: () => () => {} })
    const got: Uint8Array[] = []
    c.on('message', (m) => got.push(m))
    c.receive(encodeFrame({ type: FRAME_TYPE.DATA, id: 1, seq: 4, ack: 0, payload: bytes('far') }))
    expect(c.stats.dropped).toBe(1)
    c.receive(encodeFrame({ type: FRAME_TYPE.DATA, id: 1, seq: 3, ack: 0, payload: bytes('d') }))
    c.receive(encodeFrame({ type: FRAME_TYPE.DATA, id: 1, seq: 1, ack: 0, payload: bytes('b') }))
    expect(got).toEqual([])
    // the ack names what is missing and what is held
    const last = decodeFrame(sent.at(-1)!)
    expect(last.ack).toBe(0)
    expect(last.sack).toBe(0b101)
    c.receive(encodeFrame({ type: FRAME_TYPE.DATA, id: 1, seq: 0, ack: 0, payload: bytes('a') }))
    c.receive(encodeFrame({ type: FRAME_TYPE.DATA, id: 1, seq: 2, ack: 0, payload: bytes('c') }))
    expect(got.map(text)).toEqual(['a', 'b', 'c', 'd'])
    expect(decodeFrame(sent.at(-1)!).ack).toBe(4)
    c.destroy()
  })

  it('retransmits with exponential backoff', () => {
    const time = new VirtualTime()
    const sent: Array<{ at: number, type: number }> = []
    const c = new ReliableChannel({ id: 1, now: time.now, schedule: time.schedule, send: (f) => sent.push({ at: time.now(), type: decodeFrame(f).type }), keepaliveInterval: 60_000, idleTimeout: 60_000, minRto: 100, initialRto: 100, maxRto: 1000 })
    void c.send(bytes('x')).catch(() => {})
    time.advance(4000)
    const data = sent.filter((s) => s.type === FRAME_TYPE.DATA).map((s) => s.at)
    expect(data.slice(0, 6)).toEqual([0, 100, 300, 700, 1500, 2500])
    c.destroy()
  })

  it('rejects bad options', () => {
    expect(() => new ReliableChannel({ id: -1, send: () => {} })).toThrow(/id/)
    expect(() => new ReliableChannel({ id: 2 ** 32, send: () => {} })).toThrow(/id/)
    expect(() => new ReliableChannel({ id: 1, send: 'x' as never })).toThrow(/send/)
    expect(() => new ReliableChannel({ id: 1, send: () => {}, window: 0 })).toThrow(/window/)
    expect(() => new ReliableChannel({ id: 1, send: () => {}, maxMessageSize: 70_000 })).toThrow(/maxMessageSize/)
    expect(() => new ReliableChannel({ id: 1, send: () => {}, idleTimeout: Number.NaN })).toThrow(/idleTimeout/)
  })
})
