import { describe, expect, it } from 'vitest'
import { HolepunchError } from '../errors'
import { decodeFrame, encodeFrame, FRAME_FLAG, FRAME_HEADER_BYTES, FRAME_TYPE, frameConnectionId, isFrame, unwrapSeq } from './frame'

function code (fn: () => unknown): string | undefined {
  try {
    fn()
  } catch (err) {
    return HolepunchError.isInstance(err) ? err.code : 'not a HolepunchError'
  }
  return undefined
}

describe('frame codec', () => {
  it('round-trips every type', () => {
    for (const type of Object.values(FRAME_TYPE)) {
      const payload = type === FRAME_TYPE.DATA || type === FRAME_TYPE.OPEN ? new Uint8Array([1, 2, 3]) : new Uint8Array(0)
      const bytes = encodeFrame({ type, id: 0xdeadbeef, seq: 7, ack: 0xffffffff, sack: 0b101, payload })
      expect(bytes.byteLength).toBe(FRAME_HEADER_BYTES + payload.byteLength)
      const frame = decodeFrame(bytes)
      // (bytes compared as arrays: a frame encodes into a Buffer, so its payload decodes as one)
      expect({ ...frame, payload: [...frame.payload] }).toEqual({ type, flags: 0, id: 0xdeadbeef, seq: 7, ack: 0xffffffff, sack: 0b101, payload: [...payload] })
    }
  })

  it('has a fixed, documented layout', () => {
    const bytes = encodeFrame({ type: FRAME_TYPE.DATA, id: 0x01020304, seq: 0x05060708, ack: 0x090a0b0c, sack: 0x0d0e0f10, payload: new Uint8Array([0xff]) })
    expect([...bytes]).toEqual([
      0x48, 0x43, 0x00, 0x01, 0x01, 0x00,
      0x01, 0x02, 0x03, 0x04,
      0x05, 0x06, 0x07, 0x08,
      0x09, 0x0a, 0x0b, 0x0c,
      0x0d, 0x0e, 0x0f, 0x10,
      0xff
    ])
  })

  it('writes sequence numbers modulo 2^32', () => {
    const frame = decodeFrame(encodeFrame({ type: FRAME_TYPE.DATA, id: 1, seq: 2 ** 32 + 5, ack: 2 ** 33 + 1 }))
    expect(frame.seq).toBe(5)
    expect(frame.ack).toBe(1)
  })

  it('decodes from a view with an offset, and the payload is a view', () => {
    const bytes = encodeFrame({ type: FRAME_TYPE.DATA, id: 9, seq: 1, ack: 0, payload: new Uint8Array([4, 5]) })
    const big = new Uint8Array(bytes.byteLength + 3)
    big.set(bytes, 3)
    const frame = decodeFrame(big.subarray(3))
    expect(frame.id).toBe(9)
    expect([...frame.payload]).toEqual([4, 5])
    expect(frame.payload.buffer).toBe(big.buffer)
  })

  it('tells frames from DHT datagrams', () => {
    const frame = encodeFrame({ type: FRAME_TYPE.PING, id: 42, seq: 1, ack: 0 })
    expect(isFrame(frame)).toBe(true)
    expect(frameConnectionId(frame)).toBe(42)
    // a udp-request datagram: 2-byte header, then protobuf whose first byte is a field tag (>= 0x08)
    const request = new Uint8Array(30)
    request.set([0x48, 0x43, 0x0a, 0x05])
    expect(isFrame(request)).toBe(false)
    expect(frameConnectionId(request)).toBeNull()
    expect(isFrame(new Uint8Array([0x48, 0x43, 0x00]))).toBe(false)
  })

  it('refuses malformed frames with INVALID_FRAME', () => {
    const good = encodeFrame({ type: FRAME_TYPE.ACK, id: 1, seq: 0, ack: 0 })
    const mutate = (i: number, v: number) => { const b = good.slice(); b[i] = v; return b }
    expect(code(() => decodeFrame(good.subarray(0, 21)))).toBe('INVALID_FRAME')
    expect(code(() => decodeFrame(mutate(0, 0)))).toBe('INVALID_FRAME')
    expect(code(() => decodeFrame(mutate(2, 1)))).toBe('INVALID_FRAME')
    expect(code(() => decodeFrame(mutate(3, 2)))).toBe('INVALID_FRAME') // version
    expect(code(() => decodeFrame(mutate(4, 0x10)))).toBe('INVALID_FRAME') // reserved handshake type
    expect(code(() => decodeFrame(mutate(5, FRAME_FLAG.ENCRYPTED)))).toBe('INVALID_FRAME') // unknown flag
    const withPayload = new Uint8Array(good.byteLength + 1)
    withPayload.set(good)
    expect(code(() => decodeFrame(withPayload))).toBe('INVALID_FRAME')
    expect(code(() => decodeFrame('x' as never))).toBe('INVALID_FRAME')
  })

  it('refuses invalid fields on encode', () => {
    expect(code(() => encodeFrame({ type: 0x10 as never, id: 1, seq: 0, ack: 0 }))).toBe('INVALID_ARGUMENT')
    expect(code(() => encodeFrame({ type: FRAME_TYPE.ACK, id: 1, seq: 0, ack: 0, payload: new Uint8Array(1) }))).toBe('INVALID_ARGUMENT')
    expect(code(() => encodeFrame({ type: FRAME_TYPE.ACK, id: -1, seq: 0, ack: 0 }))).toBe('INVALID_ARGUMENT')
    expect(code(() => encodeFrame({ type: FRAME_TYPE.ACK, id: 1, seq: 0.5, ack: 0 }))).toBe('INVALID_ARGUMENT')
    expect(code(() => encodeFrame({ type: FRAME_TYPE.ACK, id: 1, seq: 0, ack: 0, flags: 256 }))).toBe('INVALID_ARGUMENT')
  })

  it('unwraps sequence numbers across 2^32', () => {
    expect(unwrapSeq(5, 10)).toBe(5)
    expect(unwrapSeq(15, 10)).toBe(15)
    expect(unwrapSeq(3, 2 ** 32 - 2)).toBe(2 ** 32 + 3)
    expect(unwrapSeq(2 ** 32 - 2, 2 ** 32 + 3)).toBe(2 ** 32 - 2)
    expect(unwrapSeq(7, 3 * 2 ** 32 + 5)).toBe(3 * 2 ** 32 + 7)
  })
})
