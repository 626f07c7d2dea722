import { expect } from 'vitest'
import { IpEncodingError, type IpEncodingErrorCode } from '../src/errors'

/** Runs `fn` and returns the code of the IpEncodingError it throws (asserting it is one), or undefined. */
export function code (fn: () => unknown): IpEncodingErrorCode | undefined {
  try {
    fn()
  } catch (err) {
    expect(IpEncodingError.isInstance(err)).toBe(true)
    return (err as IpEncodingError).code
  }
  return undefined
}
