// pnpm simulate: HyperDHT networks of 1,000 to 10,000 nodes in one process, on the in-memory
// network, in virtual time (see clock.ts). Prints a table and writes bench/results/simulate.json
// and bench/results/simulate.svg.
//
//   pnpm simulate                                  sizes 1000,3000,10000, every scenario
//   pnpm simulate -- --sizes 1000,3000 --lookups 200
//   pnpm simulate -- --scenarios clean,loss --seed 7 --out /tmp/sim.json
//   pnpm simulate -- --replot bench/results/simulate.json   (table and SVG again, no simulation)
//
// The virtual clock is installed first, the library is loaded after it (a dynamic import), so
// that every timer of the library is a virtual one.
import os from 'node:os'
import { installVirtualClock } from './clock.js'
import { parseOptions, usage } from './options.js'

const unhandled: unknown[] = []
process.on('unhandledRejection', (err) => { unhandled.push(err) })

const options = parseOptions(process.argv.slice(2))
if (options === null) {
  console.log(usage)
  process.exit(0)
}
if (options.replot !== null) {
  const { replot } = await import('./report.js')
  replot(options.replot, options.svg)
  process.exit(0)
}

const clock = installVirtualClock()
const { simulate } = await import('./simulation.js')
const { currentCommit, writeResults } = await import('./report.js')
const commit = currentCommit() // now: the code that runs, whatever is committed meanwhile

const startedAt = new Date().toISOString()
const loadAverageAtStart = os.loadavg().map((l) => +l.toFixed(2))
const started = process.hrtime.bigint()
const results = []
for (const size of options.sizes) {
  results.push(await simulate(clock, size, { ...options, log: (line) => { process.stderr.write(line + '\n') } }))
}
clock.uninstall()
writeResults(results, options, {
  commit, unhandledRejections: unhandled.length, realSeconds: Number(process.hrtime.bigint() - started) / 1e9, loadAverageAtStart, startedAt
})
if (unhandled.length > 0) {
  console.error(`${unhandled.length} unhandled rejections, the first:`, unhandled[0])
  process.exitCode = 1
}
