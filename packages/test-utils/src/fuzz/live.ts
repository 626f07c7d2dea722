// Shared by the whole-packet fuzz tests of dht-rpc and hyperdht: the run configuration from the
// environment, the drop accounting of a node's stats, and a raw `_find_node` probe. Structural
// types only (test-utils depends on no package of the workspace).
import { createSocket } from 'node:dgram'
import { once } from 'node:events'
import { writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import type { FuzzDatagram } from './packets.js'
import { envCount, fuzzSeed } from './prng.js'

export interface FuzzRunConfig {
  seed: number
  /** Datagrams to send (Infinity in a timed run without FUZZ_DATAGRAMS). */
  count: number
  /** A timed run: minutes, else 0. */
  minutes: number
  /** Request source addresses. */
  sources: number
  /** For vitest's per-test timeout. */
  timeoutMs: number
}

/**
 * `FUZZ_SEED` (else random), `FUZZ_DATAGRAMS` (else `datagrams`), `FUZZ_MINUTES` (a timed run:
 * sends until the time is up, or until FUZZ_DATAGRAMS if also set), `FUZZ_SOURCES` (else 64).
 */
export function fuzzRunConfig (datagrams: number): FuzzRunConfig {
  const seed = fuzzSeed()
  const minutes = Number(process.env.FUZZ_MINUTES ?? 0)
  if (!Number.isFinite(minutes) || minutes < 0) throw new RangeError(`FUZZ_MINUTES must be a non-negative number, got ${process.env.FUZZ_MINUTES}`)
  const count = minutes > 0 && !process.env.FUZZ_DATAGRAMS ? Infinity : envCount('FUZZ_DATAGRAMS', datagrams)
  const sources = envCount('FUZZ_SOURCES', 64)
  // generous: a loaded 2-core machine runs 100,000 datagrams in well under a minute
  const timeoutMs = minutes > 0 ? minutes * 60_000 + 120_000 : 60_000 + count
  return { seed, count, minutes, sources, timeoutMs }
}

/** The replay line printed at the start of a run and on failure. */
export function replayLine (config: FuzzRunConfig, sent: number | null, testFile: string): string {
  const n = sent ?? (Number.isFinite(config.count) ? config.count : null)
  const env = [`FUZZ_SEED=${config.seed}`, n !== null ? `FUZZ_DATAGRAMS=${n}` : `FUZZ_MINUTES=${config.minutes}`]
  if (config.sources !== 64) env.push(`FUZZ_SOURCES=${config.sources}`)
  return `${env.join(' ')} pnpm vitest run ${testFile}`
}

/** Writes `report` as JSON to `FUZZ_REPORT` when set (read by `pnpm fuzz`). */
export function writeFuzzReport (report: Record<string, unknown>): void {
  const path = process.env.FUZZ_REPORT
  if (path) writeFileSync(path, JSON.stringify(report, null, 2) + '\n')
}

/**
 * Runs the post-run checks; if one fails, writes the last datagrams sent as corpus entries
 * (`target: datagram`) to a file in the temp directory, adds its path to the report, prints the
 * replay line and the path, and rethrows. Copy the culprit entry into a corpus once found.
 */
export async function withFailureReport (
  name: string, config: FuzzRunConfig, replay: string, lastSent: readonly FuzzDatagram[], report: Record<string, unknown>, checks: () => Promise<void>
): Promise<void> {
  try {
    await checks()
  } catch (err) {
    const file = join(tmpdir(), `fuzz-${name}-${config.seed}-last.json`)
    const entries = lastSent.map((d) => ({
      target: 'datagram',
      hex: Buffer.from(d.bytes.buffer, d.bytes.byteOffset, d.bytes.byteLength).toString('hex'),
      note: `${name} fuzz seed ${config.seed}, datagram #${d.index}: ${d.how}`
    }))
    writeFileSync(file, JSON.stringify(entries, null, 2) + '\n')
    writeFuzzReport({ ...report, failed: true, failureFile: file })
    console.log(`${name} fuzz FAILED: replay with ${replay}; the last ${entries.length} datagrams are in ${file}`)
    throw err
  }
}

/** The part of a dht-rpc node's `stats` that the accounting reads. */
export interface NodeStatsLike {
  requestsIn: number
  responsesOut: number
  dropped: { total: number, tooShort: number, undecodable: number, unmatched: number }
  holepunches: { forwarded: number }
}

/**
 * Drop reasons counted before a request reaches `requestsIn` (the datagram never became a
 * request of the node). A per-IP `rateLimited` reason belongs here if the limiter acts before
 * decoding; every other reason is a request-level drop (the request counted, then not answered).
 */
export const DATAGRAM_REASONS: readonly string[] = ['tooShort', 'undecodable', 'unmatched', 'rateLimited']

export interface FuzzAccount {
  /** Datagrams the node counted: datagram-level drops + requests (matched responses excluded). */
  received: number
  requestsIn: number
  answered: number
  forwarded: number
  /** Request-level drops (invalidTarget, invalidForward, handlerError, tooLarge, ...). */
  requestDrops: number
  /** requestsIn - answered - forwarded - requestDrops: requests that vanished without a count. */
  unaccounted: number
  /** dropped.total minus the sum of the reasons (must be 0). */
  totalMismatch: number
  byReason: Record<string, number>
}

/** What happened to the datagrams a node received between two snapshots of its stats. */
export function accountDrops (before: NodeStatsLike, after: NodeStatsLike): FuzzAccount {
  const b = before.dropped as unknown as Record<string, number>
  const a = after.dropped as unknown as Record<string, number>
  const byReason: Record<string, number> = {}
  let datagram = 0
  let request = 0
  let sumAfter = 0
  for (const [reason, value] of Object.entries(a)) {
    if (reason === 'total') continue
    sumAfter += value
    const delta = value - (b[reason] ?? 0)
    byReason[reason] = delta
    if (DATAGRAM_REASONS.includes(reason)) datagram += delta
    else request += delta
  }
  const requestsIn = after.requestsIn - before.requestsIn
  const answered = after.responsesOut - before.responsesOut
  const forwarded = after.holepunches.forwarded - before.holepunches.forwarded
  return {
    received: datagram + requestsIn,
    requestsIn,
    answered,
    forwarded,
    requestDrops: request,
    unaccounted: requestsIn - answered - forwarded - request,
    totalMismatch: after.dropped.total - sumAfter,
    byReason
  }
}

export interface RawCodecs {
  encodeRequest (m: { command: string, target?: Uint8Array | null }): Uint8Array
  decodeResponse (b: Uint8Array): { id?: Uint8Array | null, nodes?: Uint8Array | null }
}

/**
 * One `_find_node` sent from a bare socket on `fromHost`, outside any DHT: the responder's id and
 * the nodes it returned (38-byte IPv4 entries, parsed here), or null on no answer within `timeout`.
 */
export async function rawFindNode (to: { host: string, port: number }, target: Uint8Array, codecs: RawCodecs, fromHost: string, timeout = 5000):
Promise<{ id: Uint8Array | null, nodes: Array<{ id: string, host: string, port: number }> } | null> {
  const s = createSocket('udp4')
  try {
    s.bind(0, fromHost)
    await once(s, 'listening')
    const tid = 0x1234
    const body = codecs.encodeRequest({ command: '_find_node', target })
    const msg = Buffer.alloc(body.length + 2)
    msg.writeUInt16BE(0x8000 | tid, 0)
    msg.set(body, 2)
    const answer = new Promise<Buffer | null>((resolve) => {
      const timer = setTimeout(() => resolve(null), timeout)
      s.on('message', (m, rinfo) => {
        if (rinfo.address !== to.host || rinfo.port !== to.port || m.length < 2 || m.readUInt16BE(0) !== tid) return
        clearTimeout(timer)
        resolve(m)
      })
    })
    s.send(msg, to.port, to.host)
    const m = await answer
    if (m === null) return null
    const res = codecs.decodeResponse(m.subarray(2))
    const raw = res.nodes ?? new Uint8Array(0)
    const nodes: Array<{ id: string, host: string, port: number }> = []
    for (let o = 0; o + 38 <= raw.length; o += 38) {
      nodes.push({
        id: Buffer.from(raw.subarray(o, o + 32)).toString('hex'),
        host: [...raw.subarray(o + 32, o + 36)].join('.'),
        port: (raw[o + 36]! << 8) | raw[o + 37]!
      })
    }
    return { id: res.id ?? null, nodes }
  } finally {
    s.close()
  }
}

/** Resolves once `read()` returned the same value twice `quietMs` apart (a node done processing). */
export async function settled (read: () => string, quietMs = 250, timeout = 15_000): Promise<void> {
  const end = Date.now() + timeout
  let last = read()
  for (;;) {
    await new Promise((resolve) => setTimeout(resolve, quietMs))
    const now = read()
    if (now === last) return
    if (Date.now() > end) throw new Error('settled: still changing after ' + timeout + ' ms')
    last = now
  }
}
