import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import { FairGroups, emptyGroup, type Group } from './fair-groups.js'
import type { Links } from './linked-list.js'

interface Item {
  n: number
  prev: Item | null
  next: Item | null
}

const LINKS: Links<Item> = { prev: 'prev', next: 'next' }

function items (g: Group<Item>): number[] {
  const out: number[] = []
  for (let e = g.head; e !== null; e = e.next) out.push(e.n)
  return out
}

describe('FairGroups', () => {
  it('finds the largest group and keeps each group oldest first', () => {
    const fair = new FairGroups<Item>(LINKS)
    const a = emptyGroup<Item>()
    const b = emptyGroup<Item>()
    const made: Item[] = []
    const add = (g: Group<Item>): Item => {
      const it: Item = { n: made.length, prev: null, next: null }
      made.push(it)
      fair.add(g, it)
      return it
    }
    expect(fair.largest()).toBeNull()
    add(a)
    add(b)
    const b2 = add(b)
    expect(fair.largest()).toBe(b)
    expect(fair.max).toBe(2)
    add(a)
    add(a)
    expect(fair.largest()).toBe(a)
    expect(items(a)).toEqual([0, 3, 4])
    fair.touch(a, made[0] as Item)
    expect(items(a)).toEqual([3, 4, 0])
    fair.remove(b, b2)
    fair.remove(a, made[3] as Item)
    fair.remove(a, made[4] as Item)
    expect(fair.max).toBe(1)
    fair.remove(a, made[0] as Item)
    fair.remove(b, made[1] as Item)
    expect(fair.max).toBe(0)
    expect(fair.largest()).toBeNull()
    expect(made.every((m) => m.prev === null && m.next === null)).toBe(true)
  })

  it('among equally large groups, picks the one that reached that count or was written longest ago', () => {
    const fair = new FairGroups<Item>(LINKS)
    const [a, b, c] = [emptyGroup<Item>(), emptyGroup<Item>(), emptyGroup<Item>()]
    const items: Item[] = []
    for (const g of [a, b, c]) {
      const it: Item = { n: items.length, prev: null, next: null }
      items.push(it)
      fair.add(g, it)
    }
    expect(fair.largest()).toBe(a)
    fair.touch(a, items[0] as Item)
    expect(fair.largest()).toBe(b)
    fair.touch(c, items[2] as Item)
    expect(fair.largest()).toBe(b)
    fair.remove(b, items[1] as Item)
    expect(fair.largest()).toBe(a)
  })

  it('agrees with counting, over random adds and removes', () => {
    const op = fc.record({ group: fc.integer({ min: 0, max: 7 }), add: fc.boolean(), touch: fc.boolean(), pick: fc.nat() })
    fc.assert(fc.property(fc.array(op, { maxLength: 400, size: 'max' }), (ops) => {
      const fair = new FairGroups<Item>(LINKS)
      const groups = Array.from({ length: 8 }, () => emptyGroup<Item>())
      const model: Item[][] = groups.map(() => [])
      let n = 0
      for (const o of ops) {
        const g = groups[o.group] as Group<Item>
        const m = model[o.group] as Item[]
        if (o.touch && m.length > 0) {
          const [it] = m.splice(o.pick % m.length, 1) as [Item]
          fair.touch(g, it)
          m.push(it)
        } else if (o.add || m.length === 0) {
          const it: Item = { n: n++, prev: null, next: null }
          fair.add(g, it)
          m.push(it)
        } else {
          const [it] = m.splice(o.pick % m.length, 1) as [Item]
          fair.remove(g, it)
        }
        const max = Math.max(...model.map((x) => x.length))
        expect(fair.max).toBe(max)
        const largest = fair.largest()
        if (max === 0) expect(largest).toBeNull()
        else expect(model[groups.indexOf(largest as Group<Item>)]?.length).toBe(max)
        expect(items(g)).toEqual(m.map((x) => x.n))
        expect(g.count).toBe(m.length)
      }
    }), { numRuns: 200 })
  })

  it('gives back bucket slots once a large group shrinks', () => {
    const fair = new FairGroups<Item>(LINKS)
    const g = emptyGroup<Item>()
    const all = Array.from({ length: 5000 }, (_, n): Item => ({ n, prev: null, next: null }))
    for (const it of all) fair.add(g, it)
    for (const it of all.slice(0, 4990)) fair.remove(g, it)
    expect(fair.max).toBe(10)
    expect(fair.largest()).toBe(g)
    expect(items(g)).toEqual(all.slice(4990).map((x) => x.n))
  })
})
