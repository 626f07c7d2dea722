// Lookups on loopback UDP networks of 200 and 2,000 nodes vs hyperdht@1.3.0 (one process):
// found share, requests per lookup, median lookup time, memory per node, CPU per pair.
import { referenceDestroyErrorCount, runLookupBench } from '../../packages/hyperdht/bench/lookup.js'
import type { Row } from '../lib/rows.js'

export async function run (quick: boolean): Promise<Row[]> {
  const sizes = quick ? [200] : [200, 2000]
  // 500 pairs at 2,000 nodes (issue 11's goal), 200 at 200 nodes; quick: a smoke run
  const results = await runLookupBench(sizes, (size) => quick ? 20 : size >= 1000 ? 500 : 200)
  const rows: Row[] = []
  for (const size of sizes) {
    const a = results.find((r) => r.size === size && r.impl === 'ours')
    const b = results.find((r) => r.size === size && r.impl !== 'ours')
    if (a === undefined || b === undefined) continue
    const base = { group: 'lookups', referenceName: b.impl, bare: null }
    const net = `${size.toLocaleString('en-US')} nodes, ${a.lookups} announce→lookup pairs`
    rows.push(
      { ...base, scenario: `${net}: found`, unit: 'found', higherIsBetter: true, ours: a.found, reference: b.found },
      { ...base, scenario: `${net}: requests per lookup`, unit: 'requests', higherIsBetter: false, ours: a.requests, reference: b.requests },
      { ...base, scenario: `${net}: median lookup`, unit: 'ms', higherIsBetter: false, ours: a.median, reference: b.median },
      { ...base, scenario: `${net}: memory per node (heap + ArrayBuffers)`, unit: 'KB', higherIsBetter: false, ours: a.heapPerNode / 1024, reference: b.heapPerNode / 1024 },
      { ...base, scenario: `${net}: CPU per announce→lookup pair (every node)`, unit: 'ms', higherIsBetter: false, ours: a.cpuPerPair / 1000, reference: b.cpuPerPair / 1000 }
    )
  }
  const errors = referenceDestroyErrorCount()
  if (errors > 0 && rows.length > 0) rows[0]!.note = `hyperdht@1.3.0 destroy() threw in ${errors} nodes (a dht-rpc@2.3.0 bug, ignored)`
  return rows
}
