#!/usr/bin/env node
// `pnpm fuzz`: a long whole-packet fuzz run against a live node (the CI runs 100,000 datagrams;
// this runs as many as you like). It runs the same vitest test as CI with a larger count or a
// time budget, picks (or takes) the seed, and prints the line that replays the run when it fails.
//
//   pnpm fuzz                          1,000,000 datagrams at a live HyperDHT node
//   pnpm fuzz --minutes 10             as many as fit in 10 minutes
//   pnpm fuzz --datagrams 5e6 --seed 42
//   pnpm fuzz --target dht-rpc         the dht-rpc node instead (or --target all: both in turn)
//   pnpm fuzz --sources 256            more fuzzer source addresses (per-IP rate limits)
import { spawnSync } from 'node:child_process'
import { randomInt } from 'node:crypto'
import { mkdtempSync, readFileSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { parseArgs } from 'node:util'

const TESTS = {
  hyperdht: 'packages/hyperdht/test/integration/fuzz.test.ts',
  'dht-rpc': 'packages/dht-rpc/test/integration/fuzz.test.ts'
}

const { values: opts } = parseArgs({
  options: {
    target: { type: 'string', default: 'hyperdht' },
    datagrams: { type: 'string' },
    minutes: { type: 'string' },
    seed: { type: 'string' },
    sources: { type: 'string' },
    help: { type: 'boolean', short: 'h' }
  }
})

if (opts.help) {
  console.log('usage: pnpm fuzz [--target hyperdht|dht-rpc|all] [--datagrams N | --minutes M] [--seed S] [--sources K]')
  process.exit(0)
}

const number = (name, value, integer) => {
  const n = Number(String(value).replace(/_/g, ''))
  if (!Number.isFinite(n) || n <= 0 || (integer && !Number.isInteger(n))) {
    console.error(`--${name} must be a positive ${integer ? 'integer' : 'number'}, got ${value}`)
    process.exit(2)
  }
  return n
}

const targets = opts.target === 'all' ? Object.keys(TESTS) : [opts.target]
for (const t of targets) {
  if (!(t in TESTS)) {
    console.error(`unknown --target ${t} (hyperdht, dht-rpc or all)`)
    process.exit(2)
  }
}
const minutes = opts.minutes !== undefined ? number('minutes', opts.minutes, false) : null
const datagrams = opts.datagrams !== undefined ? number('datagrams', opts.datagrams, true) : minutes === null ? 1_000_000 : null
const seed = opts.seed !== undefined ? Number(opts.seed) : randomInt(0, 0xffffffff)
if (!Number.isInteger(seed) || seed < 0 || seed > 0xffffffff) {
  console.error(`--seed must be a uint32, got ${opts.seed}`)
  process.exit(2)
}

const dir = mkdtempSync(join(tmpdir(), 'hyperdht-fuzz-'))
let failed = false
try {
  for (const target of targets) {
    const file = TESTS[target]
    const report = join(dir, `${target}.json`)
    const env = { ...process.env, FUZZ_SEED: String(seed), FUZZ_REPORT: report }
    delete env.FUZZ_DATAGRAMS
    delete env.FUZZ_MINUTES
    if (datagrams !== null) env.FUZZ_DATAGRAMS = String(datagrams)
    if (minutes !== null) env.FUZZ_MINUTES = String(minutes)
    if (opts.sources !== undefined) env.FUZZ_SOURCES = String(number('sources', opts.sources, true))
    console.log(`\n== fuzz ${target}: seed ${seed}, ${datagrams !== null ? `${datagrams.toLocaleString('en')} datagrams` : ''}${minutes !== null ? `${datagrams !== null ? ' or ' : ''}${minutes} min` : ''}`)
    const res = spawnSync('pnpm', ['exec', 'vitest', 'run', file], { stdio: 'inherit', env })
    let sent = null
    let summary = null
    try {
      summary = JSON.parse(readFileSync(report, 'utf8'))
      sent = summary.sent
    } catch {}
    const replayEnv = [`FUZZ_SEED=${seed}`]
    if (sent !== null) replayEnv.push(`FUZZ_DATAGRAMS=${sent}`)
    else if (datagrams !== null) replayEnv.push(`FUZZ_DATAGRAMS=${datagrams}`)
    else replayEnv.push(`FUZZ_MINUTES=${minutes}`)
    if (env.FUZZ_SOURCES) replayEnv.push(`FUZZ_SOURCES=${env.FUZZ_SOURCES}`)
    const replay = `${replayEnv.join(' ')} pnpm vitest run ${file}`
    if (summary !== null) {
      const rate = Math.round(summary.sent / (summary.elapsedMs / 1000))
      console.log(`fuzz ${target}: ${summary.sent.toLocaleString('en')} datagrams in ${(summary.elapsedMs / 1000).toFixed(1)} s (${rate.toLocaleString('en')}/s), heap +${summary.heapGrowthKiB} KiB`)
    }
    if (res.status !== 0) {
      failed = true
      console.log(`\nFUZZ FAILURE (${target}). Replay:\n  ${replay}`)
      if (summary?.failureFile) console.log(`The last datagrams before the failure, as corpus entries: ${summary.failureFile}`)
    } else {
      console.log(`fuzz ${target}: passed (replay: ${replay})`)
    }
  }
} finally {
  rmSync(dir, { recursive: true, force: true })
}
process.exit(failed ? 1 : 0)
