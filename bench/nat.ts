// `sudo pnpm bench:nat`: the NAT benchmark alone (issue 8): for two peers behind their own
// masquerade NATs (path holepunch), two behind the same NAT (path lan) and one behind
// `MASQUERADE --random-fully` with one consistent (the birthday attempt), 20 connection
// attempts each between our built HyperDHT in real processes in network namespaces; the
// success count, median and p95 time to connect. Prints a table, writes bench/results/nat.json
// (every attempt) and replaces the NAT rows of bench/results/latest.json if that file exists.
// Needs root: otherwise it says why and exits 0 without measuring.
//
//   sudo pnpm bench:nat
//   sudo pnpm bench:nat -- --attempts 5 --only birthday
//   sudo pnpm bench:nat -- --holepunch '{"birthday":{"probeInterval":5}}'   (options of every peer)
//   sudo pnpm bench:nat -- --public-dht '{"rateLimit":false}'            (options of the public nodes)
//   sudo pnpm bench:nat -- --mode auto --out /tmp/nat.json --no-merge
//   sudo pnpm bench:nat -- --debug [--slower-than 2000]   (keeps the library's log of failed and slow attempts in the JSON)
import { resolve } from 'node:path'
import { fileURLToPath } from 'node:url'
import { checkSupport } from '../packages/netlab/src/index.js'
import { formatNatTable, runNatBench, SCENARIO_NAMES, type NatBenchOptions, type ScenarioName } from './lib/nat-bench.js'
import { machine, MEASURES, mergeIntoLatest, natResultsFile, natRows, writeJson } from './lib/nat-report.js'

const here = fileURLToPath(new URL('.', import.meta.url))

async function main (argv: string[]): Promise<void> {
  const flag = (name: string): string | undefined => {
    const i = argv.indexOf(`--${name}`)
    return i === -1 ? undefined : argv[i + 1]
  }
  const support = checkSupport()
  if (!support.ok) {
    console.log(`bench:nat skipped: ${support.reason}`)
    return
  }
  const attempts = Number(flag('attempts') ?? (process.env.BENCH_QUICK === '1' ? 4 : 20))
  if (!Number.isInteger(attempts) || attempts < 1) throw new Error('--attempts must be a positive integer')
  const only = flag('only')?.split(',') as ScenarioName[] | undefined
  for (const o of only ?? []) if (!SCENARIO_NAMES.includes(o)) throw new Error(`unknown scenario ${o} (${SCENARIO_NAMES.join(', ')})`)
  const holepunch = flag('holepunch') === undefined ? undefined : JSON.parse(flag('holepunch')!) as Record<string, unknown>
  const publicDht = flag('public-dht') === undefined ? undefined : JSON.parse(flag('public-dht')!) as Record<string, unknown>
  const mode = flag('mode') as NatBenchOptions['mode'] | undefined
  if (mode !== undefined && mode !== 'client' && mode !== 'auto') throw new Error('--mode must be client or auto')
  const out = resolve(flag('out') ?? resolve(here, 'results/nat.json'))
  const debug = argv.includes('--debug')
  const slowerThan = flag('slower-than') === undefined ? undefined : Number(flag('slower-than'))
  const options = {
    attempts,
    ...(only === undefined ? {} : { only }),
    ...(holepunch === undefined ? {} : { holepunch }),
    ...(publicDht === undefined ? {} : { publicDht }),
    ...(mode === undefined ? {} : { mode }),
    ...(debug ? { debug, ...(slowerThan === undefined ? {} : { debugSlowerThan: slowerThan }) } : {})
  }

  const started = Date.now()
  const startMachine = machine()
  console.error(`bench:nat: ${attempts} attempts per scenario; Node ${process.version}, ${startMachine.cores} x ${startMachine.cpuModel}, load ${startMachine.loadAverageAtStart.join(' ')}`)
  const results = await runNatBench({ ...options, log: (line) => console.error(line) })
  const file = natResultsFile(results, started, startMachine, options)
  console.log('')
  console.log(formatNatTable(results))
  console.log(`\nMeasured: ${MEASURES}.`)
  writeJson(out, file)
  console.log(`\nwrote ${out} (${file.durationSeconds} s)`)
  if (!argv.includes('--no-merge') && flag('out') === undefined) {
    const latest = resolve(here, 'results/latest.json')
    if (mergeIntoLatest(latest, natRows(results))) console.log(`merged the NAT rows into ${latest}`)
  }
}

try {
  await main(process.argv.slice(2))
} catch (err) {
  console.error((err as Error).stack ?? String(err))
  process.exitCode = 1
}
