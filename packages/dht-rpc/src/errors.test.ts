import { describe, expect, it } from 'vitest'
import { DHTError } from './errors.js'

describe('DHTError', () => {
  it('has codes, causes and a cross-copy marker', () => {
    const cause = new Error('x')
    const e = DHTError.REQUEST_TIMEOUT(cause)
    expect(e).toBeInstanceOf(Error)
    expect(e.code).toBe('REQUEST_TIMEOUT')
    expect(e.cause).toBe(cause)
    expect(DHTError.isInstance(e)).toBe(true)
    expect(DHTError.isInstance(new Error('x'))).toBe(false)
    expect(DHTError.isInstance({ [Symbol.for('hyperdht-ts.dht-rpc.error')]: true })).toBe(true)
    expect(DHTError.NO_NODES_RESPONDED().message).toBe('No nodes responded')
    expect(DHTError.NO_CLOSE_NODES_RESPONDED().message).toBe('No close nodes responded')
    expect(DHTError.QUEUE_FULL(3).code).toBe('QUEUE_FULL')
    const failed = DHTError.BOOTSTRAP_FAILED(DHTError.NO_NODES_RESPONDED())
    expect(failed.code).toBe('BOOTSTRAP_FAILED')
    expect((failed.cause as DHTError).code).toBe('NO_NODES_RESPONDED')
  })
})
