#!/usr/bin/env node
// The one test command: build, check the published shape of every package (publint) and its
// types, run every vitest project, then print `N passed, N failed` from vitest's JSON report
// as the last line, so a run that executed no test is visible.
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
const checked = run('turbo', ['run', 'build', 'lint', 'typecheck', '--output-logs=errors-only'])
const tested = run('vitest', ['run', '--reporter=default', '--reporter=json', `--outputFile.json=${report}`, ...process.argv.slice(2)])

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

if (!checked) console.log('\nbuild, publint or typecheck failed (see above)')
console.log(`\n${passed} passed, ${failed} failed${skipped ? `, ${skipped} skipped` : ''}`)
process.exit(checked && tested && failed === 0 ? 0 : 1)
