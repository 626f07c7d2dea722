// udp-request vs udp-request@1.4.0 vs a bare dgram echo: request/response throughput on
// loopback, client and server in this process, 64 in flight, rounds alternating.
import { throughputRound, type Contender, type Sample } from '../../packages/udp-request/bench/throughput.js'
import { AllocationMeter } from '../lib/allocations.js'
import { median, type Row } from '../lib/rows.js'

export async function run (quick: boolean): Promise<Row[]> {
  const rounds = quick ? 1 : 3
  const seconds = quick ? 0.4 : 1.5
  const concurrency = 64
  const samples: Record<Contender, Array<Sample & { allocs: number }>> = { bare: [], reference: [], ours: [] }
  for (let r = 0; r < rounds; r++) {
    for (const c of ['bare', 'reference', 'ours'] as const) {
      const meter = new AllocationMeter()
      let allocated = 0
      const s = await throughputRound(c, { seconds, concurrency, onStart: () => meter.start(), onStop: () => { allocated = meter.stop() } })
      samples[c].push({ ...s, allocs: allocated / s.completed })
    }
  }
  const med = (c: Contender, k: 'rate' | 'allocs' | 'cpuPerRequest'): number => median(samples[c].map((s) => s[k]))
  const failed = Object.values(samples).flat().reduce((n, s) => n + s.failed, 0)
  return [{
    group: 'udp-request',
    scenario: `request/response, ${concurrency} in flight, 32-byte body, client+server in one process`,
    unit: 'req/s',
    higherIsBetter: true,
    ours: med('ours', 'rate'),
    reference: med('reference', 'rate'),
    referenceName: 'udp-request@1.4.0',
    bare: med('bare', 'rate'),
    allocs: { ours: med('ours', 'allocs'), reference: med('reference', 'allocs'), bare: med('bare', 'allocs') },
    cpu: { ours: med('ours', 'cpuPerRequest'), reference: med('reference', 'cpuPerRequest'), bare: med('bare', 'cpuPerRequest') },
    ...(failed > 0 ? { note: `${failed} requests failed` } : {})
  }]
}
