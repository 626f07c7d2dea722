// The short soak (issue 10, item 8): `pnpm soak` runs 100 nodes for 10 minutes; this runs 30
// nodes for 45 s with generous bounds, so that a leak big enough to show in CI fails here. No
// timing assertion: only memory trends, handle counts and that the workload did its work.
import { afterAll, beforeAll, expect, it } from 'vitest'
import { formatSamples, formatVerdict, runSoak } from '../helpers/soak.js'

const unhandled: unknown[] = []
const onUnhandled = (err: unknown): void => { unhandled.push(err) }
beforeAll(() => { process.on('unhandledRejection', onUnhandled) })
afterAll(() => { process.off('unhandledRejection', onUnhandled) })

it('30 nodes announcing and looking up for 45 s: heap and handles stay flat', async () => {
  const result = await runSoak({ nodes: 30, duration: 45_000, sampleEvery: 3000, warmup: 9000, inflight: 2, keys: 16, tolerance: 0.5 })
  const report = `${formatSamples(result.samples)}\n${formatVerdict(result.verdict)}`
  expect(result.verdict.reasons, report).toEqual([])
  expect(result.verdict.flat).toBe(true)
  expect(result.lookups).toBeGreaterThan(20)
  expect(result.announces).toBeGreaterThan(20)
  expect(result.found).toBeGreaterThan(result.lookups / 2)
  expect(result.failures, JSON.stringify(result.failureCodes)).toBeLessThan((result.lookups + result.announces) / 20)
  expect(result.udpAfterDestroy).toBe(0)
  expect(unhandled).toEqual([])
}, 120_000)
