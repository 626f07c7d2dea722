// The soak run (issue 10, item 8): a loopback UDP network of HyperDHT nodes, each on its own
// address, doing announces and lookups without pause, while the process samples its JS heap,
// ArrayBuffers and active handles every few seconds. A leak shows as a trend: the verdict
// compares the last third of the samples with the first third (after a warm-up, while tables and
// stores fill). Used by `pnpm soak` (scripts/soak.ts, 10 minutes, 100 nodes) and by the short CI
// version (test/integration/soak.test.ts).
import v8 from 'node:v8'
import vm from 'node:vm'
import type { HyperDHT } from '../../src/index.js'
import { createHyperNetwork, randomKey } from './network.js'

v8.setFlagsFromString('--expose-gc')
const gc = vm.runInNewContext('gc') as () => void

export interface SoakOptions {
  /** Nodes of the network. @default 100 */
  nodes?: number
  /** How long the workload runs (ms). @default 600_000 */
  duration?: number
  /** Sampling period (ms). @default 5000 */
  sampleEvery?: number
  /**
   * Samples taken before this (ms) are the warm-up, left out of the verdict. Runs of 8 minutes or
   * more warm up for 5.5 minutes: the first rotation of the roundtrip-token secrets (after 5
   * minutes) fills a second token cache per node, a one-time step of the heap. @default 5.5 min
   * for runs of 8 min or more, else min(60 s, duration / 5)
   */
  warmup?: number
  /** Operations in flight (each an announce or a lookup). @default 4 */
  inflight?: number
  /**
   * Topics: node i announces topic i % keys, again and again, so that stores fill within
   * seconds and then refresh rather than grow; lookups ask for any topic. @default 32
   */
  keys?: number
  /** Allowed growth of the mean heap (and ArrayBuffers) from the first to the last third. @default 0.1 */
  tolerance?: number
  /** Called with each sample as it is taken. */
  onSample?: (s: SoakSample) => void
}

export interface SoakSample {
  /** Seconds since the workload started. */
  t: number
  heapUsed: number
  arrayBuffers: number
  rss: number
  /** process.getActiveResourcesInfo() by type: UDPWrap, Timeout, Immediate, ... */
  resources: Record<string, number>
  /** Operations finished so far. */
  announces: number
  lookups: number
  /** Operations that failed (with a typed error) so far. */
  failures: number
  warmup: boolean
}

export interface SoakVerdict {
  flat: boolean
  /** Why it is not flat (empty when flat). */
  reasons: string[]
  heap: Trend
  arrayBuffers: Trend
  /** UDP sockets per sample: must not change. */
  sockets: { first: number, last: number, constant: boolean }
  /** Other resources (handles and requests other than timers and UDP sockets): their peak must not grow by more than 4. */
  others: { firstPeak: number, lastPeak: number }
  /** Active timers: bounded when the last third's peak is within the first third's (x2 + 16). */
  timers: { firstPeak: number, lastPeak: number }
}

export interface Trend { first: number, last: number, change: number }

export interface SoakResult {
  samples: SoakSample[]
  verdict: SoakVerdict
  announces: number
  lookups: number
  /** Lookups that found at least one peer. */
  found: number
  failures: number
  /** Failure codes and their counts. */
  failureCodes: Record<string, number>
  /** UDP handles after the network was destroyed (0 when nothing leaked). */
  udpAfterDestroy: number
}

const TIMER_TYPES = new Set(['Timeout', 'Immediate'])
/** dht-rpc rotates its token secrets every 5 minutes (SECRET_ROTATE_INTERVAL); half a minute of margin. */
const FIRST_ROTATION = 5.5 * 60_000

export async function runSoak (opts: SoakOptions = {}): Promise<SoakResult> {
  const size = opts.nodes ?? 100
  const duration = opts.duration ?? 600_000
  const sampleEvery = opts.sampleEvery ?? 5000
  const warmup = opts.warmup ?? (duration >= 8 * 60_000 ? FIRST_ROTATION : Math.min(60_000, duration / 5))
  const inflight = opts.inflight ?? 4
  const keys = Array.from({ length: opts.keys ?? 32 }, () => randomKey())
  const udpBefore = count(process.getActiveResourcesInfo()).UDPWrap ?? 0

  const net = await createHyperNetwork(size)
  const stats = { announces: 0, lookups: 0, found: 0, failures: 0, failureCodes: {} as Record<string, number> }
  const samples: SoakSample[] = []
  const start = Date.now()
  const deadline = start + duration
  const fail = (err: unknown): void => {
    stats.failures++
    const code = (err as { code?: string }).code ?? 'UNKNOWN'
    stats.failureCodes[code] = (stats.failureCodes[code] ?? 0) + 1
  }
  const node = (): HyperDHT => net.nodes[Math.floor(Math.random() * net.nodes.length)]!
  const key = (): Uint8Array => keys[Math.floor(Math.random() * keys.length)]!

  const worker = async (): Promise<void> => {
    while (Date.now() < deadline) {
      try {
        if (Math.random() < 0.5) {
          const i = Math.floor(Math.random() * net.nodes.length)
          const n = net.nodes[i]!
          await n.announce(keys[i % keys.length]!, { port: n.address().port })
          stats.announces++
        } else {
          let peers = 0
          for await (const r of node().lookup(key())) peers += r.peers.length
          stats.lookups++
          if (peers > 0) stats.found++
        }
      } catch (err) {
        fail(err)
      }
    }
  }

  const sample = async (): Promise<void> => {
    // ArrayBuffer memory is released after the GC that finds its last view: collect, let the
    // event loop turn, collect again
    gc()
    await new Promise((resolve) => setImmediate(resolve))
    gc()
    const mem = process.memoryUsage()
    const t = (Date.now() - start) / 1000
    const s: SoakSample = {
      t,
      heapUsed: mem.heapUsed,
      arrayBuffers: mem.arrayBuffers,
      rss: mem.rss,
      resources: count(process.getActiveResourcesInfo()),
      announces: stats.announces,
      lookups: stats.lookups,
      failures: stats.failures,
      warmup: t * 1000 < warmup
    }
    samples.push(s)
    opts.onSample?.(s)
  }

  await sample()
  const timer = setInterval(() => { void sample() }, sampleEvery)
  try {
    await Promise.all(Array.from({ length: inflight }, worker))
  } finally {
    clearInterval(timer)
  }
  await sample()
  await net.destroy()
  // sockets are released a turn or so after their 'close'
  let udpAfterDestroy = Infinity
  for (let i = 0; i < 100 && udpAfterDestroy > udpBefore; i++) {
    await new Promise((resolve) => setTimeout(resolve, 20))
    udpAfterDestroy = count(process.getActiveResourcesInfo()).UDPWrap ?? 0
  }
  return {
    samples,
    verdict: judge(samples, opts.tolerance ?? 0.1),
    ...stats,
    udpAfterDestroy: udpAfterDestroy - udpBefore
  }
}

/**
 * Flat when, after the warm-up, the mean heap of the last third of the samples is within
 * `tolerance` of the first third's (ArrayBuffers likewise, with 1 MB of slack: they are small
 * and move in datagram-sized steps), the count of UDP sockets never changes, the peak of other
 * resources grows by at most 4, and the peak of active timers does not grow beyond twice the
 * first third's (plus 16).
 */
export function judge (all: SoakSample[], tolerance: number): SoakVerdict {
  const samples = all.filter((s) => !s.warmup)
  const third = Math.max(1, Math.floor(samples.length / 3))
  const first = samples.slice(0, third)
  const last = samples.slice(-third)
  const mean = (xs: SoakSample[], f: (s: SoakSample) => number): number => xs.reduce((a, s) => a + f(s), 0) / xs.length
  const trend = (f: (s: SoakSample) => number): Trend => {
    const a = mean(first, f)
    const b = mean(last, f)
    return { first: a, last: b, change: a === 0 ? 0 : (b - a) / a }
  }
  const heap = trend((s) => s.heapUsed)
  const arrayBuffers = trend((s) => s.arrayBuffers)
  const socketCounts = samples.map(sockets)
  const constant = socketCounts.every((h) => h === socketCounts[0])
  const peak = (xs: SoakSample[], f: (s: SoakSample) => number): number => Math.max(...xs.map(f))
  const timersTrend = { firstPeak: peak(first, timers), lastPeak: peak(last, timers) }
  const others = { firstPeak: peak(first, otherResources), lastPeak: peak(last, otherResources) }
  const reasons: string[] = []
  if (samples.length < 3) reasons.push(`only ${samples.length} samples after the warm-up`)
  if (heap.change > tolerance) reasons.push(`heap grew ${(heap.change * 100).toFixed(1)}% (allowed ${(tolerance * 100).toFixed(0)}%)`)
  if (arrayBuffers.last > arrayBuffers.first * (1 + tolerance) + 1024 * 1024) reasons.push(`ArrayBuffers grew ${(arrayBuffers.change * 100).toFixed(1)}%`)
  if (!constant) reasons.push(`UDP sockets changed: ${[...new Set(socketCounts)].join(', ')}`)
  if (others.lastPeak > others.firstPeak + 4) reasons.push(`other handles grew from a peak of ${others.firstPeak} to ${others.lastPeak}`)
  if (timersTrend.lastPeak > timersTrend.firstPeak * 2 + 16) reasons.push(`active timers grew from a peak of ${timersTrend.firstPeak} to ${timersTrend.lastPeak}`)
  return {
    flat: reasons.length === 0,
    reasons,
    heap,
    arrayBuffers,
    sockets: { first: socketCounts[0] ?? 0, last: socketCounts[socketCounts.length - 1] ?? 0, constant },
    others,
    timers: timersTrend
  }
}

/** The samples as a Markdown table. */
export function formatSamples (samples: SoakSample[]): string {
  const head = ['t (s)', 'heap MB', 'ArrayBuffers MB', 'RSS MB', 'UDP sockets', 'other resources', 'timers', 'announces', 'lookups', 'failures', '']
  const rows = samples.map((s) => [
    s.t.toFixed(0), mb(s.heapUsed), mb(s.arrayBuffers), mb(s.rss), String(sockets(s)), String(otherResources(s)),
    String(timers(s)), String(s.announces), String(s.lookups), String(s.failures), s.warmup ? 'warm-up' : ''
  ])
  const widths = head.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i]!.length)))
  const line = (cells: string[]): string => `| ${cells.map((c, i) => c.padStart(widths[i]!)).join(' | ')} |`
  return [line(head), `|${widths.map((w) => '-'.repeat(w + 2)).join('|')}|`, ...rows.map(line)].join('\n')
}

export function formatVerdict (v: SoakVerdict): string {
  const pct = (x: number): string => `${x >= 0 ? '+' : ''}${(x * 100).toFixed(1)}%`
  return [
    `heap: ${mb(v.heap.first)} MB -> ${mb(v.heap.last)} MB (${pct(v.heap.change)}), ` +
      `ArrayBuffers: ${mb(v.arrayBuffers.first)} MB -> ${mb(v.arrayBuffers.last)} MB (${pct(v.arrayBuffers.change)}) ` +
      '(means of the first and last thirds after the warm-up)',
    `UDP sockets: ${v.sockets.first} -> ${v.sockets.last} (${v.sockets.constant ? 'constant' : 'CHANGED'}), ` +
      `other resources peak: ${v.others.firstPeak} -> ${v.others.lastPeak}, active timers peak: ${v.timers.firstPeak} -> ${v.timers.lastPeak}`,
    v.flat ? 'verdict: FLAT' : `verdict: NOT FLAT: ${v.reasons.join('; ')}`
  ].join('\n')
}

function count (resources: string[]): Record<string, number> {
  const out: Record<string, number> = {}
  for (const r of resources) out[r] = (out[r] ?? 0) + 1
  return out
}

function sockets (s: SoakSample): number {
  return s.resources.UDPWrap ?? 0
}

function otherResources (s: SoakSample): number {
  let n = 0
  for (const [type, c] of Object.entries(s.resources)) if (!TIMER_TYPES.has(type) && type !== 'UDPWrap') n += c
  return n
}

function timers (s: SoakSample): number {
  return (s.resources.Timeout ?? 0) + (s.resources.Immediate ?? 0)
}

function mb (bytes: number): string {
  return (bytes / 1024 / 1024).toFixed(1)
}
