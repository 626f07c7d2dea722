import { seededRandom } from '@hyperdht-ts/test-utils'
import { describe, expect, it } from 'vitest'
import { HostSlots } from './host-slots.js'


/** Every host with its slot, oldest first, following the links. */
function entries (h: HostSlots, hostOf: Map<number, string>): string[] {
  const out: string[] = []
  for (let s = h.oldest(); s !== -1; s = h.newer(s)) out.push(hostOf.get(s)!)
  return out
}

describe('HostSlots', () => {
  it('behaves as a Map of host to slot in insertion order, with moves to the end, on random operations', () => {
    for (let seed = 1; seed <= 6; seed++) {
      const r = seededRandom(seed)
      const movable = seed % 2 === 0
      const h = new HostSlots({ movable, values: 2 })
      const model = new Map<string, number>() // host -> slot, in order
      const hostOf = new Map<number, string>()
      // few distinct values: many collisions and deletions in the index; some hosts of other forms
      const host = (): string => {
        const x = Math.floor(r() * 400)
        if (x % 13 === 0) return `2001:db8::${x}`
        if (x % 17 === 0) return `::ffff:10.0.0.${x & 255}`
        if (x % 19 === 0) return `name-${x}`
        return `10.${x & 3}.${(x >> 2) & 255}.${(x * 7) & 255}`
      }
      for (let i = 0; i < 20000; i++) {
        const k = host()
        const op = r()
        const slot = model.get(k)
        expect(h.get(k)).toBe(slot ?? -1)
        if (op < 0.45) {
          if (slot === undefined) {
            const s = h.add(k)
            expect(s * 2 + 1).toBeLessThan(h.values.length)
            h.values[s * 2] = s
            h.values[s * 2 + 1] = i
            expect(hostOf.has(s)).toBe(false) // a slot in use is never handed out
            model.set(k, s)
            hostOf.set(s, k)
          }
        } else if (op < 0.75) {
          if (slot !== undefined) {
            h.delete(slot)
            model.delete(k)
            hostOf.delete(slot)
          }
        } else if (slot !== undefined && movable) {
          h.touch(slot)
          model.delete(k)
          model.set(k, slot)
        }
        expect(h.size).toBe(model.size)
        if (i % 500 === 0) expect(entries(h, hostOf)).toEqual([...model.keys()])
      }
      expect(entries(h, hostOf)).toEqual([...model.keys()])
      for (const [k, s] of model) {
        expect(h.get(k)).toBe(s)
        expect(h.values[s * 2]).toBe(s) // the numbers stayed with their slot through every resize
      }
    }
  })

  it('reuses freed slots and finds thousands of hosts', () => {
    const h = new HostSlots({ movable: true })
    const hosts = Array.from({ length: 5000 }, (_, i) => `10.${i >> 16}.${(i >> 8) & 255}.${i & 255}`)
    const slots = hosts.map((x) => h.add(x))
    hosts.forEach((x, i) => expect(h.get(x)).toBe(slots[i]))
    for (let i = 0; i < 5000; i += 2) h.delete(slots[i]!)
    for (let i = 0; i < 5000; i += 2) expect(h.add(hosts[i]!)).toBeLessThan(5000)
    expect(h.size).toBe(5000)
    for (const x of hosts) expect(h.get(x)).toBeGreaterThanOrEqual(0)
    expect(h.get('10.9.9.9')).toBe(-1)
    expect(() => new HostSlots().touch(0)).toThrow()
  })
})
