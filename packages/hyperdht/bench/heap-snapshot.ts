// Writes a heap snapshot of a loopback network of our nodes, built as bench/lookup.ts builds it,
// after GC: `SNAP_SIZE=500 SNAP_FILE=/tmp/ours.heapsnapshot tsx bench/heap-snapshot.ts`.
// Read it with bench/heap-breakdown.ts.
import v8 from 'node:v8'
import vm from 'node:vm'
import { testnetHost } from '@hyperdht-ts/dht-rpc/testnet'
import { HyperDHT } from '../src/index.js'

v8.setFlagsFromString('--expose-gc')
const gc = vm.runInNewContext('gc') as () => void
const SIZE = Number(process.env.SNAP_SIZE ?? 500)
const FILE = process.env.SNAP_FILE ?? `/tmp/ours-${SIZE}.heapsnapshot`

async function collect (): Promise<void> {
  for (let i = 0; i < 3; i++) {
    gc()
    await new Promise((resolve) => setTimeout(resolve, 100))
  }
}

function bytes (): number {
  const m = process.memoryUsage()
  return m.heapUsed + m.arrayBuffers
}

async function main (): Promise<void> {
  await collect()
  const before = bytes()
  const first = new HyperDHT({ mode: 'server' })
  await first.listen(0, testnetHost(0))
  await first.ready()
  const nodes = [first]
  const bootstrap = [`${testnetHost(0)}:${first.address().port}`]
  let next = 1
  let left = SIZE - 1
  await Promise.all(Array.from({ length: 16 }, async () => {
    while (left > 0) {
      left--
      const n = new HyperDHT({ bootstrap, mode: 'server' })
      nodes.push(n)
      await n.listen(0, testnetHost(next++))
      await n.ready()
    }
  }))
  await collect()
  const m = process.memoryUsage()
  console.log(`per node: ${((bytes() - before) / SIZE / 1024).toFixed(1)} KB (heapUsed ${(m.heapUsed / 1048576).toFixed(1)} MB, arrayBuffers ${(m.arrayBuffers / 1048576).toFixed(1)} MB)`)
  if (FILE !== 'none') {
    v8.writeHeapSnapshot(FILE)
    console.log(`wrote ${FILE}`)
  }
  await Promise.all(nodes.map(async (n) => await n.destroy()))
}

main().then(() => process.exit(0), (err) => {
  console.error(err)
  process.exit(1)
})
