import { describe, expect, it } from 'vitest'
import { HyperDHTError } from './errors.js'

describe('HyperDHTError', () => {
  it('carries a code, details and cause, and is recognised across copies', () => {
    const err = HyperDHTError.seqTooLow(3, 5)
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

  it('maps dht-rpc errors by code and keeps them as cause', () => {
    const cause = Object.assign(new Error('No nodes responded'), { code: 'NO_NODES_RESPONDED' })
    const err = HyperDHTError.fromQuery(cause)
    expect(err.code).toBe('NO_NODES_RESPONDED')
    expect(err.cause).toBe(cause)
    expect(HyperDHTError.fromQuery(Object.assign(new Error('x'), { code: 'NO_CLOSE_NODES_RESPONDED' })).code).toBe('NO_CLOSE_NODES_RESPONDED')
    expect(HyperDHTError.fromQuery(Object.assign(new Error('x'), { code: 'ABORTED' })).code).toBe('ABORTED')
    expect(HyperDHTError.fromQuery(Object.assign(new Error('x'), { code: 'DESTROYED' })).code).toBe('DESTROYED')
    expect(HyperDHTError.fromQuery(new Error('boom')).code).toBe('QUERY_FAILED')
    const own = HyperDHTError.destroyed()
    expect(HyperDHTError.fromQuery(own)).toBe(own)
  })
})
