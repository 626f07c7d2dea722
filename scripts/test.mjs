#!/usr/bin/env node
// The one test command: build, lint (ESLint, publint, Markdown links) and type-check every
// package, run every vitest project with coverage (the floor is in vitest.config.ts), then print
// `N passed, N failed` from vitest's JSON report as the last line, so a run that executed no test
// is visible. Extra arguments filter the tests (`pnpm test packages/kbucket`); such a run skips
// coverage, whose floor is for the whole suite.
import { spawnSync } from 'node:child_process'
import { readFileSync, rmSync } from 'node:fs'

const report = '.vitest-report.json'
const env = { ...process.env, TURBO_TELEMETRY_DISABLED: '1', DO_NOT_TRACK: '1' }

function run (cmd, args) {
  console.log(`\n$ ${cmd} ${args.join(' ')}`)
  const res = spawnSync(cmd, args, { stdio: 'inherit', env })
  return res.status === 0
}

rmSync(report, { force: true })
rmSync('coverage', { recursive: true, force: true })
const filters = process.argv.slice(2)
const checked = run('node', ['scripts/proto-gen.mjs', '--check']) &&
  run('turbo', ['run', 'build', 'lint', 'lint:repo', 'typecheck', '--output-logs=errors-only']) &&
  run('tsc', ['--noEmit', '-p', 'bench'])
const tested = run('vitest', ['run', '--reporter=default', '--reporter=json', `--outputFile.json=${report}`,
  `--coverage.enabled=${filters.length === 0}`, ...filters])

let passed = 0
let failed = 0
let skipped = 0
try {
  const json = JSON.parse(readFileSync(report, 'utf8'))
  passed = json.numPassedTests
  failed = json.numFailedTests
  skipped = json.numPendingTests + json.numTodoTests
  // A test file that fails to load has no test results; count it as a failure so it shows.
  failed += json.testResults.filter((f) => f.status === 'failed' && f.assertionResults.length === 0).length
} catch {
  failed += 1
}

if (filters.length === 0) {
  try {
    const { total } = JSON.parse(readFileSync('coverage/coverage-summary.json', 'utf8'))
    const pct = (k) => `${k} ${total[k].pct}%`
    console.log(`\ncoverage: ${['statements', 'branches', 'functions', 'lines'].map(pct).join(', ')}`)
  } catch {}
}
if (!checked) console.log('\nbuild, lint or typecheck failed (see above)')
if (!tested && failed === 0) console.log('\nvitest failed without a failing test: coverage under the floor, or an error (see above)')
console.log(`\n${passed} passed, ${failed} failed${skipped ? `, ${skipped} skipped` : ''}`)
process.exit(checked && tested && failed === 0 ? 0 : 1)
