import { describe, expect, it } from 'vitest'
import { decodeState, encodeState } from './state.js'

const id = new Uint8Array(32).fill(1)
const node = (i: number): { id: Uint8Array, host: string, port: number } => ({ id: new Uint8Array(32).fill(i), host: `127.0.0.${i}`, port: 1000 + i })

describe('state codec', () => {
  it('round-trips our id and the contacts', () => {
    const text = encodeState({ id, nodes: [node(2), node(3)] }, new Date(0))
    expect(JSON.parse(text)).toMatchObject({ version: 1, savedAt: '1970-01-01T00:00:00.000Z' })
    const back = decodeState(text)
    expect(back).toEqual({ ok: true, state: { id, nodes: [node(2), node(3)] }, skipped: 0 })
  })

  it('reports a problem instead of throwing for what is not a state file', () => {
    for (const [text, problem] of [
      ['', /not valid JSON/],
      ['{"version":1,"id":"ab"', /not valid JSON/],
      ['null', /not a JSON object/],
      ['{"version":2}', /unknown version 2/],
      [JSON.stringify({ version: 1, id: 'zz', nodes: [] }), /id is not 64 hex/],
      [JSON.stringify({ version: 1, id: 'ab'.repeat(32), nodes: {} }), /"nodes" is not a list/]
    ] as const) {
      const r = decodeState(text)
      expect(r.ok, text).toBe(false)
      if (!r.ok) expect(r.problem).toMatch(problem)
    }
  })

  it('skips and counts contacts that are not valid', () => {
    const good = { id: 'cd'.repeat(32), host: '10.0.0.1', port: 5 }
    const r = decodeState(JSON.stringify({
      version: 1,
      id: 'ab'.repeat(32),
      nodes: [good, { ...good, id: 'x' }, { ...good, host: 'example.org' }, { ...good, port: 0 }, { ...good, port: 65536 }, null, 'x']
    }))
    expect(r.ok && r.state.nodes.length).toBe(1)
    expect(r.ok && r.skipped).toBe(6)
  })
})
