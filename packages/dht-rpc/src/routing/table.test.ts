import { seededRandom } from '@hyperdht-ts/test-utils'
import { describe, expect, it } from 'vitest'
import { KBucketTable } from '../../test/kbucket-table.js'
import { FRESH_TICKS } from '../constants.js'
import { AddressCodec } from '../messages/addresses.js'
import { RoutingTable, type TableNode } from './table.js'

const ipv4Codec = new AddressCodec(4)
const ipv6Codec = new AddressCodec(6)


/** What a table hands out, comparable across the two implementations. */
function view (n: { id: Uint8Array, host: string, port: number, tick: number, failures: number } | null): string | null {
  return n === null ? null : `${Buffer.from(n.id).toString('hex')}@${n.host}:${n.port} t${n.tick} f${n.failures}`
}

type AnyTable = RoutingTable | KBucketTable

function record (t: AnyTable, log: string[]): void {
  const added = (n: TableNode): void => { log.push('add ' + view(n)) }
  const removed = (n: TableNode): void => { log.push('remove ' + view(n)) }
  const ping = (old: TableNode[], fresh: TableNode): void => { log.push('ping ' + old.map(view).join(',') + ' <- ' + view(fresh)) }
  const rejected = (n: { id: Uint8Array, host: string }, limit: string): void => { log.push(`rejected ${Buffer.from(n.id).toString('hex')}@${n.host} ${limit}`) }
  if (t instanceof RoutingTable) {
    t.listener = { nodeAdded: added, nodeRemoved: removed, bucketFull: ping, diversityRejected: rejected }
    return
  }
  t.on('add-node', added)
  t.on('remove-node', removed)
  t.on('ping', ping)
  t.on('diversity-rejected', rejected)
}

/**
 * Random operations on both tables, comparing every answer and every event. Ids share a random
 * number of leading bits with ours (mostly few, some many: the covering bucket splits deep);
 * hosts come from a few /16s and /24s, so that the diversity limits bite.
 */
function differential (seed: number, opts: { idLength: number, k: number, ops: number, diversity?: { maxPer16?: number, maxPer24PerBucket?: number } }): { events: string[], size: number, buckets: number } {
  const random = seededRandom(seed)
  const int = (n: number): number => Math.floor(random() * n)
  const bytes = (n: number): Uint8Array => Uint8Array.from({ length: n }, () => int(256))
  const local = bytes(opts.idLength)
  const near = (): Uint8Array => {
    const id = bytes(opts.idLength)
    const bits = opts.idLength * 8
    const cpl = random() < 0.7 ? int(4) : int(Math.min(bits, 40))
    for (let i = 0; i < cpl; i++) {
      const mask = 0x80 >> (i & 7)
      id[i >> 3] = (id[i >> 3]! & ~mask) | (local[i >> 3]! & mask)
    }
    if (cpl < bits) id[cpl >> 3] ^= ((local[cpl >> 3]! ^ id[cpl >> 3]!) & (0x80 >> (cpl & 7))) ^ (0x80 >> (cpl & 7))
    return id
  }
  const host = (): string => {
    if (random() < 0.1) return ['fe80::1', 'fe80::2', '2001:db8:1::1', '2001:db8:2::7', 'name.example', '::ffff:10.1.2.3', '::ffff:10.1.2.4'][int(7)]!
    return `10.${int(3)}.${int(4)}.${int(256)}`
  }
  const ours = new RoutingTable(local, opts.k, opts.diversity)
  const model = new KBucketTable(local, opts.k, opts.diversity)
  const oursLog: string[] = []
  const modelLog: string[] = []
  record(ours, oursLog)
  record(model, modelLog)
  const known: Uint8Array[] = []
  let checked = 0
  const pick = (): Uint8Array => known.length > 0 && random() < 0.8 ? known[int(known.length)]! : near()

  for (let op = 0; op < opts.ops; op++) {
    const r = random()
    const tick = op >> 4
    if (r < 0.45) {
      const id = random() < 0.7 ? near() : pick()
      known.push(id)
      const peer = { host: random() < 0.8 ? host() : (model.get(id)?.host ?? host()), port: 1 + int(3) }
      // admits(): false exactly when add() turns the newcomer away without a ping that could let it in
      const admits = ours.admits(id, peer.host, tick, FRESH_TICKS)
      const logged = oursLog.length
      const added = ours.add(id, peer, tick)
      expect(added).toBe(model.add(id, peer, tick))
      const event = oursLog[logged]
      const stalePing = event?.startsWith('ping ') === true &&
        [...event.matchAll(/ t(\d+) f\d+[,<]/g)].some((m) => tick - Number(m[1]) >= FRESH_TICKS)
      expect(admits, event).toBe(added || stalePing)
    } else if (r < 0.55) {
      const id = pick()
      ours.remove(id)
      model.remove(id)
    } else if (r < 0.65) {
      const id = pick()
      const n = model.get(id)
      const peer = n !== null && random() < 0.8 ? { host: n.host, port: n.port } : { host: host(), port: 1 }
      expect(ours.failed(id, peer)).toBe(model.failed(id, peer))
    } else if (r < 0.7) {
      const n = model.get(pick())
      if (n !== null) {
        ours.refresh(n)
        model.refresh(n)
      }
    } else if (r < 0.8) {
      const id = pick()
      const stored = model.get(id)
      expect(view(ours.get(id))).toBe(view(stored))
      const peer = stored !== null && random() < 0.5 ? { host: stored.host, port: stored.port } : { host: host(), port: 1 + int(3) }
      expect(ours.knownAt(id, peer)).toBe(stored === null ? null : stored.host === peer.host && stored.port === peer.port)
      expect(ours.hasAddress(peer.host, peer.port)).toBe(model.atHost(peer.host).some((n) => n.port === peer.port))
    } else if (r < 0.9) {
      const target = random() < 0.9 ? bytes(opts.idLength) : bytes(1 + int(opts.idLength + 4))
      const n = [1, 3, opts.k, 2 * opts.k + 1, 100][int(5)]!
      expect(ours.closest(target, n).map(view)).toEqual(model.closest(target, n).map(view))
      if (opts.idLength === 32) {
        // a response's nodes: the same bytes as the codec makes of the snapshots
        for (const codec of [ipv4Codec, ipv6Codec]) {
          expect(Buffer.from(ours.encodeClosest(target, n, codec)).toString('hex')).toBe(Buffer.from(codec.encodeNodes(model.closest(target, n))).toString('hex'))
        }
      }
    } else {
      expect(ours.count()).toBe(model.count())
      expect(ours.toArray().map(view)).toEqual(model.toArray().map(view))
      expect([...ours.leastRecentlySeen()].map(view)).toEqual([...model.leastRecentlySeen()].map(view))
      expect(ours.stats()).toEqual(model.stats())
      const fixed = (n: number): Uint8Array => new Uint8Array(n).fill(0x5a)
      expect(ours.refreshTargets(3, fixed)).toEqual(model.refreshTargets(3, fixed))
      for (let c = 0; c < 12; c++) expect(ours.rangeSize(c)).toBe(model.rangeSize(c))
    }
    if (oursLog.length !== checked || modelLog.length !== checked) {
      expect(oursLog.slice(checked)).toEqual(modelLog.slice(checked))
      checked = oursLog.length
    }
  }
  expect(ours.toArray().map(view)).toEqual(model.toArray().map(view))
  expect(ours.diversityRejected).toBe(model.diversityRejected)
  return { events: modelLog, size: model.count(), buckets: model.stats().buckets.length }
}

describe('RoutingTable against the k-bucket tree it replaced', () => {
  const count = (runs: Array<{ events: string[] }>, kind: string): number => runs.reduce((n, r) => n + r.events.filter((e) => e.startsWith(kind)).length, 0)

  it('same answers and events on random operations (32-byte ids, k = 20, default diversity limits)', () => {
    const runs = [1, 2, 3, 4].map((seed) => differential(seed, { idLength: 32, k: 20, ops: 3000 }))
    expect(count(runs, 'rejected')).toBeGreaterThan(100)
    expect(Math.max(...runs.map((r) => r.buckets))).toBeGreaterThan(1)
  })

  it('same with a small k (deep splits, full far buckets, pings)', () => {
    const runs = [11, 12, 13, 14, 15, 16].map((seed) => differential(seed, { idLength: 32, k: 3, ops: 2000, diversity: { maxPer16: Infinity, maxPer24PerBucket: Infinity } }))
    expect(count(runs, 'ping')).toBeGreaterThan(100)
    expect(count(runs, 'remove')).toBeGreaterThan(100)
    expect(Math.min(...runs.map((r) => r.buckets))).toBeGreaterThan(5)
  })

  it('same with short ids and tight diversity limits', () => {
    const runs = [21, 22, 23, 24].map((seed) => differential(seed, { idLength: 4, k: 4, ops: 2000, diversity: { maxPer16: 6, maxPer24PerBucket: 1 } }))
    expect(count(runs, 'rejected')).toBeGreaterThan(100)
  })

  it('hands out copies: changing a returned id changes nothing in the table', () => {
    const t = new RoutingTable(new Uint8Array(32))
    const id = new Uint8Array(32).fill(7)
    t.add(id, { host: '10.0.0.1', port: 1 }, 0)
    t.get(id)!.id.fill(0)
    t.closest(id)[0]!.id.fill(0)
    expect(t.get(id)?.host).toBe('10.0.0.1')
  })
})
