// Differential test: drives @hyperdht-ts/kbucket and the reference k-bucket@5.1.0 with the same
// random operations and requires the same contents, closest() results, events and tree shape.
import RefKBucket from 'k-bucket'
import { describe, expect, test } from 'vitest'
import { compareDistance, KBucket, xorDistance, type Contact } from '../src/index.js'
import { INDEX_MIN } from '../src/leaf-index.js'
import { createRandom, idAtDepth, randomBytes, randomInt } from './random.js'

interface TestContact extends Contact {
  /** Unique per contact object, so results and events compare by identity. */
  serial: number
}

interface Scenario {
  name: string
  idLength: number
  k?: number
  toPing?: number
  arbiter?: (incumbent: TestContact, candidate: TestContact) => TestContact
  distance?: (a: Uint8Array, b: Uint8Array) => number
  /**
   * Some new ids copy a known one but for one byte before the last four: the same bucket and the
   * same last bytes, the key of a big leaf's index (so its collision chains get exercised).
   */
  sameTails?: boolean
  ops: number
}

/** Keeps the incumbent unless the candidate's clock is odd; the reference runs the same one. */
function oddClockArbiter (incumbent: TestContact, candidate: TestContact): TestContact {
  return (candidate.vectorClock ?? 0) % 2 === 1 ? candidate : incumbent
}

/** Hamming weight of the XOR: many ties, so closest() ordering of equal distances is exercised. */
function popcountDistance (a: Uint8Array, b: Uint8Array): number {
  let bits = 0
  for (let i = 0; i < Math.min(a.length, b.length); i++) {
    let x = a[i]! ^ b[i]!
    while (x !== 0) { bits += x & 1; x >>= 1 }
  }
  return bits + 8 * Math.abs(a.length - b.length)
}

const scenarios: Scenario[] = [
  { name: '1-byte ids, k=2, ping 1', idLength: 1, k: 2, toPing: 1, ops: 2000 },
  { name: '2-byte ids, k=3', idLength: 2, k: 3, ops: 3000 },
  { name: '2-byte ids, k=20 (default)', idLength: 2, ops: 3000 },
  { name: '3-byte ids, k=1', idLength: 3, k: 1, ops: 1500 },
  { name: '3-byte ids, k=4, ping 5', idLength: 3, k: 4, toPing: 5, ops: 3000 },
  { name: '4-byte ids, k=8, custom arbiter', idLength: 4, k: 8, arbiter: oddClockArbiter, ops: 3000 },
  { name: '3-byte ids, k=5, popcount distance (ties)', idLength: 3, k: 5, distance: popcountDistance, ops: 3000 },
  { name: '20-byte ids, k=20 (defaults)', idLength: 20, ops: 4000 },
  { name: '20-byte ids, k=4', idLength: 20, k: 4, toPing: 2, ops: 3000 },
  { name: '32-byte ids, k=20', idLength: 32, ops: 4000 },
  { name: '32-byte ids, k=3', idLength: 32, k: 3, ops: 3000 },
  // buckets past INDEX_MIN contacts: found through their index
  { name: '32-byte ids, k=80 (indexed buckets)', idLength: 32, k: 80, sameTails: true, ops: 6000 },
  { name: '6-byte ids, k=100, ping 4 (indexed buckets)', idLength: 6, k: 100, toPing: 4, sameTails: true, ops: 6000 }
]

const SEEDS = [1, 0xc0ffee]

/** Reference leaves in toArray() order as `depth:size:local`, to compare with buckets(). */
function referenceLeaves (ref: RefKBucket<TestContact>): string[] {
  const out: string[] = []
  const walk = (node: RefKBucket['root'], depth: number): void => {
    if (node.contacts === null) {
      walk(node.left!, depth + 1)
      walk(node.right!, depth + 1)
    } else {
      out.push(`${depth}:${node.contacts.length}:${!node.dontSplit}`)
    }
  }
  walk(ref.root, 0)
  return out
}

function sameList<V> (a: readonly V[], b: readonly V[]): boolean {
  return a.length === b.length && a.every((value, i) => value === b[i])
}

const serials = (contacts: Iterable<TestContact>): number[] => Array.from(contacts, (c) => c.serial)

/**
 * Neighbours in a result whose numeric distances are equal although their exact distances
 * differ: there the order comes from the tree, not from the distance, and must still match.
 */
function countRoundedTies (result: TestContact[], target: Uint8Array): number {
  let ties = 0
  for (let i = 1; i < result.length; i++) {
    const a = result[i - 1]!.id
    const b = result[i]!.id
    if (xorDistance(a, target) === xorDistance(b, target) && compareDistance(target, a, b) !== 0) ties++
  }
  return ties
}

interface RunStats { ops: number, closestCalls: number, pings: number, splits: number, roundedTies: number, biggest: number }

function run (scenario: Scenario, seed: number): RunStats {
  const random = createRandom(seed)
  const { idLength } = scenario
  const bits = idLength * 8
  const localNodeId = randomBytes(random, idLength)
  const options = {
    localNodeId,
    numberOfNodesPerKBucket: scenario.k,
    numberOfNodesToPing: scenario.toPing,
    arbiter: scenario.arbiter,
    distance: scenario.distance
  }
  const ours = new KBucket<TestContact>(options)
  const ref = new RefKBucket<TestContact>(options)

  const oursEvents: string[] = []
  const refEvents: string[] = []
  // Set by the ping listener; the cast keeps TypeScript from narrowing it to `null` for good.
  let lastPing = null as { old: TestContact[], contact: TestContact } | null
  for (const [emitter, log] of [[ours, oursEvents], [ref, refEvents]] as const) {
    emitter.on('added', (c: TestContact) => log.push(`added ${c.serial}`))
    emitter.on('removed', (c: TestContact) => log.push(`removed ${c.serial}`))
    emitter.on('updated', (a: TestContact, b: TestContact) => log.push(`updated ${a.serial} ${b.serial}`))
    emitter.on('ping', (old: TestContact[], c: TestContact) => log.push(`ping [${serials(old).join(',')}] ${c.serial}`))
  }
  ours.on('ping', (old, contact) => { lastPing = { old, contact } })

  let serial = 0
  const known: Uint8Array[] = [] // ids ever offered, to re-add, get and remove
  const contact = (id: Uint8Array): TestContact => ({
    id,
    serial: serial++,
    ...(random() < 0.8 ? { vectorClock: randomInt(random, 4) } : {})
  })
  const freshId = (): Uint8Array => {
    const r = random()
    let id: Uint8Array
    if (r < 0.25) {
      id = randomBytes(random, idLength)
    } else if (scenario.sameTails === true && r < 0.32 && known.length > 0) {
      id = known[randomInt(random, known.length)]!.slice()
      const at = Math.max(0, idLength - 5 - randomInt(random, 2))
      id[at] = id[at]! ^ (1 + randomInt(random, 255))
    } else if (r < 0.4 && known.length > 0) {
      // A sibling of a known id, differing only in its last bytes: with long ids, their numeric
      // distances to most targets round to the same double, so tie ordering gets compared.
      id = known[randomInt(random, known.length)]!.slice()
      for (let i = Math.max(0, idLength - 1 - randomInt(random, 3)); i < idLength; i++) id[i] = randomInt(random, 256)
    } else {
      id = idAtDepth(random, localNodeId, randomInt(random, Math.min(bits, 24 + randomInt(random, bits))))
    }
    known.push(id)
    return id
  }
  const knownId = (): Uint8Array => known.length > 0 ? known[randomInt(random, known.length)]! : freshId()
  const target = (): Uint8Array => {
    const r = random()
    if (r < 0.3) return randomBytes(random, idLength)
    if (r < 0.5) return knownId()
    if (r < 0.55) return localNodeId
    if (r < 0.6) return randomBytes(random, Math.max(1, idLength + (random() < 0.5 ? -1 : 1)))
    return idAtDepth(random, localNodeId, randomInt(random, bits))
  }
  const count = (): number => {
    const k = scenario.k ?? 20
    const r = random()
    if (r < 0.1) return Infinity
    if (r < 0.2) return 65 + randomInt(random, 150) // past the bounded-insertion limit: heap or full sort
    return 1 + randomInt(random, 3 * k)
  }

  let closestCalls = 0
  let pings = 0
  let roundedTies = 0
  for (let op = 0; op < scenario.ops; op++) {
    const r = random()
    let label: string
    if (r < 0.35) {
      const c = contact(freshId())
      label = `add new ${c.serial}`
      ours.add(c); ref.add(c)
    } else if (r < 0.5) {
      const c = contact(knownId())
      label = `re-add ${c.serial}`
      ours.add(c); ref.add(c)
    } else if (r < 0.53) {
      const all = ours.toArray()
      const c = all.length > 0 ? all[randomInt(random, all.length)]! : contact(freshId())
      label = `add same object ${c.serial}`
      ours.add(c); ref.add(c)
    } else if (r < 0.6) {
      // Answer the last ping as a DHT would: evict one unresponsive contact, add the newcomer.
      const ping = lastPing
      if (ping === null) continue
      lastPing = null
      const evicted = ping.old[randomInt(random, ping.old.length)]!
      label = `evict ${evicted.serial} for ${ping.contact.serial}`
      ours.remove(evicted.id); ref.remove(evicted.id)
      ours.add(ping.contact); ref.add(ping.contact)
    } else if (r < 0.7) {
      const id = random() < 0.9 ? knownId() : randomBytes(random, idLength + 1)
      label = 'remove'
      ours.remove(id); ref.remove(id)
    } else if (r < 0.78) {
      const id = random() < 0.9 ? knownId() : randomBytes(random, Math.max(1, idLength - 1))
      label = 'get'
      const got = ours.get(id)
      if (got !== ref.get(id)) expect(got, label).toBe(ref.get(id))
    } else if (r < 0.97) {
      const id = target()
      const n = count()
      label = `closest n=${n}`
      closestCalls++
      const expected = ref.closest(id, n)
      const a = serials(ours.closest(id, n))
      const b = serials(expected)
      if (!sameList(a, b)) expect(a, label).toStrictEqual(b)
      if (scenario.distance === undefined) roundedTies += countRoundedTies(expected, id)
    } else {
      // Our extension: a contact whose id length differs is ignored (the reference would store it).
      const c = contact(randomBytes(random, idLength + (random() < 0.5 ? 1 : -1)))
      label = 'add wrong length'
      const before = ours.count()
      ours.add(c)
      expect(ours.count(), label).toBe(before)
      expect(ours.get(c.id), label).toBeNull()
    }

    if (oursEvents.some((e) => e.startsWith('ping'))) pings++
    // Plain comparisons first: calling expect() on every step would dominate the run time.
    if (!sameList(oursEvents, refEvents)) expect(oursEvents, `op ${op}: ${label}`).toStrictEqual(refEvents)
    oursEvents.length = 0
    refEvents.length = 0
    if (ours.count() !== ref.count()) expect(ours.count(), `op ${op}: ${label}`).toBe(ref.count())
    if (op % 10 === 0 && !sameList(serials(ours.toArray()), serials(ref.toArray()))) {
      expect(serials(ours.toArray()), `op ${op}: ${label}`).toStrictEqual(serials(ref.toArray()))
    }
  }

  expect(serials(ours.toArray())).toStrictEqual(serials(ref.toArray()))
  expect(serials(ours.toIterable())).toStrictEqual(serials(ref.toIterable()))
  expect(serials(ours.closest(localNodeId))).toStrictEqual(serials(ref.closest(localNodeId)))
  const leaves = ours.buckets()
  expect(leaves.map((b) => `${b.depth}:${b.size}:${b.coversLocalId}`)).toStrictEqual(referenceLeaves(ref))
  return { ops: scenario.ops, closestCalls, pings, splits: leaves.length - 1, roundedTies, biggest: Math.max(...leaves.map((b) => b.size)) }
}

describe('matches k-bucket@5.1.0 on random operations', () => {
  for (const scenario of scenarios) {
    test(scenario.name, () => {
      for (const seed of SEEDS) {
        const stats = run(scenario, seed)
        // The run must have exercised what it claims to compare.
        expect(stats.closestCalls).toBeGreaterThan(100)
        expect(stats.splits).toBeGreaterThan(0)
        expect(stats.pings).toBeGreaterThan(0)
        if (scenario.idLength >= 20) expect(stats.roundedTies).toBeGreaterThan(0)
        if ((scenario.k ?? 20) > INDEX_MIN) expect(stats.biggest).toBeGreaterThanOrEqual(INDEX_MIN)
      }
    })
  }
})
