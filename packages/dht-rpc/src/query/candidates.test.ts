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

  it('holds at most maxPer24 of one /24 and maxPer16 of one /16; a closer one takes the farthest one\'s place', () => {
    const target = new Uint8Array(32)
    const list = new CandidateList(target, 20, { maxPer24: 2, maxPer16: 3 })
    const at = (b: number, host: string): boolean => {
      const id = new Uint8Array(32)
      id[0] = b
      return list.insert({ id, host, port: 1, referrer: null, roundtripToken: null, queried: false })
    }
    expect(at(10, '1.2.3.1')).toBe(true)
    expect(at(20, '1.2.3.2')).toBe(true)
    expect(at(30, '1.2.3.3')).toBe(false) // a third of the /24, farther than both
    expect(at(5, '1.2.3.4')).toBe(true) // closer: the farthest of the /24 (20) gives way
    expect(list.list.map((c) => c.id![0])).toEqual([5, 10])
    expect(at(40, '1.2.9.1')).toBe(true) // the /16's third
    expect(at(50, '1.2.8.1')).toBe(false) // a fourth of the /16
    expect(at(60, '9.9.9.9')).toBe(true)
    expect(list.list.map((c) => c.id![0])).toEqual([5, 10, 40, 60])
    // Infinity turns the limits off
    const open = new CandidateList(target, 20, { maxPer24: Infinity, maxPer16: Infinity })
    for (let i = 0; i < 10; i++) {
      const id = new Uint8Array(32)
      id[0] = i
      open.insert({ id, host: '1.2.3.4', port: i + 1, referrer: null, roundtripToken: null, queried: false })
    }
    expect(open.list).toHaveLength(10)
  })
})
