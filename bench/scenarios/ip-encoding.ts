// ip-encoding vs ipv4-peers@2.0.0 (IPv4 lists of 20 entries; IPv6 and LAN rows have no reference).
import { runIpEncodingBench } from '../../packages/ip-encoding/bench/codecs.js'
import type { Row } from '../lib/rows.js'

export async function run (quick: boolean): Promise<Row[]> {
  return runIpEncodingBench(quick ? 60 : 300).filter((r) => r.reference !== null || !quick).map((r) => ({
    group: 'ip-encoding',
    scenario: r.scenario,
    unit: 'ops/s',
    higherIsBetter: true,
    ours: r.ours,
    reference: r.reference,
    referenceName: r.reference === null ? null : 'ipv4-peers@2.0.0',
    bare: null
  }))
}
