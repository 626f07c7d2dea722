import { describe, expect, test } from 'vitest'
import { PendingTable } from './pending-table.js'

const entry = (tid: number): { tid: number } => ({ tid })

describe('PendingTable', () => {
  test('stores by tid; get checks the tid, not only the slot', () => {
    const t = new PendingTable<{ tid: number }>()
    const a = entry(3)
    t.add(a)
    expect(t.get(3)).toBe(a)
    expect(t.size).toBe(1)
    // 19 shares slot 3 in a table of 16: taken for add, but not an entry for get
    expect(t.isFree(19)).toBe(false)
    expect(t.get(19)).toBeUndefined()
    expect(() => t.add(entry(19))).toThrow(/taken/)
  })

  test('delete removes only the entry that is stored', () => {
    const t = new PendingTable<{ tid: number }>()
    const a = entry(7)
    t.add(a)
    expect(t.delete(entry(7))).toBe(false)
    expect(t.size).toBe(1)
    expect(t.delete(a)).toBe(true)
    expect(t.delete(a)).toBe(false)
    expect(t.size).toBe(0)
    expect(t.isFree(7)).toBe(true)
  })

  test('grows while half full and keeps every entry findable', () => {
    const t = new PendingTable<{ tid: number }>()
    const entries = []
    // tids 0, 16, 32, ... collide in a table of 16 but not once it has grown enough
    for (let tid = 0, n = 0; n < 100; tid++) {
      if (!t.isFree(tid)) continue
      const e = entry(tid)
      t.add(e)
      entries.push(e)
      n++
    }
    expect(t.size).toBe(100)
    for (const e of entries) expect(t.get(e.tid)).toBe(e)
    expect(new Set(t.snapshot())).toEqual(new Set(entries))
  })

  test('at full size every tid below 32767 has its own slot', () => {
    const t = new PendingTable<{ tid: number }>()
    for (let tid = 0; tid < 32767; tid++) {
      expect(t.isFree(tid)).toBe(true)
      t.add(entry(tid))
    }
    expect(t.size).toBe(32767)
    expect(t.get(32766)!.tid).toBe(32766)
  })

  test('snapshot reuses its array; drain empties the table into a new one', () => {
    const t = new PendingTable<{ tid: number }>()
    const a = entry(1)
    const b = entry(2)
    t.add(a)
    t.add(b)
    const first = t.snapshot()
    expect(first).toEqual([a, b])
    t.delete(a)
    expect(t.snapshot()).toBe(first)
    expect(first).toEqual([b])
    const drained = t.drain()
    expect(drained).toEqual([b])
    expect(drained).not.toBe(first)
    expect(t.size).toBe(0)
    expect(t.get(2)).toBeUndefined()
  })
})
