import { describe, expect, it } from 'vitest'
import { ipLookup } from './ip-lookup.js'

describe('ipLookup', () => {
  it('answers an IP literal at once, in the same tick', () => {
    const seen: Array<[string, number]> = []
    ipLookup('127.1.0.1', 4, (err, address, family) => { expect(err).toBeNull(); seen.push([address, family]) })
    ipLookup('::1', { family: 6 }, (err, address, family) => { expect(err).toBeNull(); seen.push([address, family]) })
    expect(seen).toEqual([['127.1.0.1', 4], ['::1', 6]])
  })

  it('resolves a name through dns.lookup', async () => {
    const { address, family } = await new Promise<{ address: string, family: number }>((resolve, reject) => {
      ipLookup('localhost', 4, (err, address, family) => {
        if (err === null) resolve({ address, family })
        else reject(err)
      })
    })
    expect(family).toBe(4)
    expect(address.startsWith('127.')).toBe(true)
  })
})
