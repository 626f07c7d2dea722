import { describe, expect, it } from 'vitest'
import { IpEncodingError, type IpEncodingErrorCode } from './errors'

const CODES: IpEncodingErrorCode[] = ['INVALID_LENGTH', 'INVALID_HOST', 'INVALID_PORT', 'INVALID_ID', 'INVALID_ARGUMENT']

describe('IpEncodingError', () => {
  it.each(CODES)('has a factory for %s', (code) => {
    const err = IpEncodingError[code]('details')
    expect(err).toBeInstanceOf(IpEncodingError)
    expect(err).toBeInstanceOf(Error)
    expect(err.code).toBe(code)
    expect(err.name).toBe('IpEncodingError')
    expect(err.message).toBe('details')
    expect(err.cause).toBeUndefined()
    expect(IpEncodingError.isInstance(err)).toBe(true)
    // the stack starts at the caller, not inside the factory
    expect(err.stack?.split('\n')[1]).not.toMatch(/errors\.ts/)
  })

  it('keeps a cause', () => {
    const cause = new Error('inner')
    expect(IpEncodingError.INVALID_HOST('x', cause).cause).toBe(cause)
    expect(new IpEncodingError('INVALID_ID', 'y', { cause }).cause).toBe(cause)
  })

  it('is recognised across copies of the package by its Symbol.for marker', () => {
    const foreign = Object.create(Error.prototype, {
      [Symbol.for('hyperdht-ts.ip-encoding.error')]: { value: true },
      code: { value: 'INVALID_PORT' }
    })
    expect(IpEncodingError.isInstance(foreign)).toBe(true)
    expect(IpEncodingError.isInstance(new Error('plain'))).toBe(false)
    expect(IpEncodingError.isInstance({ code: 'INVALID_PORT' })).toBe(false)
    expect(IpEncodingError.isInstance(null)).toBe(false)
    expect(IpEncodingError.isInstance('INVALID_PORT')).toBe(false)
  })
})
