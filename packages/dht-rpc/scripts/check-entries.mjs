#!/usr/bin/env node
// Run by `pnpm lint` after the build: the `.` and `./testnet` entries must share one copy of the
// code, in ESM and in CJS, so a node made by `createTestnet()` is an `instanceof DHT` of the main
// entry (the build splits shared modules into chunks instead of bundling them into each entry).
import { createRequire } from 'node:module'

const require = createRequire(import.meta.url)
const failures = []
const pairs = [
  ['esm', await import('@hyperdht-ts/dht-rpc'), await import('@hyperdht-ts/dht-rpc/testnet')],
  ['cjs', require('@hyperdht-ts/dht-rpc'), require('@hyperdht-ts/dht-rpc/testnet')]
]
for (const [format, main, testnet] of pairs) {
  const net = await testnet.createTestnet(2, { memory: true })
  try {
    if (!(net.nodes[0] instanceof main.DHT)) failures.push(`${format}: a testnet node is not an instance of the main entry's DHT`)
  } finally {
    await net.destroy()
  }
}
if (failures.length > 0) {
  console.error(failures.join('\n'))
  process.exit(1)
}
console.log('entries share one DHT class (esm, cjs)')
