// closest() and add() throughput of @hyperdht-ts/kbucket against k-bucket@5.1.0, measured in the
// same run on the same tables and targets. Run with `pnpm bench`. Never gates CI.
// `runKBucketBench()` returns the figures, for the repository's `pnpm bench`.
import { resolve } from 'node:path'
import { performance } from 'node:perf_hooks'
import { fileURLToPath } from 'node:url'
import RefKBucket from 'k-bucket'
import { KBucket, type Contact } from '../src/index.js'
import { createRandom, idAtDepth, randomBytes, randomInt } from '../test/random.js'

interface Table {
  closest (id: Uint8Array, n?: number): Contact[]
  add (contact: Contact): unknown
  count (): number
}

interface Scenario {
  name: string
  k: number
  /** Contacts offered to the table, in order. */
  contacts: Contact[]
  targets: Uint8Array[]
  n: number
}

const random = createRandom(Number(process.env.SEED ?? 42))
const ID_LENGTH = 32
const localNodeId = randomBytes(random, ID_LENGTH)
const randomTargets = (count: number): Uint8Array[] => Array.from({ length: count }, () =>
  random() < 0.5 ? randomBytes(random, ID_LENGTH) : idAtDepth(random, localNodeId, randomInt(random, 64)))

const scenarios: Scenario[] = [
  {
    name: 'DHT table: k=20, 10,000 random ids offered',
    k: 20,
    contacts: Array.from({ length: 10_000 }, () => ({ id: randomBytes(random, ID_LENGTH) })),
    targets: randomTargets(1000),
    n: 20
  },
  {
    name: '10,000 contacts in 240 buckets (k=42)',
    k: 42,
    contacts: Array.from({ length: 10_000 }, (_, i) => ({ id: idAtDepth(random, localNodeId, i % 240) })),
    targets: randomTargets(1000),
    n: 20
  },
  {
    name: '10,000 contacts in one bucket (k=10,000)',
    k: 10_000,
    contacts: Array.from({ length: 10_000 }, () => ({ id: randomBytes(random, ID_LENGTH) })),
    targets: randomTargets(1000),
    n: 20
  }
]

/** Calls per second of `closest()` over the targets, for about `ms` milliseconds. */
function measure (table: Table, scenario: Scenario, ms: number): number {
  const { targets, n } = scenario
  let calls = 0
  let sink = 0
  const start = performance.now()
  let elapsed = 0
  while (elapsed < ms) {
    for (let i = 0; i < 100; i++) sink += table.closest(targets[(calls + i) % targets.length]!, n).length
    calls += 100
    elapsed = performance.now() - start
  }
  if (sink < 0) console.log(sink) // keep the results alive
  return (calls * 1000) / elapsed
}

/** Contacts added per second: fills fresh tables with the scenario's contacts for about `ms` ms. */
function measureAdd (make: () => Table, scenario: Scenario, ms: number): number {
  let added = 0
  let elapsed = 0
  while (elapsed < ms) {
    const table = make()
    const start = performance.now()
    for (const contact of scenario.contacts) table.add(contact)
    elapsed += performance.now() - start
    added += scenario.contacts.length
  }
  return (added * 1000) / elapsed
}

export interface KBucketRow {
  scenario: string
  /** Contacts the table holds after the scenario's adds. */
  tableSize: number
  operation: 'closest' | 'add'
  /** ops/s (closest calls, or contacts added) */
  ours: number
  reference: number
}

/** Best of `rounds` alternating rounds per implementation, `ms` milliseconds per implementation per scenario. */
export function runKBucketBench (ms = Number(process.env.BENCH_MS ?? 1500), rounds = 6): KBucketRow[] {
  const rows: KBucketRow[] = []
  for (const scenario of scenarios) {
    const ours = new KBucket({ localNodeId, numberOfNodesPerKBucket: scenario.k })
    const ref = new RefKBucket({ localNodeId, numberOfNodesPerKBucket: scenario.k })
    for (const contact of scenario.contacts) {
      ours.add(contact)
      ref.add(contact)
    }
    // Same answers first, or the comparison means nothing.
    for (const target of scenario.targets.slice(0, 50)) {
      const a = ours.closest(target, scenario.n)
      const b = ref.closest(target, scenario.n)
      if (a.length !== b.length || a.some((c, i) => c !== b[i])) throw new Error(`results differ in "${scenario.name}"`)
    }
    // Alternate short rounds and keep each side's best, so load from other processes on the
    // machine hits both sides alike; the first round doubles as a warm-up.
    let oursOps = 0
    let refOps = 0
    let oursAdd = 0
    let refAdd = 0
    for (let round = 0; round < rounds; round++) {
      oursOps = Math.max(oursOps, measure(ours, scenario, ms / rounds))
      refOps = Math.max(refOps, measure(ref, scenario, ms / rounds))
      oursAdd = Math.max(oursAdd, measureAdd(() => new KBucket({ localNodeId, numberOfNodesPerKBucket: scenario.k }), scenario, ms / rounds / 2))
      refAdd = Math.max(refAdd, measureAdd(() => new RefKBucket({ localNodeId, numberOfNodesPerKBucket: scenario.k }), scenario, ms / rounds / 2))
    }
    rows.push({ scenario: `${scenario.name}, n=${scenario.n}`, tableSize: ours.count(), operation: 'closest', ours: oursOps, reference: refOps })
    rows.push({ scenario: scenario.name, tableSize: ours.count(), operation: 'add', ours: oursAdd, reference: refAdd })
  }
  return rows
}

function main (): void {
  const format = (value: number): string => Math.round(value).toLocaleString('en-US')
  const MEASURE_MS = Number(process.env.BENCH_MS ?? 1500)
  const ROUNDS = 6
  console.log(`closest(target, n) and add(contact) on ${ID_LENGTH}-byte ids; best of ${ROUNDS} alternating rounds, ${MEASURE_MS} ms per implementation per scenario\n`)
  const rows: string[][] = [['scenario', 'operation', 'table size', '@hyperdht-ts/kbucket ops/s', 'k-bucket@5.1.0 ops/s', 'ratio']]
  for (const r of runKBucketBench(MEASURE_MS, ROUNDS)) {
    rows.push([r.scenario, r.operation, format(r.tableSize), format(r.ours), format(r.reference), `${(r.ours / r.reference).toFixed(2)}x`])
  }
  const widths = rows[0]!.map((_, col) => Math.max(...rows.map((row) => row[col]!.length)))
  for (const [i, row] of rows.entries()) {
    console.log(row.map((cell, col) => (col <= 1 ? cell.padEnd(widths[col]!) : cell.padStart(widths[col]!))).join('  '))
    if (i === 0) console.log(widths.map((w) => '-'.repeat(w)).join('  '))
  }
}

if (process.argv[1] !== undefined && fileURLToPath(import.meta.url) === resolve(process.argv[1])) main()
