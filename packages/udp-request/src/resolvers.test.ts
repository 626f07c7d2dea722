import { describe, expect, test } from 'vitest'
import { withResolvers } from './resolvers.js'

describe('withResolvers', () => {
  test('each call gives its own promise, settled by its own resolve or reject', async () => {
    const a = withResolvers<number>()
    const b = withResolvers<number>()
    expect(a.promise).not.toBe(b.promise)
    b.reject(new Error('b failed'))
    a.resolve(1)
    await expect(a.promise).resolves.toBe(1)
    await expect(b.promise).rejects.toThrow('b failed')
  })
})
