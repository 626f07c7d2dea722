import { DHTError } from '@hyperdht-ts/dht-rpc'
import { HolepunchError } from '@hyperdht-ts/holepunch'
import { describe, expect, it } from 'vitest'
import { HyperDHTError } from './errors.js'

describe('HyperDHTError', () => {
  it('carries a code, details and cause, and is recognised across copies', () => {
    const err = HyperDHTError.SEQ_TOO_LOW(3, 5)
    expect(err).toBeInstanceOf(Error)
    expect(err.name).toBe('HyperDHTError')
    expect(err.code).toBe('SEQ_TOO_LOW')
    expect(err.details).toEqual({ seq: 3, current: 5 })
    expect(HyperDHTError.isInstance(err)).toBe(true)
    // an error from another copy of the package only shares the registered symbol
    const foreign = Object.assign(new Error('x'), { [Symbol.for('hyperdht-ts.hyperdht.error')]: true, code: 'DESTROYED' })
    expect(HyperDHTError.isInstance(foreign)).toBe(true)
    expect(HyperDHTError.isInstance(new Error('x'))).toBe(false)
    expect(HyperDHTError.isInstance(null)).toBe(false)
  })

  it('keeps the code, message and peer of a dht-rpc error, with the original as cause', () => {
    const peer = { host: '10.1.2.3', port: 9 }
    for (const cause of [DHTError.NO_NODES_RESPONDED(), DHTError.REQUEST_TIMEOUT(undefined, peer), DHTError.QUEUE_FULL(5, peer),
      DHTError.NO_CLOSE_NODES_RESPONDED(), DHTError.ABORTED(), DHTError.DESTROYED(), DHTError.QUERY_FAILED(new Error('map'))]) {
      const err = HyperDHTError.from(cause)
      expect(err.code).toBe(cause.code)
      expect(err.message).toBe(cause.message)
      expect(err.peer).toEqual(cause.peer)
      expect(err.cause).toBe(cause)
    }
    expect(HyperDHTError.from(new DOMException('x', 'AbortError')).code).toBe('ABORTED')
    expect(HyperDHTError.from(new Error('boom')).code).toBe('QUERY_FAILED')
    const own = HyperDHTError.DESTROYED()
    expect(HyperDHTError.from(own)).toBe(own)
  })

  it('keeps a holepunch error\'s code, peer and retryAfter', () => {
    const peer = { host: '10.1.2.3', port: 9 }
    const cause = HolepunchError.RATE_LIMITED('busy', peer, 10_000)
    const err = HyperDHTError.from(cause)
    expect(err.code).toBe('RATE_LIMITED')
    expect(err.peer).toEqual(peer)
    expect(err.retryAfter).toBe(10_000)
    expect(err.cause).toBe(cause)
    expect(HyperDHTError.from(HolepunchError.HOLEPUNCH_FAILED('no', { peer })).retryAfter).toBeUndefined()
  })
})
