import { randomBytes } from 'node:crypto'
import { compareDistance } from '@hyperdht-ts/kbucket'
import { describe, expect, it } from 'vitest'
import { CandidateList } from './candidates.js'

describe('CandidateList', () => {
  it('keeps the k closest by exact XOR distance, without duplicates', () => {
    const target = randomBytes(32)
    const list = new CandidateList(target, 20)
    const ids: Buffer[] = []
    for (let i = 0; i < 500; i++) {
      const id = randomBytes(32)
      // ids sharing a long prefix: float distances could not order these
      if (i % 5 === 0) { id.set(target.subarray(0, 20)); id[20] = i % 3 }
      ids.push(id)
      list.insert({ id, host: '1.1.1.1', port: i + 1, referrer: null, roundtripToken: null, queried: false })
      list.insert({ id, host: '1.1.1.1', port: i + 1, referrer: null, roundtripToken: null, queried: false })
    }
    const expected = [...ids].sort((a, b) => compareDistance(target, a, b)).slice(0, 20).map((b) => b.toString('hex'))
    expect(list.list.map((c) => Buffer.from(c.id!).toString('hex'))).toEqual(expected)
  })
})
