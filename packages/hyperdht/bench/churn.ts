// Lookups under churn on real UDP (issue 11, goal 5): a loopback network of 100 nodes, each on
// an address of its own, where 5% of the nodes are replaced every 30 s: destroyed without a
// goodbye (as a crash) and succeeded by fresh nodes at fresh addresses. Announce→lookup pairs run
// without pause (4 in flight): for 20 s not counted (a network just built refreshes its buckets),
// 20 s on the calm network, then while the churn goes on; the
// figures of each phase are reported apart, ours and hyperdht@1.3.0 in the same run.
//
//   pnpm --filter @hyperdht-ts/hyperdht bench:churn  (CHURN_ROUNDS=3 CHURN_WARMUP_S=20 CHURN_CLEAN_S=30 to change)
//
// A pair counts only if neither of its two nodes was replaced while it ran (those are counted as
// interrupted): the figures are what surviving nodes see. The time of a lookup is until it ends
// (its whole walk), as in the lookup benchmark; `foundAfter` is until the first result held the
// announced port.
import { randomBytes } from 'node:crypto'
import { resolve } from 'node:path'
import { performance } from 'node:perf_hooks'
import { fileURLToPath } from 'node:url'
import { testnetHost } from '@hyperdht-ts/dht-rpc/testnet'
import { sleep } from '@hyperdht-ts/test-utils'
import { ours, quantile, reference, type Impl, type LookupOutcome } from './lookup.js'

export interface ChurnOptions {
  /** Nodes of the network. @default 100 */
  nodes?: number
  /** Share of the nodes replaced at each round. @default 0.05 */
  share?: number
  /** ms between rounds. @default 30_000 */
  every?: number
  /** Rounds of replacements (the churn phase lasts rounds x every). @default 2 */
  rounds?: number
  /**
   * ms of pairs run but not counted before the calm phase: a network just built is busy
   * refreshing its buckets, and its lookups take twice as long as later. @default 20_000
   */
  warmup?: number
  /** ms of pairs on the calm network, after the warm-up. @default 20_000 */
  clean?: number
  /** Announce→lookup pairs in flight. @default 4 */
  inflight?: number
  /** Progress lines. */
  log?: (line: string) => void
}

export interface ChurnPhase {
  /** Pairs that ran to the end with both their nodes alive. */
  lookups: number
  found: number
  /** Pairs during which one of their nodes was replaced (left out of every other figure). */
  interrupted: number
  /** Pairs whose announce or lookup failed with an error, both nodes alive. */
  failed: number
  /** Those failures by error code. */
  failures: Record<string, number>
  /** Pairs whose announce or lookup never settled (given up after 30 s). */
  stuck: number
  /** Lookup end, ms. */
  median: number
  p95: number
  /** First result holding the announced port, ms (found lookups only). */
  foundMedian: number
  requests: number
  /** Share of the lookups' requests that got no answer. */
  unanswered: number
}

export interface ChurnRow {
  impl: string
  nodes: number
  replacedPerRound: number
  every: number
  rounds: number
  clean: ChurnPhase
  churn: ChurnPhase
  /** Exceptions the implementation threw from its own timers (the reference's linked-list bug). */
  uncaught?: number
}

interface Sample { outcome: LookupOutcome, ms: number }
interface PhaseSamples { samples: Sample[], interrupted: number, failures: Record<string, number>, stuck: number }

/** An announce or lookup never settling (the reference's, after its timers threw) ends its pair. */
const STUCK_AFTER = 30_000

/** The operation's value, or `false` if it did not settle within STUCK_AFTER. */
async function withDeadline<T> (op: Promise<T>): Promise<T | false> {
  let timer: NodeJS.Timeout | undefined
  const deadline = new Promise<false>((resolve) => { timer = setTimeout(() => resolve(false), STUCK_AFTER) })
  try {
    return await Promise.race([op, deadline])
  } finally {
    clearTimeout(timer)
  }
}

function summarize ({ samples, interrupted, failures, stuck }: PhaseSamples): ChurnPhase {
  const times = samples.map((s) => s.ms).sort((a, b) => a - b)
  const found = samples.filter((s) => s.outcome.found)
  const foundTimes = found.map((s) => s.outcome.foundAfter).sort((a, b) => a - b)
  const requests = samples.reduce((n, s) => n + s.outcome.requests, 0)
  const unanswered = samples.reduce((n, s) => n + s.outcome.unanswered, 0)
  return {
    lookups: samples.length,
    found: found.length,
    interrupted,
    failed: Object.values(failures).reduce((a, b) => a + b, 0),
    failures,
    stuck,
    median: quantile(times, 0.5),
    p95: quantile(times, 0.95),
    foundMedian: quantile(foundTimes, 0.5),
    requests: samples.length === 0 ? NaN : requests / samples.length,
    unanswered: requests === 0 ? NaN : unanswered / requests
  }
}

async function measure (impl: Impl, opts: Required<Omit<ChurnOptions, 'log'>>, log: (line: string) => void): Promise<ChurnRow> {
  const t0 = performance.now()
  await impl.build(opts.nodes)
  log(`${impl.name}: ${opts.nodes} nodes built in ${((performance.now() - t0) / 1000).toFixed(1)} s`)
  // Bumped when a node is replaced: a pair that saw its node's generation change was interrupted.
  const generation = new Array<number>(opts.nodes).fill(0)
  const phase0 = (): PhaseSamples => ({ samples: [], interrupted: 0, failures: {}, stuck: 0 })
  const phases = { warmup: phase0(), clean: phase0(), churn: phase0() }
  let phase: 'warmup' | 'clean' | 'churn' = 'warmup'
  let stopped = false
  let port = 10_000
  // nodes being replaced: their old instance is destroyed, the new one not there yet
  const replacing = new Set<number>()
  const pick = (not = -1): number => {
    for (;;) {
      const i = Math.floor(Math.random() * opts.nodes)
      if (i !== not && !replacing.has(i)) return i
    }
  }
  const worker = async (): Promise<void> => {
    while (!stopped) {
      const a = pick()
      const b = pick(a)
      const ga = generation[a]
      const gb = generation[b]
      const key = new Uint8Array(randomBytes(32))
      const p = port++
      let sample: Sample | null = null
      let stuck = false
      let error = ''
      try {
        stuck = await withDeadline(impl.announce(a, key, p)) === false
        const s = performance.now()
        const outcome = stuck ? null : await withDeadline(impl.lookup(b, key, p))
        if (outcome === false) stuck = true
        else if (outcome !== null) sample = { outcome, ms: performance.now() - s }
      } catch (err) {
        // a node destroyed under the pair is counted below as interrupted; other errors by code
        error = (err as { code?: string }).code ?? String(err)
      }
      const bucket = phases[phase] // a pair belongs to the phase it ended in (the churn's if it ran into it)
      if (generation[a] !== ga || generation[b] !== gb) bucket.interrupted++
      else if (stuck) bucket.stuck++
      else if (sample !== null) bucket.samples.push(sample)
      else bucket.failures[error] = (bucket.failures[error] ?? 0) + 1
    }
  }
  const workers = Promise.all(Array.from({ length: opts.inflight }, worker))
  await sleep(opts.warmup)
  phase = 'clean'
  await sleep(opts.clean)
  phase = 'churn'
  let next = opts.nodes // fresh addresses for the newcomers
  const replaced = Math.max(1, Math.round(opts.nodes * opts.share))
  for (let r = 0; r < opts.rounds; r++) {
    const round = performance.now()
    // node 0 is the bootstrap node, which newcomers join through: it stays
    const victims = new Set<number>()
    while (victims.size < replaced) victims.add(1 + Math.floor(Math.random() * (opts.nodes - 1)))
    await Promise.all([...victims].map(async (i) => {
      replacing.add(i)
      generation[i]!++
      await impl.replace(i, testnetHost(next++))
      replacing.delete(i)
    }))
    log(`${impl.name}: round ${r + 1}/${opts.rounds}: ${replaced} nodes replaced`)
    await sleep(Math.max(0, opts.every - (performance.now() - round)))
  }
  stopped = true
  await workers
  await impl.destroy()
  return {
    impl: impl.name,
    nodes: opts.nodes,
    replacedPerRound: replaced,
    every: opts.every,
    rounds: opts.rounds,
    clean: summarize(phases.clean),
    churn: summarize(phases.churn)
  }
}

/** Ours, then the reference, on networks of their own: one row each. */
export async function runChurnBench (options: ChurnOptions = {}): Promise<ChurnRow[]> {
  const opts = {
    nodes: options.nodes ?? 100,
    share: options.share ?? 0.05,
    every: options.every ?? 30_000,
    rounds: options.rounds ?? 2,
    warmup: options.warmup ?? 20_000,
    clean: options.clean ?? 20_000,
    inflight: options.inflight ?? 4
  }
  const log = options.log ?? ((line: string) => { process.stderr.write(line + '\n') })
  const rows: ChurnRow[] = []
  rows.push(await measure(ours(), opts, log))
  // dht-rpc@2.3.0 throws from a timer under churn: a ping timeout removes a contact from its
  // linked list a second time ("Cannot set properties of null"), the bug its destroy() has too.
  // Uncaught, it would end the process; the reference's row counts those exceptions instead.
  let crashes = 0
  const count = (err: Error): void => {
    if (!String(err?.stack).includes('dht-rpc@2.3.0')) throw err
    crashes++
  }
  process.on('uncaughtException', count)
  try {
    rows.push({ ...await measure(reference(), opts, log), uncaught: 0 })
  } finally {
    process.off('uncaughtException', count)
  }
  rows[1]!.uncaught = crashes
  return rows
}

async function main (): Promise<void> {
  const rows = await runChurnBench({
    rounds: Number(process.env.CHURN_ROUNDS ?? 2),
    warmup: 1000 * Number(process.env.CHURN_WARMUP_S ?? 20),
    clean: 1000 * Number(process.env.CHURN_CLEAN_S ?? 20)
  })
  const fmt = (n: number, digits = 0): string => Number.isFinite(n) ? n.toFixed(digits) : '-'
  for (const r of rows) {
    console.log(`${r.impl}: ${r.nodes} nodes, ${r.replacedPerRound} replaced every ${r.every / 1000} s, ${r.rounds} rounds`)
    for (const [name, p] of [['clean', r.clean], ['churn', r.churn]] as const) {
      console.log(`  ${name.padEnd(5)} ${p.found}/${p.lookups} found (${p.interrupted} interrupted, ${p.failed} failed ${JSON.stringify(p.failures)}, ${p.stuck} stuck), lookup end median ${fmt(p.median)} ms, p95 ${fmt(p.p95)} ms, found after ${fmt(p.foundMedian)} ms, ${fmt(p.requests, 1)} requests, ${fmt(100 * p.unanswered, 1)}% unanswered`)
    }
    console.log(`  churn median / clean median: ${fmt(r.churn.median / r.clean.median, 2)}x`)
    if ((r.uncaught ?? 0) > 0) console.log(`  ${r.uncaught} uncaught exceptions from its timers (dht-rpc@2.3.0's linked-list bug)`)
  }
}

if (process.argv[1] !== undefined && fileURLToPath(import.meta.url) === resolve(process.argv[1])) {
  main().then(() => process.exit(0), (err) => {
    console.error(err)
    process.exit(1)
  })
}
