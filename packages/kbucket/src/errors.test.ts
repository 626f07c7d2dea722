import { describe, expect, test, vi } from 'vitest'
import { KBucketError, type KBucketErrorCode } from './errors.js'

const factories: Array<[KBucketErrorCode, (message?: string, options?: { cause?: unknown }) => KBucketError]> = [
  ['INVALID_OPTION', KBucketError.INVALID_OPTION],
  ['INVALID_CONTACT', KBucketError.INVALID_CONTACT],
  ['INVALID_ID', KBucketError.INVALID_ID],
  ['INVALID_COUNT', KBucketError.INVALID_COUNT]
]

describe('KBucketError', () => {
  test.each(factories)('%s factory sets code, name, message and cause', (code, factory) => {
    const cause = new Error('root')
    const error = factory('something is off', { cause })
    expect(error).toBeInstanceOf(KBucketError)
    expect(error).toBeInstanceOf(Error)
    expect(error.code).toBe(code)
    expect(error.name).toBe('KBucketError')
    expect(error.message).toBe('something is off')
    expect(error.cause).toBe(cause)
    expect(factory().message.length).toBeGreaterThan(0)
    expect('cause' in factory()).toBe(false)
  })

  test('isInstance recognises errors from another copy of the package', async () => {
    vi.resetModules()
    const other = await import('./errors.js')
    expect(other.KBucketError).not.toBe(KBucketError)
    const foreign = other.KBucketError.INVALID_ID()
    expect(foreign).not.toBeInstanceOf(KBucketError)
    expect(KBucketError.isInstance(foreign)).toBe(true)
    expect(KBucketError.isInstance(KBucketError.INVALID_ID())).toBe(true)
  })

  test('isInstance rejects everything else', () => {
    for (const value of [new Error('x'), Object.assign(new Error('x'), { code: 'INVALID_ID' }), null, undefined, 'INVALID_ID', {}]) {
      expect(KBucketError.isInstance(value)).toBe(false)
    }
  })
})
