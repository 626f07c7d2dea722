// `pnpm bench` scenario: the NAT benchmark (bench/lib/nat-bench.ts) in network namespaces. Needs
// root; otherwise the harness reports it skipped with the reason (see `unsupported`). A full
// run also writes bench/results/nat.json with every attempt (a quick run does not overwrite it), or
// with `pnpm bench --out x.json`, x.nat.json (BENCH_NAT_OUT, set by run.ts).
import { resolve } from 'node:path'
import { fileURLToPath } from 'node:url'
import { checkSupport } from '../../packages/netlab/src/index.js'
import { runNatBench } from '../lib/nat-bench.js'
import { machine, natResultsFile, natRows, writeJson } from '../lib/nat-report.js'
import type { Row } from '../lib/rows.js'

const NAT_JSON = resolve(fileURLToPath(new URL('../results/nat.json', import.meta.url)))

/** Why this scenario cannot run here, or null. */
export function unsupported (): string | null {
  const support = checkSupport()
  return support.ok ? null : `${support.reason} (sudo pnpm bench:nat runs it alone)`
}

export async function run (quick: boolean): Promise<Row[]> {
  const started = Date.now()
  const startMachine = machine()
  const options = { attempts: quick ? 4 : 20 }
  const results = await runNatBench({ ...options, log: (line) => console.error(`  ${line}`) })
  if (!quick) writeJson(process.env.BENCH_NAT_OUT ?? NAT_JSON, natResultsFile(results, started, startMachine, options))
  return natRows(results)
}
