// `pnpm bench`: every benchmark of the repository, one at a time, each in a fresh process (no
// JIT state, heap or sockets carried from one to the next), each figure measured in the same
// run as its comparison. Prints one table and writes bench/results/latest.json with the
// machine, Node version and commit. Benchmarks never assert: they report.
//
//   pnpm bench                                 (a few minutes on 2 cores)
//   BENCH_QUICK=1 pnpm bench                   (a smoke run, well under a minute of measuring)
//   pnpm bench -- --only codecs,kbucket        (some scenarios; names below)
//   pnpm bench -- --out path/to/results.json
//
// The `nat` scenario builds network namespaces and needs root: without it, it is reported
// skipped with the reason (a scenario module may export `unsupported(): string | null`).
import { execFileSync, fork } from 'node:child_process'
import { mkdirSync, writeFileSync } from 'node:fs'
import os from 'node:os'
import { dirname, resolve } from 'node:path'
import { fileURLToPath } from 'node:url'
import { formatTable, type Row } from './lib/rows.js'

/** Scenario name → module under ./scenarios exporting `run(quick): Promise<Row[]>`. In run order. */
const SCENARIOS = ['udp-request', 'ping-client', 'ping-server', 'codecs', 'ip-encoding', 'kbucket', 'lookups', 'churn', 'nat'] as const
type Scenario = typeof SCENARIOS[number]

const here = dirname(fileURLToPath(import.meta.url))

interface ChildMessage { rows?: Row[], error?: string, skipped?: string }

/** The scenario's rows, or why it was skipped. */
async function runInChild (name: Scenario, quick: boolean, natOut: string | undefined): Promise<Row[] | { skipped: string }> {
  const child = fork(fileURLToPath(import.meta.url), ['--scenario', name], {
    execArgv: ['--import', import.meta.resolve('tsx')],
    env: { ...process.env, BENCH_QUICK: quick ? '1' : '', ...(natOut !== undefined ? { BENCH_NAT_OUT: natOut } : {}) },
    stdio: ['ignore', 'inherit', 'inherit', 'ipc']
  })
  return await new Promise<Row[] | { skipped: string }>((resolve, reject) => {
    let answer: ChildMessage | null = null
    child.on('message', (m: ChildMessage) => { answer = m })
    child.on('exit', (code) => {
      const a = answer as ChildMessage | null
      if (a?.skipped !== undefined) resolve({ skipped: a.skipped })
      else if (a?.rows !== undefined) resolve(a.rows)
      else reject(new Error(a?.error ?? `scenario ${name} exited with code ${String(code)}`))
    })
  })
}

async function childMain (name: string): Promise<void> {
  try {
    if (!(SCENARIOS as readonly string[]).includes(name)) throw new Error(`unknown scenario ${name}`)
    const mod = await import(`./scenarios/${name}.js`) as { run: (quick: boolean) => Promise<Row[]>, unsupported?: () => string | null }
    const skipped = mod.unsupported?.() ?? null
    const message: ChildMessage = skipped !== null ? { skipped } : { rows: await mod.run(process.env.BENCH_QUICK === '1') }
    await new Promise<void>((resolve) => process.send!(message, () => resolve()))
  } catch (err) {
    await new Promise<void>((resolve) => process.send!({ error: (err as Error).stack ?? String(err) } satisfies ChildMessage, () => resolve()))
  }
  process.exit(0) // nodes of a scenario may leave handles (the reference's timers): do not wait for them
}

function git (args: string[]): string | null {
  try {
    return execFileSync('git', args, { cwd: here, encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] }).trim()
  } catch {
    return null
  }
}

async function main (argv: string[]): Promise<void> {
  const flag = (name: string): string | undefined => {
    const i = argv.indexOf(`--${name}`)
    return i === -1 ? undefined : argv[i + 1]
  }
  const quick = process.env.BENCH_QUICK === '1' || argv.includes('--quick')
  const only = flag('only')?.split(',')
  for (const name of only ?? []) if (!(SCENARIOS as readonly string[]).includes(name)) throw new Error(`unknown scenario ${name} (${SCENARIOS.join(', ')})`)
  const chosen = SCENARIOS.filter((s) => only === undefined || only.includes(s))
  const out = resolve(flag('out') ?? resolve(here, 'results/latest.json'))
  // the NAT scenario's file of every attempt goes beside --out (x.json: x.nat.json), not into
  // bench/results/, so that a run elsewhere leaves the committed results alone
  const natOut = flag('out') === undefined ? undefined : out.replace(/(\.json)?$/, '.nat.json')

  const cpus = os.cpus()
  const machine = {
    cpuModel: cpus[0]?.model ?? 'unknown',
    cores: cpus.length,
    memoryBytes: os.totalmem(),
    platform: `${os.platform()} ${os.release()} ${os.arch()}`,
    loadAverageAtStart: os.loadavg().map((l) => +l.toFixed(2))
  }
  const commit = git(['rev-parse', 'HEAD'])
  const dirty = git(['status', '--porcelain', '--untracked-files=no'])
  const started = Date.now()
  console.error(`pnpm bench${quick ? ' (quick)' : ''}: ${chosen.join(', ')}; Node ${process.version}, ${machine.cores} x ${machine.cpuModel}, load ${machine.loadAverageAtStart.join(' ')}`)

  const rows: Row[] = []
  const failures: Array<{ scenario: string, error: string }> = []
  const skipped: Array<{ scenario: string, reason: string }> = []
  for (const name of chosen) {
    const t0 = Date.now()
    console.error(`\n[${name}] running...`)
    try {
      const got = await runInChild(name, quick, natOut)
      if (Array.isArray(got)) {
        rows.push(...got)
        console.error(`[${name}] done in ${((Date.now() - t0) / 1000).toFixed(1)} s`)
      } else {
        skipped.push({ scenario: name, reason: got.skipped })
        console.error(`[${name}] skipped: ${got.skipped}`)
      }
    } catch (err) {
      failures.push({ scenario: name, error: (err as Error).message })
      console.error(`[${name}] FAILED: ${(err as Error).message}`)
    }
  }

  console.log('')
  console.log(formatTable(rows))
  console.log('\nRatios are ours / reference, ours / bare, reference / bare. For rows marked "lower is better", a ratio below 1 favours ours.')
  console.log('Allocation: JS heap bytes per operation (lib/allocations.ts), for the whole process: client and server together where they share it.')
  for (const s of skipped) console.log(`\nSkipped ${s.scenario}: ${s.reason}`)
  if (failures.length > 0) console.log(`\nFailed scenarios: ${failures.map((f) => f.scenario).join(', ')}`)

  const result = {
    timestamp: new Date(started).toISOString(),
    durationSeconds: Math.round((Date.now() - started) / 1000),
    quick,
    node: process.version,
    commit: commit === null ? null : commit + (dirty !== null && dirty !== '' ? '-dirty' : ''),
    machine,
    loadAverageAtEnd: os.loadavg().map((l) => +l.toFixed(2)),
    rows,
    failures,
    skipped
  }
  mkdirSync(dirname(out), { recursive: true })
  writeFileSync(out, JSON.stringify(result, null, 2) + '\n')
  console.log(`\nwrote ${out} (${result.durationSeconds} s)`)
}

const args = process.argv.slice(2)
const scenarioFlag = args.indexOf('--scenario')
if (scenarioFlag !== -1) await childMain(args[scenarioFlag + 1] ?? '')
else {
  try {
    await main(args)
  } catch (err) {
    console.error((err as Error).message)
    process.exitCode = 1
  }
}
