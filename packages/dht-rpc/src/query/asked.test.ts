import { describe, expect, it } from 'vitest'
import { AskedCandidates } from './asked.js'
import type { Candidate } from './candidates.js'

function candidate (bytes: number[]): Candidate & { id: Uint8Array } {
  const id = new Uint8Array(32)
  id.set(bytes)
  return { id, host: '10.0.0.1', port: 1, referrer: null, roundtripToken: null, queried: true }
}

describe('AskedCandidates', () => {
  it('finds candidates by id, once each', () => {
    const asked = new AskedCandidates()
    const a = candidate([1, 2, 3])
    asked.add(a)
    asked.add(candidate([1, 2, 3])) // the same id again: kept once
    expect(asked.size).toBe(1)
    expect(asked.get(candidate([1, 2, 3]).id)).toBe(a)
    expect(asked.get(candidate([1, 2, 4]).id)).toBeUndefined()
  })

  it('keeps ids that share the first 6 bytes apart', () => {
    const asked = new AskedCandidates()
    const list = [7, 8, 9].map((last) => candidate([9, 9, 9, 9, 9, 9, last]))
    for (const c of list) asked.add(c)
    expect(asked.size).toBe(3)
    for (const c of list) expect(asked.get(new Uint8Array(c.id))).toBe(c)
    expect(asked.get(candidate([9, 9, 9, 9, 9, 9, 6]).id)).toBeUndefined()
    asked.add(candidate([9, 9, 9, 9, 9, 9, 8]))
    expect(asked.size).toBe(3)
  })
})
