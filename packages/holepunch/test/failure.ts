// How a test waits for an operation to fail: the rejection, asserted to be a HolepunchError.
import { expect } from 'vitest'
import { HolepunchError } from '../src/errors'

/** The `HolepunchError` that `p` rejects with (the assertion fails if it resolves or rejects with anything else). */
export async function failureOf (p: Promise<unknown>): Promise<HolepunchError> {
  const err = await p.then(() => null, (e: unknown) => e)
  expect(HolepunchError.isInstance(err)).toBe(true)
  return err as HolepunchError
}
