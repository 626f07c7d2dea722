// Lookups under churn on real UDP (issue 11, goal 5): 100 loopback nodes, 5% replaced every 30 s,
// announce→lookup pairs without pause, ours and hyperdht@1.3.0 on networks of their own.
import { runChurnBench, type ChurnPhase } from '../../packages/hyperdht/bench/churn.js'
import type { Row } from '../lib/rows.js'

export async function run (quick: boolean): Promise<Row[]> {
  const options = quick ? { warmup: 2000, clean: 3000, every: 5000, rounds: 1 } : {}
  const [a, b] = await runChurnBench({ ...options, log: (line) => console.error(`  ${line}`) })
  if (a === undefined || b === undefined) return []
  const net = `${a.nodes} nodes, ${a.replacedPerRound} replaced every ${a.every / 1000} s`
  const base = { group: 'churn (loopback UDP)', referenceName: b.impl, bare: null }
  const phaseRows = (name: string, x: ChurnPhase, y: ChurnPhase): Row[] => [
    { ...base, scenario: `${net}, ${name}: found`, unit: '%', higherIsBetter: true, ours: 100 * x.found / x.lookups, reference: 100 * y.found / y.lookups, extra: { oursLookups: x.lookups, referenceLookups: y.lookups } },
    { ...base, scenario: `${net}, ${name}: median lookup`, unit: 'ms', higherIsBetter: false, ours: x.median, reference: y.median },
    { ...base, scenario: `${net}, ${name}: p95 lookup`, unit: 'ms', higherIsBetter: false, ours: x.p95, reference: y.p95 },
    { ...base, scenario: `${net}, ${name}: requests unanswered`, unit: '%', higherIsBetter: false, ours: 100 * x.unanswered, reference: 100 * y.unanswered }
  ]
  const rows = [
    ...phaseRows('calm', a.clean, b.clean),
    ...phaseRows('during churn', a.churn, b.churn),
    { ...base, scenario: `${net}: median lookup during churn / calm (goal: at most 3x)`, unit: 'x', higherIsBetter: false, ours: a.churn.median / a.clean.median, reference: b.churn.median / b.clean.median }
  ]
  const notes = [
    (b.uncaught ?? 0) > 0 ? `hyperdht@1.3.0 threw ${b.uncaught} uncaught exceptions from its timers (dht-rpc@2.3.0's linked-list bug)` : '',
    b.churn.stuck + b.clean.stuck > 0 ? `${b.churn.stuck + b.clean.stuck} of its pairs never settled` : '',
    a.churn.stuck + a.clean.stuck + a.churn.failed + a.clean.failed > 0 ? `ours: ${a.churn.failed + a.clean.failed} pairs failed ${JSON.stringify({ calm: a.clean.failures, churn: a.churn.failures })}, ${a.churn.stuck + a.clean.stuck} never settled` : ''
  ].filter((n) => n !== '')
  if (notes.length > 0) rows[0]!.note = notes.join('; ')
  return rows
}
