import { describe, expect, it } from 'vitest'
import { HolepunchError, type HolepunchErrorCode } from './errors'

const FACTORIES: Array<[HolepunchErrorCode, () => HolepunchError]> = [
  ['PEER_NOT_FOUND', () => HolepunchError.PEER_NOT_FOUND()],
  ['HOLEPUNCH_FAILED', () => HolepunchError.HOLEPUNCH_FAILED()],
  ['BOTH_NATS_RANDOM', () => HolepunchError.BOTH_NATS_RANDOM()],
  ['ABORTED', () => HolepunchError.ABORTED()],
  ['TIMEOUT', () => HolepunchError.TIMEOUT()],
  ['CONNECTION_LOST', () => HolepunchError.CONNECTION_LOST()],
  ['CONNECTION_CLOSED', () => HolepunchError.CONNECTION_CLOSED()],
  ['DESTROYED', () => HolepunchError.DESTROYED()],
  ['INVALID_ARGUMENT', () => HolepunchError.INVALID_ARGUMENT('bad')],
  ['RATE_LIMITED', () => HolepunchError.RATE_LIMITED()],
  ['MESSAGE_TOO_LARGE', () => HolepunchError.MESSAGE_TOO_LARGE(2000, 1178)],
  ['QUEUE_FULL', () => HolepunchError.QUEUE_FULL(10)],
  ['INVALID_FRAME', () => HolepunchError.INVALID_FRAME('short')],
  ['PORT_MAPPING_UNAVAILABLE', () => HolepunchError.PORT_MAPPING_UNAVAILABLE()],
  ['PORT_MAPPING_FAILED', () => HolepunchError.PORT_MAPPING_FAILED()]
]

describe('HolepunchError', () => {
  it.each(FACTORIES)('has a factory for %s', (code, make) => {
    const err = make()
    expect(err).toBeInstanceOf(HolepunchError)
    expect(err).toBeInstanceOf(Error)
    expect(err.code).toBe(code)
    expect(err.name).toBe('HolepunchError')
    expect(err.message.length).toBeGreaterThan(0)
    expect(HolepunchError.isInstance(err)).toBe(true)
  })

  it('keeps a cause and a peer', () => {
    const cause = new Error('inner')
    const peer = { host: '10.0.0.1', port: 4000 }
    const err = new HolepunchError('HOLEPUNCH_FAILED', 'x', { cause, peer })
    expect(err.cause).toBe(cause)
    expect(err.peer).toEqual(peer)
    expect(HolepunchError.ABORTED(cause).cause).toBe(cause)
    expect(HolepunchError.BOTH_NATS_RANDOM(peer).peer).toEqual(peer)
    expect(new HolepunchError('TIMEOUT', 'y').cause).toBeUndefined()
  })

  it('is recognised across copies of the package by its Symbol.for marker', () => {
    const foreign = Object.create(Error.prototype, {
      [Symbol.for('hyperdht-ts.holepunch.error')]: { value: true },
      code: { value: 'TIMEOUT' }
    })
    expect(HolepunchError.isInstance(foreign)).toBe(true)
    expect(HolepunchError.isInstance(new Error('plain'))).toBe(false)
    expect(HolepunchError.isInstance({ code: 'TIMEOUT' })).toBe(false)
    expect(HolepunchError.isInstance(null)).toBe(false)
  })

  it('names the sizes in MESSAGE_TOO_LARGE', () => {
    expect(HolepunchError.MESSAGE_TOO_LARGE(2000, 1178).message).toMatch(/2000.*1178/)
  })
})
