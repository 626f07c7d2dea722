// One tsup configuration for every publishable package: ESM + CJS + declarations for each.
import type { Options } from 'tsup'

export function packageConfig (entry: Record<string, string> = { index: 'src/index.ts' }): Options {
  return {
    entry,
    format: ['esm', 'cjs'],
    dts: true,
    sourcemap: true,
    clean: true,
    target: 'node20',
    platform: 'node',
    // entries of one package share their modules (one `DHT` class for `.` and `./testnet`), in ESM and CJS
    splitting: true,
    treeshake: true
  }
}
