// udp-request vs udp-request@1.4.0 vs a bare dgram echo: request/response throughput on
// loopback, client and server in this process, 64 in flight, rounds alternating.
import { throughputRound, type Contender, type Sample } from '../../packages/udp-request/bench/throughput.js'
import { AllocationMeter } from '../lib/allocations.js'
import { median, type Row } from '../lib/rows.js'

export async function run (quick: boolean): Promise<Row[]> {
  const rounds = quick ? 1 : 3
  const seconds = quick ? 0.4 : 1.5
  const concurrency = 64
  const contenders = ['bare', 'reference', 'ours', 'ours-known-route'] as const
  const samples: Record<Contender, Sample[]> = { bare: [], reference: [], ours: [], 'ours-known-route': [] }
  for (let r = 0; r < rounds; r++) {
    for (const c of contenders) samples[c].push(await throughputRound(c, { seconds, concurrency }))
  }
  // Allocations in a round of their own: the GC profiler behind the meter must not slow the
  // rounds that measure the rates.
  const allocs: Record<Contender, number> = { bare: 0, reference: 0, ours: 0, 'ours-known-route': 0 }
  for (const c of contenders) {
    const meter = new AllocationMeter()
    let allocated = 0
    const s = await throughputRound(c, { seconds: quick ? 0.3 : 0.75, concurrency, onStart: () => meter.start(), onStop: () => { allocated = meter.stop() } })
    allocs[c] = allocated / s.completed
  }
  const med = (c: Contender, k: 'rate' | 'cpuPerRequest'): number => median(samples[c].map((s) => s[k]))
  const failed = Object.values(samples).flat().reduce((n, s) => n + s.failed, 0)
  const row = (c: 'ours' | 'ours-known-route', scenario: string): Row => ({
    group: 'udp-request',
    scenario,
    unit: 'req/s',
    higherIsBetter: true,
    ours: med(c, 'rate'),
    reference: med('reference', 'rate'),
    referenceName: 'udp-request@1.4.0',
    bare: med('bare', 'rate'),
    allocs: { ours: allocs[c], reference: allocs.reference, bare: allocs.bare },
    cpu: { ours: med(c, 'cpuPerRequest'), reference: med('reference', 'cpuPerRequest'), bare: med('bare', 'cpuPerRequest') },
    ...(failed > 0 ? { note: `${failed} requests failed` } : {})
  })
  return [
    row('ours', `request/response, ${concurrency} in flight, 32-byte body, client+server in one process`),
    // the reference never checks a send; ours checks every request unless told its route is known
    row('ours-known-route', '  the same, requests marked knownRoute (unchecked sends, as the reference\'s)')
  ]
}
