// pnpm soak: a 100-node loopback UDP network (every node on its own 127.x.y.1 address) doing
// announces and lookups for 10 minutes, sampling heap, ArrayBuffers and active handles every 5 s.
// Prints the samples as they come, then a verdict; exits 1 if memory or handles are not flat.
//
//   pnpm soak                       10 minutes, 100 nodes
//   pnpm soak -- --minutes 2 --nodes 50 --sample 3 --tolerance 0.1 --inflight 4
import { formatSamples, formatVerdict, runSoak, type SoakSample } from '../packages/hyperdht/test/helpers/soak.js'

function option (name: string, fallback: number): number {
  const i = process.argv.indexOf(`--${name}`)
  if (i === -1) return fallback
  const n = Number(process.argv[i + 1])
  if (!Number.isFinite(n) || n <= 0) throw new Error(`--${name} needs a positive number`)
  return n
}

const minutes = option('minutes', 10)
const nodes = option('nodes', 100)
const sampleSeconds = option('sample', 5)
const tolerance = option('tolerance', 0.1)
const inflight = option('inflight', 4)

let unhandled = 0
process.on('unhandledRejection', (err) => {
  unhandled++
  console.error('unhandled rejection:', err)
})

console.log(`soak: ${nodes} nodes on loopback UDP, ${minutes} min, ${inflight} announces/lookups in flight, a sample every ${sampleSeconds} s`)
let printed = 0
const onSample = (s: SoakSample): void => {
  // the header with the first sample, then one row per sample
  const lines = formatSamples([s]).split('\n')
  console.log((printed++ === 0 ? lines : lines.slice(2)).join('\n'))
}
const result = await runSoak({ nodes, duration: minutes * 60_000, sampleEvery: sampleSeconds * 1000, inflight, tolerance, onSample })
console.log('')
console.log(`${result.announces} announces, ${result.lookups} lookups (${result.found} found peers), ${result.failures} failures ${JSON.stringify(result.failureCodes)}`)
console.log(`UDP sockets left after destroy: ${result.udpAfterDestroy}; unhandled rejections: ${unhandled}`)
console.log(formatVerdict(result.verdict))
process.exitCode = result.verdict.flat && result.udpAfterDestroy === 0 && unhandled === 0 ? 0 : 1
