import { readFileSync } from 'node:fs'
import { defineConfig } from 'tsup'
import { packageConfig } from '../../tsup.base'

const { version } = JSON.parse(readFileSync(new URL('./package.json', import.meta.url), 'utf8')) as { version: string }

// A command, not a library: one ESM entry with its shebang (tsup keeps it and marks the file
// executable); no CJS build and no declarations, nothing imports it. Split, so that what bin.ts
// imports dynamically (the program, commander, the DHT libraries) loads only after it listens for
// SIGINT/SIGTERM: bundled into one file, those imports would run first.
export default defineConfig({
  ...packageConfig({ bin: 'src/bin.ts' }),
  format: ['esm'],
  dts: false,
  splitting: true,
  define: { __VERSION__: JSON.stringify(version) }
})
