// Client `_ping` throughput through the full stack, 16 in flight: @hyperdht-ts/dht-rpc vs
// dht-rpc@2.3.0 vs a bare dgram request/response loop (client and server in this process).
import { pingRound, referenceVersion, type Contender, type PingSample } from '../../packages/dht-rpc/bench/ping.js'
import { AllocationMeter } from '../lib/allocations.js'
import { median, type Row } from '../lib/rows.js'

export async function run (quick: boolean): Promise<Row[]> {
  const rounds = quick ? 1 : 3
  const seconds = quick ? 0.4 : 1.5
  const concurrency = 16
  const contenders = ['bare', 'reference', 'ours', 'ours-udx'] as const
  const samples: Record<Contender, PingSample[]> = { bare: [], reference: [], ours: [], 'ours-udx': [] }
  for (let r = 0; r < rounds; r++) {
    for (const c of contenders) samples[c].push(await pingRound(c, { seconds, concurrency }))
  }
  // Allocations in a round of their own: the GC profiler behind the meter must not slow the
  // rounds that measure the rates.
  const allocs: Record<Contender, number> = { bare: 0, reference: 0, ours: 0, 'ours-udx': 0 }
  for (const c of contenders) {
    const meter = new AllocationMeter()
    let allocated = 0
    const s = await pingRound(c, { seconds: quick ? 0.3 : 0.75, concurrency, onStart: () => meter.start(), onStop: () => { allocated = meter.stop() } })
    allocs[c] = allocated / s.completed
  }
  const med = (c: Contender, k: 'rate' | 'cpuPerPing'): number => median(samples[c].map((s) => s[k]))
  const failed = Object.values(samples).flat().reduce((n, s) => n + s.failed, 0)
  const row = (c: 'ours' | 'ours-udx', scenario: string): Row => ({
    group: 'dht-rpc',
    scenario,
    unit: 'pings/s',
    higherIsBetter: true,
    ours: med(c, 'rate'),
    reference: med('reference', 'rate'),
    referenceName: `dht-rpc@${referenceVersion}`,
    bare: med('bare', 'rate'),
    allocs: { ours: allocs[c], reference: allocs.reference, bare: allocs.bare },
    cpu: { ours: med(c, 'cpuPerPing'), reference: med('reference', 'cpuPerPing'), bare: med('bare', 'cpuPerPing') },
    ...(failed > 0 ? { note: `${failed} pings failed` } : {})
  })
  return [
    row('ours', `client _ping, ${concurrency} in flight, client+server in one process`),
    row('ours-udx', `  the same, ours on udx-native (optional transport; bare and reference on dgram)`)
  ]
}
