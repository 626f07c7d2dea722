import fc from 'fast-check'
import { describe, expect, expectTypeOf, test } from 'vitest'
import { compareDistance, xorDistance } from './distance.js'
import { KBucketError, type KBucketErrorCode } from './errors.js'
import { KBucket } from './kbucket.js'
import type { Contact } from './types.js'

interface Peer extends Contact {
  name: string
}

const bytes = (...values: number[]): Uint8Array => Uint8Array.from(values)
const peer = (id: Uint8Array, name = '', vectorClock?: number): Peer =>
  vectorClock === undefined ? { id, name } : { id, name, vectorClock }
const names = (contacts: Iterable<Peer>): string[] => Array.from(contacts, (c) => c.name)

/** Records every event as a readable string. */
function record (table: KBucket<Peer>): string[] {
  const log: string[] = []
  table.on('added', (c) => log.push(`added ${c.name}`))
  table.on('removed', (c) => log.push(`removed ${c.name}`))
  table.on('updated', (a, b) => log.push(`updated ${a.name} ${b.name}`))
  table.on('ping', (old, c) => log.push(`ping ${names(old).join(',')} ${c.name}`))
  return log
}

function expectCode (fn: () => unknown, code: KBucketErrorCode): void {
  let thrown: unknown
  try {
    fn()
  } catch (error) {
    thrown = error
  }
  expect(KBucketError.isInstance(thrown), `expected a KBucketError ${code}`).toBe(true)
  expect((thrown as KBucketError).code).toBe(code)
}

describe('constructor', () => {
  test('defaults match k-bucket@5.1.0', () => {
    const table = new KBucket()
    expect(table.localNodeId).toBeInstanceOf(Uint8Array)
    expect(table.localNodeId.length).toBe(20)
    expect(new KBucket().localNodeId).not.toStrictEqual(table.localNodeId)
    expect(table.numberOfNodesPerKBucket).toBe(20)
    expect(table.numberOfNodesToPing).toBe(3)
    expect(table.distance).toBe(xorDistance)
    expect(table.arbiter).toBe(KBucket.arbiter)
    expect(table.metadata).toStrictEqual({})
    expect(table.count()).toBe(0)
  })

  test('null options mean the defaults, as in k-bucket@5.1.0', () => {
    const table = new KBucket({ localNodeId: null, numberOfNodesPerKBucket: null, numberOfNodesToPing: null, distance: null, arbiter: null, metadata: null } as never)
    expect(table.localNodeId.length).toBe(20)
    expect(table.numberOfNodesPerKBucket).toBe(20)
    expect(table.numberOfNodesToPing).toBe(3)
    expect(table.distance).toBe(xorDistance)
    expect(table.arbiter).toBe(KBucket.arbiter)
    expect(table.metadata).toStrictEqual({})
  })

  test('keeps the given options; metadata is a shallow copy', () => {
    const localNodeId = bytes(1, 2, 3)
    const metadata = { owner: 'me' }
    const distance = (a: Uint8Array, b: Uint8Array): number => a[0]! - b[0]!
    const arbiter = (a: Contact): Contact => a
    const table = new KBucket({ localNodeId, numberOfNodesPerKBucket: 4, numberOfNodesToPing: 1, distance, arbiter, metadata })
    expect(table.localNodeId).toBe(localNodeId)
    expect(table.numberOfNodesPerKBucket).toBe(4)
    expect(table.numberOfNodesToPing).toBe(1)
    expect(table.distance).toBe(distance)
    expect(table.arbiter).toBe(arbiter)
    expect(table.metadata).toStrictEqual(metadata)
    expect(table.metadata).not.toBe(metadata)
  })

  test.each([
    ['localNodeId not bytes', { localNodeId: 'abc' }],
    ['empty localNodeId', { localNodeId: new Uint8Array(0) }],
    ['numberOfNodesPerKBucket 0', { numberOfNodesPerKBucket: 0 }],
    ['numberOfNodesPerKBucket -1', { numberOfNodesPerKBucket: -1 }],
    ['numberOfNodesPerKBucket 1.5', { numberOfNodesPerKBucket: 1.5 }],
    ['numberOfNodesPerKBucket NaN', { numberOfNodesPerKBucket: NaN }],
    ['numberOfNodesPerKBucket string', { numberOfNodesPerKBucket: '20' }],
    ['numberOfNodesToPing 0', { numberOfNodesToPing: 0 }],
    ['distance not a function', { distance: 'xor' }],
    ['arbiter not a function', { arbiter: 1 }],
    ['metadata not an object', { metadata: 'x' }]
  ])('rejects %s with INVALID_OPTION', (_, options) => {
    expectCode(() => new KBucket(options as never), 'INVALID_OPTION')
  })

  test('rejects options that are not an object', () => {
    expectCode(() => new KBucket(null as never), 'INVALID_OPTION')
    expectCode(() => new KBucket(5 as never), 'INVALID_OPTION')
  })
})

describe('add', () => {
  test('stores a contact, emits added and returns the table', () => {
    const table = new KBucket<Peer>({ localNodeId: bytes(0) })
    const log = record(table)
    const a = peer(bytes(1), 'a')
    expect(table.add(a)).toBe(table)
    expect(table.get(bytes(1))).toBe(a)
    expect(table.count()).toBe(1)
    expect(log).toStrictEqual(['added a'])
  })

  test('throws INVALID_CONTACT without a Uint8Array id', () => {
    const table = new KBucket()
    for (const bad of [null, undefined, 'x', {}, { id: 'abc' }, { id: [1, 2] }]) {
      expectCode(() => table.add(bad as never), 'INVALID_CONTACT')
    }
  })

  test('ignores a contact whose id length differs from the local id', () => {
    const table = new KBucket<Peer>({ localNodeId: bytes(0, 0) })
    const log = record(table)
    table.add(peer(bytes(1), 'short'))
    table.add(peer(bytes(1, 2, 3), 'long'))
    expect(table.count()).toBe(0)
    expect(table.toArray()).toStrictEqual([])
    expect(log).toStrictEqual([])
  })

  test('a newer version of a known id replaces it at the most recent end', () => {
    const table = new KBucket<Peer>({ localNodeId: bytes(0) })
    table.add(peer(bytes(1), 'a', 1))
    table.add(peer(bytes(2), 'b'))
    const log = record(table)
    table.add(peer(bytes(1), 'a2', 2))
    expect(names(table.toArray())).toStrictEqual(['b', 'a2'])
    expect(log).toStrictEqual(['updated a a2'])
  })

  test('an older version of a known id changes nothing', () => {
    const table = new KBucket<Peer>({ localNodeId: bytes(0) })
    table.add(peer(bytes(1), 'a', 5))
    table.add(peer(bytes(2), 'b'))
    const log = record(table)
    table.add(peer(bytes(1), 'old', 4))
    expect(names(table.toArray())).toStrictEqual(['a', 'b'])
    expect(log).toStrictEqual([])
  })

  test('re-adding the stored object marks it most recently seen', () => {
    const table = new KBucket<Peer>({ localNodeId: bytes(0) })
    const a = peer(bytes(1), 'a', 5)
    table.add(a)
    table.add(peer(bytes(2), 'b'))
    const log = record(table)
    table.add(a)
    expect(names(table.toArray())).toStrictEqual(['b', 'a'])
    expect(log).toStrictEqual(['updated a a'])
  })

  test('uses a custom arbiter', () => {
    const table = new KBucket<Peer>({ localNodeId: bytes(0), arbiter: (incumbent) => incumbent })
    table.add(peer(bytes(1), 'first', 1))
    table.add(peer(bytes(1), 'second', 9))
    expect(table.get(bytes(1))!.name).toBe('first')
  })

  test('splits the bucket covering the local id when it is full', () => {
    const table = new KBucket<Peer>({ localNodeId: bytes(0x00), numberOfNodesPerKBucket: 2 })
    const log = record(table)
    table.add(peer(bytes(0x80), 'far1'))
    table.add(peer(bytes(0x01), 'near1'))
    table.add(peer(bytes(0x81), 'far2'))
    expect(table.count()).toBe(3)
    expect(table.buckets()).toStrictEqual([
      { depth: 1, size: 1, prefix: '0', coversLocalId: true },
      { depth: 1, size: 2, prefix: '1', coversLocalId: false }
    ])
    expect(log).toStrictEqual(['added far1', 'added near1', 'added far2'])
  })

  test('a full far bucket emits ping with its oldest contacts and leaves the newcomer out', () => {
    const table = new KBucket<Peer>({ localNodeId: bytes(0x00), numberOfNodesPerKBucket: 3, numberOfNodesToPing: 2 })
    for (const [i, name] of ['a', 'b', 'c'].entries()) table.add(peer(bytes(0x80 + i), name))
    table.add(peer(bytes(0x01), 'near')) // splits: the far bucket '1' now holds a, b, c
    table.add(peer(bytes(0x80), 'a')) // refresh a: it moves to the most recent end
    const log = record(table)
    table.add(peer(bytes(0x90), 'new'))
    expect(log).toStrictEqual(['ping b,c new'])
    expect(table.get(bytes(0x90))).toBeNull()
    expect(table.count()).toBe(4)
  })

  test('a ping listener may evict and retry synchronously', () => {
    const table = new KBucket<Peer>({ localNodeId: bytes(0x00), numberOfNodesPerKBucket: 2, numberOfNodesToPing: 1 })
    table.on('ping', (old, newcomer) => {
      table.remove(old[0]!.id)
      table.add(newcomer)
    })
    for (const [i, name] of ['a', 'b', 'c', 'd'].entries()) table.add(peer(bytes(0x80 + i), name))
    // Splitting the root left '1' far and full; each newcomer evicted the oldest.
    expect(names(table.toArray())).toStrictEqual(['c', 'd'])
  })
})

describe('get and remove', () => {
  const table = new KBucket<Peer>({ localNodeId: bytes(0, 0), numberOfNodesPerKBucket: 2 })
  for (let i = 0; i < 40; i++) table.add(peer(bytes(i * 6, i), `p${i}`))

  test('get finds stored contacts anywhere in the tree and returns null otherwise', () => {
    for (const contact of table.toArray()) expect(table.get(contact.id.slice())).toBe(contact)
    expect(table.get(bytes(1, 1))).toBeNull()
    expect(table.get(bytes(0))).toBeNull()
    expect(table.get(bytes(0, 0, 0))).toBeNull()
    expectCode(() => table.get('ab' as never), 'INVALID_ID')
  })

  test('remove deletes a contact and emits removed; unknown ids are a no-op', () => {
    const copy = new KBucket<Peer>({ localNodeId: bytes(0, 0), numberOfNodesPerKBucket: 2 })
    for (const contact of table.toArray()) copy.add(contact)
    const log = record(copy)
    const victim = copy.toArray()[1]!
    expect(copy.remove(victim.id.slice())).toBe(copy)
    expect(copy.get(victim.id)).toBeNull()
    expect(copy.count()).toBe(table.count() - 1)
    copy.remove(victim.id)
    copy.remove(bytes(0xff, 0xff))
    copy.remove(bytes(victim.id[0]!))
    expect(log).toStrictEqual([`removed ${victim.name}`])
    expectCode(() => copy.remove(undefined as never), 'INVALID_ID')
  })
})

describe('closest', () => {
  test('returns the n closest by XOR, closest first', () => {
    const table = new KBucket<Peer>({ localNodeId: bytes(0xff) })
    for (let i = 0; i < 0x12; i++) table.add(peer(bytes(i), `${i}`))
    expect(names(table.closest(bytes(0x15), 3))).toStrictEqual(['17', '16', '5'])
    expect(names(table.closest(bytes(0x11), 3))).toStrictEqual(['17', '16', '1'])
  })

  test('gathers further buckets when the nearest has too few', () => {
    const table = new KBucket<Peer>({ localNodeId: bytes(0, 0) })
    for (let i = 0; i < 20; i++) {
      table.add(peer(bytes(0x80, i), `far${i}`))
      table.add(peer(bytes(0x01, i), `mid${i}`))
    }
    table.add(peer(bytes(0x00, 0x01), 'near'))
    const result = table.closest(bytes(0x00, 0x03), 22)
    expect(result[0]!.name).toBe('near')
    expect(names(result.slice(1, 5))).toStrictEqual(['mid3', 'mid2', 'mid1', 'mid0'])
    expect(result[21]!.name).toBe('far3')
  })

  test('returns everything, sorted, by default', () => {
    const table = new KBucket<Peer>({ localNodeId: bytes(0, 0) })
    for (let i = 0; i < 1000; i++) table.add(peer(bytes(i >> 8, i & 0xff), `${i}`))
    const target = bytes(0x80, 0x80)
    const all = table.closest(target)
    expect(all.length).toBe(table.count())
    for (let i = 1; i < all.length; i++) expect(compareDistance(target, all[i - 1]!.id, all[i]!.id)).toBe(-1)
  })

  test('throws INVALID_COUNT for a count that is not a positive integer or Infinity', () => {
    const table = new KBucket()
    for (const n of [0, -1, 1.5, NaN, -Infinity, null, '3']) {
      expectCode(() => table.closest(table.localNodeId, n as never), 'INVALID_COUNT')
    }
    expectCode(() => table.closest([1, 2] as never, 1), 'INVALID_ID')
  })

  test('accepts a target of another length', () => {
    const table = new KBucket<Peer>({ localNodeId: bytes(0, 0) })
    for (let i = 0; i < 100; i++) table.add(peer(bytes(i, 255 - i), `${i}`))
    expect(table.closest(bytes(3), 5).length).toBe(5)
    expect(table.closest(bytes(3, 3, 3), 5).length).toBe(5)
    expect(table.closest(new Uint8Array(0), 5).length).toBe(5)
  })

  test('orders by a custom distance', () => {
    const table = new KBucket<Peer>({ localNodeId: bytes(0), distance: (a, b) => Math.abs(a[0]! - b[0]!) })
    for (const i of [10, 20, 30, 40]) table.add(peer(bytes(i), `${i}`))
    expect(names(table.closest(bytes(26), 2))).toStrictEqual(['30', '20'])
  })

  test('equals the exact n closest of the whole table (property)', () => {
    const table32 = fc.record({
      k: fc.integer({ min: 1, max: 30 }),
      local: fc.uint8Array({ minLength: 32, maxLength: 32 }),
      ids: fc.array(fc.uint8Array({ minLength: 32, maxLength: 32 }), { maxLength: 300 }),
      target: fc.uint8Array({ minLength: 32, maxLength: 32 }),
      n: fc.integer({ min: 1, max: 60 })
    })
    fc.assert(fc.property(table32, ({ k, local, ids, target, n }) => {
      const table = new KBucket({ localNodeId: local, numberOfNodesPerKBucket: k })
      for (const id of ids) table.add({ id })
      const exact = table.toArray().sort((a, b) => compareDistance(target, a.id, b.id)).slice(0, n)
      expect(table.closest(target, n)).toStrictEqual(exact)
    }), { numRuns: 100 })
  })

  test('selects from one large bucket without losing the closest', () => {
    const table = new KBucket({ localNodeId: new Uint8Array(4), numberOfNodesPerKBucket: 3000 })
    for (let i = 0; i < 3000; i++) table.add({ id: Uint8Array.of(i >> 8, i & 0xff, (i * 37) & 0xff, 7) })
    const target = bytes(5, 200, 17, 1)
    const exact = table.toArray().sort((a, b) => compareDistance(target, a.id, b.id)).slice(0, 20)
    expect(table.closest(target, 20)).toStrictEqual(exact)
  })
})

describe('enumeration and introspection', () => {
  const table = new KBucket<Peer>({ localNodeId: bytes(0x00), numberOfNodesPerKBucket: 2 })
  for (const id of [0x81, 0x82, 0x41, 0x42, 0x21, 0x01, 0x11]) table.add(peer(bytes(id), id.toString(16)))

  test('toArray walks buckets 0-side first; toIterable yields the same lazily', () => {
    expect(names(table.toArray())).toStrictEqual(['1', '11', '21', '41', '42', '81', '82'])
    const iterator = table.toIterable()
    expect(iterator.next()).toStrictEqual({ done: false, value: table.get(bytes(0x01)) })
    expect(names(table.toIterable())).toStrictEqual(names(table.toArray()))
    expect(table.count()).toBe(7)
  })

  test('buckets reports each leaf with its depth, size and prefix', () => {
    expect(table.buckets()).toStrictEqual([
      { depth: 3, size: 2, prefix: '000', coversLocalId: true },
      { depth: 3, size: 1, prefix: '001', coversLocalId: false },
      { depth: 2, size: 2, prefix: '01', coversLocalId: false },
      { depth: 1, size: 2, prefix: '1', coversLocalId: false }
    ])
    expect(new KBucket().buckets()).toStrictEqual([{ depth: 0, size: 0, prefix: '', coversLocalId: true }])
  })

  test('events and contacts are typed by the contact type', () => {
    const typed = new KBucket<Peer>({ localNodeId: bytes(0) })
    let seen: Peer | null = null
    typed.on('added', (contact) => {
      expectTypeOf(contact).toEqualTypeOf<Peer>()
      seen = contact
    })
    typed.on('ping', (old, contact) => {
      expectTypeOf(old).toEqualTypeOf<Peer[]>()
      expectTypeOf(contact).toEqualTypeOf<Peer>()
    })
    typed.add(peer(bytes(9), 'nine'))
    expect(seen).toStrictEqual(peer(bytes(9), 'nine'))
    expectTypeOf(typed.closest(bytes(1))).toEqualTypeOf<Peer[]>()
    expectTypeOf(typed.get(bytes(1))).toEqualTypeOf<Peer | null>()
  })
})
