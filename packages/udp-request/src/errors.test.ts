import { expect, test } from 'vitest'
import { UDPRequestError } from './errors.js'

test('errors carry a code, a cause and a cross-install marker', () => {
  const cause = new Error('boom')
  const err = UDPRequestError.LISTEN_FAILED(cause, 1234, '10.0.0.1')
  expect(err).toBeInstanceOf(Error)
  expect(err.name).toBe('UDPRequestError')
  expect(err.code).toBe('LISTEN_FAILED')
  expect(err.cause).toBe(cause)
  expect(err.message).toContain('10.0.0.1:1234')
  expect(UDPRequestError.isInstance(err)).toBe(true)
  expect((err as unknown as Record<symbol, unknown>)[Symbol.for('hyperdht-ts.udp-request.error')]).toBe(true)
})

test('isInstance recognises a copy from another install and rejects look-alikes', () => {
  const foreign = Object.assign(new Error('x'), { code: 'DESTROYED', [Symbol.for('hyperdht-ts.udp-request.error')]: true })
  expect(UDPRequestError.isInstance(foreign)).toBe(true)
  expect(UDPRequestError.isInstance(Object.assign(new Error('x'), { code: 'DESTROYED' }))).toBe(false)
  expect(UDPRequestError.isInstance(null)).toBe(false)
  expect(UDPRequestError.isInstance('DESTROYED')).toBe(false)
})

test('every factory produces its own code', () => {
  expect(UDPRequestError.REQUEST_TIMEOUT({ host: 'h', port: 1 }).code).toBe('REQUEST_TIMEOUT')
  expect(UDPRequestError.REQUEST_CANCELLED('why').cause).toBe('why')
  expect(UDPRequestError.DESTROYED().code).toBe('DESTROYED')
  expect(UDPRequestError.ADDRESS_IN_USE(null, 1).code).toBe('ADDRESS_IN_USE')
  expect(UDPRequestError.INVALID_ARGUMENT('bad').code).toBe('INVALID_ARGUMENT')
  expect(UDPRequestError.WRONG_HOST({ host: 'a', port: 1 }, { host: 'b', port: 2 }).peer).toEqual({ host: 'a', port: 1 })
})
