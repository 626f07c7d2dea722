import { describe, expect, it } from 'vitest'
import type { DatagramPort } from '../io/port'
import type { Peer } from '../types'
import type { Connection } from './connection'
import { decodeFrame, encodeFrame, FRAME_TYPE, type Frame } from './frame'
import { FrameRouter } from './router'

/** A port that records what is sent through it. */
function recordingPort (): DatagramPort & { sent: Array<{ frame: Frame, to: Peer }> } {
  const sent: Array<{ frame: Frame, to: Peer }> = []
  return { kind: 'dht', sent, send: (bytes, to) => { sent.push({ frame: decodeFrame(bytes), to }) }, close: () => {} }
}

/** Just enough of a Connection for the router: an id, and the frames handed to it. */
function fakeConnection (id: number): Connection & { received: Uint8Array[] } {
  const received: Uint8Array[] = []
  return { id, received, receive: (bytes: Uint8Array) => { received.push(bytes); return true } } as unknown as Connection & { received: Uint8Array[] }
}

const from: Peer = { host: '127.0.0.2', port: 4000 }
const KEY = new Uint8Array(32).fill(7)

describe('FrameRouter', () => {
  it('counts what is not a frame as invalid, and frames of no connection as unknown', () => {
    const router = new FrameRouter(() => null)
    const port = recordingPort()
    router.receive(new Uint8Array([1, 2, 3]), from, port)
    router.receive(encodeFrame({ type: FRAME_TYPE.DATA, id: 5, seq: 0, ack: 0, payload: new Uint8Array([1]) }), from, port)
    expect(router.stats.frames).toBe(2)
    expect(router.stats.dropped).toEqual({ invalid: 1, unknownConnection: 1, rateLimited: 0 })
    expect(port.sent).toEqual([])
  })

  it('hands the frames of a connection to it, until it is removed', () => {
    const router = new FrameRouter(() => null)
    const port = recordingPort()
    const conn = fakeConnection(9)
    router.add(conn)
    expect(router.has(9)).toBe(true)
    expect(router.size).toBe(1)
    router.receive(encodeFrame({ type: FRAME_TYPE.PING, id: 9, seq: 0, ack: 0 }), from, port)
    expect(conn.received).toHaveLength(1)
    router.remove(fakeConnection(9)) // another object with that id: not ours to remove
    expect(router.size).toBe(1)
    router.remove(conn)
    expect(router.has(9)).toBe(false)
    router.receive(encodeFrame({ type: FRAME_TYPE.PING, id: 9, seq: 0, ack: 0 }), from, port)
    expect(conn.received).toHaveLength(1)
    expect(router.stats.dropped.unknownConnection).toBe(1)
  })

  it('still hands an ended connection its frames while it lingers, and forgets it after', async () => {
    const router = new FrameRouter(() => null)
    const port = recordingPort()
    const conn = fakeConnection(11)
    router.add(conn)
    router.remove(conn, 30)
    expect(router.size).toBe(0) // not open any more
    expect(router.has(11)).toBe(true) // but its id is not free yet
    router.receive(encodeFrame({ type: FRAME_TYPE.CLOSE, id: 11, seq: 0, ack: 0 }), from, port)
    expect(conn.received).toHaveLength(1)
    await new Promise((resolve) => setTimeout(resolve, 60))
    expect(router.has(11)).toBe(false)
    router.receive(encodeFrame({ type: FRAME_TYPE.CLOSE, id: 11, seq: 0, ack: 0 }), from, port)
    expect(conn.received).toHaveLength(1)
    const again = fakeConnection(12)
    router.add(again)
    router.remove(again, 10_000)
    router.clear() // the owner closes: no timer left behind
    expect(router.has(12)).toBe(false)
  })

  it('answers OPEN with OPEN_ACK when the acceptor takes it, REFUSE otherwise, and again OPEN_ACK for a lost answer', () => {
    const accepted: Array<{ id: number, key: Uint8Array }> = []
    const router = new FrameRouter((id, key) => {
      if (key[0] !== 7) return null
      accepted.push({ id, key })
      return fakeConnection(id)
    })
    const port = recordingPort()
    router.receive(encodeFrame({ type: FRAME_TYPE.OPEN, id: 1, seq: 0, ack: 0, payload: KEY }), from, port)
    router.receive(encodeFrame({ type: FRAME_TYPE.OPEN, id: 1, seq: 0, ack: 0, payload: KEY }), from, port) // our OPEN_ACK was lost
    router.receive(encodeFrame({ type: FRAME_TYPE.OPEN, id: 2, seq: 0, ack: 0, payload: new Uint8Array(32) }), from, port) // not listening
    router.receive(encodeFrame({ type: FRAME_TYPE.OPEN, id: 3, seq: 0, ack: 0, payload: new Uint8Array(5).fill(7) }), from, port) // not a key
    expect(accepted.map((a) => a.id)).toEqual([1]) // accepted once; the acceptor never sees a short key
    expect(port.sent.map((s) => [s.frame.type, s.frame.id])).toEqual([
      [FRAME_TYPE.OPEN_ACK, 1], [FRAME_TYPE.OPEN_ACK, 1], [FRAME_TYPE.REFUSE, 2], [FRAME_TYPE.REFUSE, 3]
    ])
    expect(port.sent.every((s) => s.to === from)).toBe(true)
    expect(router.size).toBe(1)
  })

  it('tells the waiting OPEN its answer, until it stops waiting', () => {
    const router = new FrameRouter(() => null)
    const port = recordingPort()
    const answers: boolean[] = []
    const stop = router.onOpen(4, (ok) => answers.push(ok))
    expect(router.has(4)).toBe(true)
    router.receive(encodeFrame({ type: FRAME_TYPE.OPEN_ACK, id: 4, seq: 0, ack: 0 }), from, port)
    router.receive(encodeFrame({ type: FRAME_TYPE.REFUSE, id: 4, seq: 0, ack: 0 }), from, port)
    stop()
    router.receive(encodeFrame({ type: FRAME_TYPE.OPEN_ACK, id: 4, seq: 0, ack: 0 }), from, port)
    expect(answers).toEqual([true, false])
    expect(router.has(4)).toBe(false)
  })

  it('answers probes at a bounded rate per host, and tells the listeners of that id', () => {
    const router = new FrameRouter(() => null)
    const port = recordingPort()
    const heard: Array<[string, number]> = []
    const stop = router.onProbe(6, (kind, _from, _port, nonce) => heard.push([kind, nonce]))
    router.receive(encodeFrame({ type: FRAME_TYPE.PROBE, id: 6, seq: 11, ack: 0 }), from, port)
    router.receive(encodeFrame({ type: FRAME_TYPE.PROBE_ACK, id: 6, seq: 12, ack: 0 }), from, port)
    expect(heard).toEqual([['probe', 11], ['ack', 12]])
    expect(port.sent[0]!.frame).toMatchObject({ type: FRAME_TYPE.PROBE_ACK, id: 6, seq: 11 })
    stop()
    expect(router.has(6)).toBe(false)

    // a flood from one host: answered up to the burst, the rest dropped (and not even listened to)
    for (let i = 0; i < 1000; i++) router.receive(encodeFrame({ type: FRAME_TYPE.PROBE, id: 8, seq: i, ack: 0 }), from, port)
    expect(router.stats.dropped.rateLimited).toBeGreaterThan(0)
    expect(router.stats.probesAnswered + router.stats.dropped.rateLimited).toBe(1001)
    expect(router.stats.probesAnswered).toBeLessThan(1000)
    // another host has its own budget
    const other = { host: '127.0.0.3', port: 4000 }
    router.receive(encodeFrame({ type: FRAME_TYPE.PROBE, id: 8, seq: 0, ack: 0 }), other, port)
    expect(port.sent.at(-1)!.to).toBe(other)
  })
})
