// kbucket add() and closest() at 10,000 contacts vs k-bucket@5.1.0.
import { runKBucketBench } from '../../packages/kbucket/bench/closest.js'
import type { Row } from '../lib/rows.js'

export async function run (quick: boolean): Promise<Row[]> {
  return runKBucketBench(quick ? 200 : 900, quick ? 2 : 4).map((r) => ({
    group: 'kbucket',
    scenario: `${r.operation}: ${r.scenario} (${r.tableSize.toLocaleString('en-US')} held)`,
    unit: r.operation === 'add' ? 'contacts/s' : 'calls/s',
    higherIsBetter: true,
    ours: r.ours,
    reference: r.reference,
    referenceName: 'k-bucket@5.1.0',
    bare: null
  }))
}
