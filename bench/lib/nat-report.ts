// The NAT benchmark's results: rows for the `pnpm bench` table, bench/results/nat.json with every
// attempt, and the merge of the rows into bench/results/latest.json.
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs'
import { dirname } from 'node:path'
import { commit, loadAverage, machine, type Machine } from './meta.js'
import type { NatBenchOptions, ScenarioResult } from './nat-bench.js'
import type { Row } from './rows.js'

export const NAT_GROUP = 'nat (network namespaces, 20 attempts per scenario)'

/** Three rows per scenario: connected (of N), median and p95 time to connect; the goal in the note. */
export function natRows (results: readonly ScenarioResult[]): Row[] {
  const rows: Row[] = []
  const group = NAT_GROUP.replace('20', String(results[0]?.attempts ?? 20))
  for (const r of results) {
    const base = { group, referenceName: null, reference: null, bare: null }
    const name = `${r.name}: ${r.title}`
    const verdict = `goal ${r.goal.minSuccesses}/${r.goal.of} and median < ${r.goal.medianBelowMs} ms: ${r.goalMet ? 'met' : 'MISSED'}`
    rows.push(
      { ...base, scenario: `${name}: connected`, unit: `of ${r.attempts}`, higherIsBetter: true, ours: r.successes, note: verdict },
      { ...base, scenario: `${name}: median connect`, unit: 'ms', higherIsBetter: false, ours: r.medianMs ?? NaN },
      { ...base, scenario: `${name}: p95 connect`, unit: 'ms', higherIsBetter: false, ours: r.p95Ms ?? NaN }
    )
  }
  return rows
}

export interface NatResultsFile {
  timestamp: string
  durationSeconds: number
  node: string
  commit: string | null
  machine: Machine
  loadAverageAtEnd: number[]
  /** What one attempt measures (see bench/lib/nat-bench.ts). */
  measures: string
  options: Omit<NatBenchOptions, 'log'>
  scenarios: ScenarioResult[]
}

export const MEASURES = 'per attempt: fresh listener and connector processes (new sockets, new NAT mappings) and a fresh key; ' +
  'time from the connector\'s connect(key) call to the resolved connection (lookup, signalling, punch, OPEN), measured in the connector process; ' +
  'success = connected and one acknowledged message each way; median and p95 (nearest rank) over the successful attempts'

export function natResultsFile (results: ScenarioResult[], started: number, startMachine: Machine, options: Omit<NatBenchOptions, 'log'>): NatResultsFile {
  return {
    timestamp: new Date(started).toISOString(),
    durationSeconds: Math.round((Date.now() - started) / 1000),
    node: process.version,
    commit: commit(),
    machine: startMachine,
    loadAverageAtEnd: loadAverage(),
    measures: MEASURES,
    options,
    scenarios: results
  }
}

export function writeJson (path: string, value: unknown): void {
  mkdirSync(dirname(path), { recursive: true })
  writeFileSync(path, JSON.stringify(value, null, 2) + '\n')
}

/**
 * Replaces the NAT rows of an existing `pnpm bench` results file with these (other rows are
 * kept as they are). Returns false when there is no such file.
 */
export function mergeIntoLatest (path: string, rows: Row[]): boolean {
  if (!existsSync(path)) return false
  const latest = JSON.parse(readFileSync(path, 'utf8')) as { rows: Row[], skipped?: unknown, natMergedAt?: string }
  latest.rows = [...latest.rows.filter((r) => !r.group.startsWith('nat ')), ...rows]
  latest.natMergedAt = new Date().toISOString()
  writeJson(path, latest)
  return true
}

export { machine }
