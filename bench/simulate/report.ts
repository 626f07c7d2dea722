// The outputs of pnpm simulate: a table on stdout, the JSON results file, and an SVG plot of
// lookup success and hops against network size (drawn here: no plotting dependency).
import { execFileSync } from 'node:child_process'
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs'
import os from 'node:os'
import { dirname, resolve } from 'node:path'
import type { MainOptions } from './options.js'
import type { ScenarioResult } from './scenarios.js'
import type { SizeResult } from './simulation.js'

export interface RunInfo {
  /** `git rev-parse HEAD` when the run started (`-dirty` if tracked files differed). */
  commit: string | null
  unhandledRejections: number
  realSeconds: number
  loadAverageAtStart: number[]
  startedAt: string
}

/** The scenarios drawn and tabulated, in order, with how to get each one's figures. */
const SERIES: Array<{ name: string, color: string, pick: (r: SizeResult) => ScenarioResult | null }> = [
  { name: 'clean', color: '#1f77b4', pick: (r) => r.clean },
  { name: 'loss', color: '#d62728', pick: (r) => r.loss },
  { name: 'churn, at once', color: '#2ca02c', pick: (r) => r.churn?.immediately ?? null },
  { name: 'churn, later', color: '#9467bd', pick: (r) => r.churn?.later ?? null },
  { name: 'nat', color: '#ff7f0e', pick: (r) => r.nat?.lookups ?? null }
]

export function writeResults (results: SizeResult[], options: MainOptions, info: RunInfo): void {
  console.log('')
  console.log(formatTables(results, options))
  const cpus = os.cpus()
  const { out, svg, replot: _, ...simulation } = options
  const json = {
    timestamp: info.startedAt,
    command: ['pnpm simulate', ...(process.argv.length > 2 ? ['--', ...process.argv.slice(2)] : [])].join(' '),
    node: process.version,
    commit: info.commit,
    machine: {
      cpuModel: cpus[0]?.model ?? 'unknown',
      cores: cpus.length,
      memoryBytes: os.totalmem(),
      platform: `${os.platform()} ${os.release()} ${os.arch()}`,
      loadAverageAtStart: info.loadAverageAtStart,
      loadAverageAtEnd: os.loadavg().map((l) => +l.toFixed(2))
    },
    options: simulation,
    realSeconds: round(info.realSeconds, 1),
    unhandledRejections: info.unhandledRejections,
    results
  }
  for (const [file, text] of [[out, JSON.stringify(json, null, 2) + '\n'], [svg, plot(results, options)]] as const) {
    const path = resolve(file)
    mkdirSync(dirname(path), { recursive: true })
    writeFileSync(path, text)
    console.log(`wrote ${path}`)
  }
}

/** Prints the tables and writes the SVG of a results file written earlier. */
export function replot (file: string, svg: string): void {
  const json = JSON.parse(readFileSync(file, 'utf8')) as { options: MainOptions, results: SizeResult[] }
  console.log(formatTables(json.results, json.options))
  const path = resolve(svg)
  mkdirSync(dirname(path), { recursive: true })
  writeFileSync(path, plot(json.results, json.options))
  console.log(`wrote ${path}`)
}

export function formatTables (results: SizeResult[], options: MainOptions): string {
  const pct = (x: number): string => `${(x * 100).toFixed(1)}%`
  const build = table(
    ['nodes', 'build: real s', 'CPU s', 'virtual s', 'datagrams per join', 'median table', 'joined alone', 'KB per node', `joins under ${pct(options.loss)} loss: alone`, 'total real s'],
    results.map((r) => [
      r.size.toLocaleString('en-US'),
      r.build.realSeconds.toFixed(0),
      r.build.cpuSeconds.toFixed(0),
      r.build.virtualSeconds.toFixed(0),
      r.build.datagramsPerJoin.toFixed(0),
      String(r.build.medianTable),
      String(r.build.alone),
      (r.bytesPerNode / 1024).toFixed(0),
      r.loss === null ? '' : `${r.loss.joins.alone} of ${r.loss.joins.nodes} (${pct(r.loss.joins.alone / r.loss.joins.nodes)}); ${r.loss.joins.failed} BOOTSTRAP_FAILED`,
      r.realSeconds.toFixed(0)
    ]))
  const rows: string[][] = []
  for (const r of results) {
    for (const s of SERIES) {
      const x = s.pick(r)
      if (x === null) continue
      rows.push([
        r.size.toLocaleString('en-US'),
        label(s.name, options),
        `${x.found}/${x.lookups}`,
        pct(x.success),
        x.hopsMedian === null ? '' : `${x.hopsMedian} / ${x.hopsMean!.toFixed(2)}`,
        x.depthMean.toFixed(2),
        x.requestsMean.toFixed(1),
        pct(x.unanswered),
        x.holepunchesMean.toFixed(1),
        x.findMedianMs === null ? '' : x.findMedianMs.toFixed(0),
        `${x.durationMedianMs.toFixed(0)} / ${x.durationP95Ms.toFixed(0)}`,
        x.realSeconds.toFixed(1)
      ])
    }
  }
  const lookups = table(
    ['nodes', 'scenario', 'found', 'success', 'hops median / mean', 'depth', 'requests per lookup', 'unanswered', 'holepunches', 'found after ms', 'ended after ms (median / p95)', 'real s'],
    rows)
  const nat = natTable(results)
  return `${build}\n\n${lookups}${nat === null ? '' : `\n\n${nat}`}\n\nTimes in ms are virtual (latency ${options.latency.join('-')} ms one way, uniform); real seconds were measured on a shared machine (noisy).`
}

/** The nat scenario's own figures: modes, routing tables, lookups by role; null when it did not run. */
function natTable (results: SizeResult[]): string | null {
  const runs = results.filter((r) => r.nat !== null)
  if (runs.length === 0) return null
  const pct = (x: number): string => `${(x * 100).toFixed(1)}%`
  const role = (x: { lookups: number, found: number }): string => `${x.found}/${x.lookups}`
  return table(
    ['nodes', 'NATed', 'NATed: client / server', 'public auto: server / client', 'fixed servers', 'promoted after s (median)', 'table entries at NATed (distinct NATed)', 'at clients', 'of entries', 'found: NATed announcer / NATed looker / both NATed / both public', 'build real / CPU s', 'scenario real / CPU s'],
    runs.map((r) => {
      const n = r.nat!
      return [
        r.size.toLocaleString('en-US'),
        `${n.natNodes} (${pct(n.natNodes / n.nodes)})`,
        `${n.modes.nat.client} / ${n.modes.nat.server}`,
        `${n.modes.publicAuto.server} / ${n.modes.publicAuto.client}`,
        String(n.fixedServers),
        n.promotedAfterMedianSeconds === null ? '' : n.promotedAfterMedianSeconds.toFixed(0),
        `${n.tables.natEntries} (${n.tables.natNodesInTables}); after lookups ${n.tablesAfterLookups.natEntries} (${n.tablesAfterLookups.natNodesInTables})`,
        String(n.tables.clientEntries),
        String(n.tables.entries),
        [n.byRole.natAnnouncer, n.byRole.natLooker, n.byRole.bothNat, n.byRole.bothPublic].map(role).join(' / '),
        `${n.build.realSeconds.toFixed(0)} / ${n.build.cpuSeconds.toFixed(0)}`,
        `${n.realSeconds.toFixed(0)} / ${n.cpuSeconds.toFixed(0)}`
      ]
    }))
}

function label (name: string, options: MainOptions): string {
  const pct = (x: number): string => `${Math.round(x * 100)}%`
  if (name === 'nat') return `nat: ${pct(options.natShare ?? 0.6)} NATed, auto`
  if (name === 'loss') return `${pct(options.loss)} loss`
  if (name === 'churn, at once') return `${pct(options.churn)} removed, at once`
  if (name === 'churn, later') return `${pct(options.churn)} removed, +${options.churnWait} s`
  return name
}

function table (head: string[], rows: string[][]): string {
  const widths = head.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i]!.length)))
  const line = (cells: string[]): string => `| ${cells.map((c, i) => c.padEnd(widths[i]!)).join(' | ')} |`
  return [line(head), `|${widths.map((w) => '-'.repeat(w + 2)).join('|')}|`, ...rows.map(line)].join('\n')
}

/** Two panels: lookup success and hops (mean) against network size, one line per scenario. */
export function plot (results: SizeResult[], options: MainOptions): string {
  const W = 1320
  const H = 380
  const panel = { w: 340, h: 250, top: 60 }
  const lefts = [70, 500, 930]
  const sizes = results.map((r) => r.size)
  const series = SERIES.map((s) => ({
    ...s,
    label: label(s.name, options),
    points: results.map((r) => ({ size: r.size, x: s.pick(r) })).filter((p): p is { size: number, x: ScenarioResult } => p.x !== null)
  })).filter((s) => s.points.length > 0)

  const lo = Math.log10(Math.min(...sizes))
  const hi = Math.log10(Math.max(...sizes))
  const span = hi - lo || 1
  const xAt = (left: number, size: number): number => left + 20 + (sizes.length === 1 ? (panel.w - 40) / 2 : ((Math.log10(size) - lo) / span) * (panel.w - 40))

  const successes = series.flatMap((s) => s.points.map((p) => p.x.success * 100))
  const sMin = Math.min(90, Math.floor(Math.min(...successes) / 5) * 5)
  const hopValues = series.flatMap((s) => s.points.map((p) => p.x.hopsMean ?? 0))
  const hMax = Math.max(3, Math.ceil(Math.max(...hopValues)))
  const ends = series.flatMap((s) => s.points.map((p) => p.x.durationMedianMs))
  const eMax = Math.max(1000, Math.ceil(Math.max(...ends) / 1000) * 1000)

  const out: string[] = []
  out.push(`<svg xmlns="http://www.w3.org/2000/svg" width="${W}" height="${H}" viewBox="0 0 ${W} ${H}" font-family="sans-serif" font-size="12">`)
  out.push(`<rect width="${W}" height="${H}" fill="white"/>`)
  out.push(`<text x="${W / 2}" y="22" text-anchor="middle" font-size="15">HyperDHT lookups in simulated networks (virtual time, latency ${options.latency.join('-')} ms, ${options.lookups} lookups per point)</text>`)

  const panels = [
    { title: 'lookups that found the announce (%)', min: sMin, max: 100, value: (x: ScenarioResult) => x.success * 100, fmt: (v: number) => v.toFixed(0) },
    { title: 'hops to the announce (mean)', min: 0, max: hMax, value: (x: ScenarioResult) => x.hopsMean ?? NaN, fmt: (v: number) => v.toFixed(1) },
    { title: 'lookup ends after (median, virtual ms)', min: 0, max: eMax, value: (x: ScenarioResult) => x.durationMedianMs, fmt: (v: number) => v.toFixed(0) }
  ]
  panels.forEach((p, i) => {
    const left = lefts[i]!
    const yAt = (v: number): number => panel.top + panel.h - ((v - p.min) / (p.max - p.min || 1)) * panel.h
    out.push(`<text x="${left + panel.w / 2}" y="${panel.top - 12}" text-anchor="middle" font-size="13">${p.title}</text>`)
    out.push(`<rect x="${left}" y="${panel.top}" width="${panel.w}" height="${panel.h}" fill="none" stroke="#444"/>`)
    for (let k = 0; k <= 5; k++) {
      const v = p.min + ((p.max - p.min) * k) / 5
      const y = yAt(v)
      out.push(`<line x1="${left}" x2="${left + panel.w}" y1="${y}" y2="${y}" stroke="#ddd"/>`)
      out.push(`<text x="${left - 6}" y="${y + 4}" text-anchor="end">${p.fmt(v)}</text>`)
    }
    for (const size of sizes) {
      const x = xAt(left, size)
      out.push(`<line x1="${x}" x2="${x}" y1="${panel.top + panel.h}" y2="${panel.top + panel.h + 5}" stroke="#444"/>`)
      out.push(`<text x="${x}" y="${panel.top + panel.h + 18}" text-anchor="middle">${size.toLocaleString('en-US')}</text>`)
    }
    out.push(`<text x="${left + panel.w / 2}" y="${panel.top + panel.h + 36}" text-anchor="middle">nodes (log scale)</text>`)
    series.forEach((s, k) => {
      // a few pixels apart, so that series with equal values (all at 100%) stay visible
      const shift = (k - (series.length - 1) / 2) * 4
      const pts = s.points.map((pt) => ({ x: xAt(left, pt.size) + shift, y: yAt(p.value(pt.x)) })).filter((pt) => Number.isFinite(pt.y))
      if (pts.length > 1) out.push(`<polyline fill="none" stroke="${s.color}" stroke-width="2" points="${pts.map((pt) => `${pt.x.toFixed(1)},${pt.y.toFixed(1)}`).join(' ')}"/>`)
      for (const pt of pts) out.push(`<circle cx="${pt.x.toFixed(1)}" cy="${pt.y.toFixed(1)}" r="3.5" fill="${s.color}"/>`)
    })
  })
  series.forEach((s, i) => {
    const x = 70 + i * 260
    const y = H - 14
    out.push(`<line x1="${x}" x2="${x + 24}" y1="${y - 4}" y2="${y - 4}" stroke="${s.color}" stroke-width="2"/>`)
    out.push(`<text x="${x + 30}" y="${y}">${s.label}</text>`)
  })
  out.push('</svg>')
  return out.join('\n') + '\n'
}

/** The commit checked out now, `-dirty` if tracked files differ from it. */
export function currentCommit (): string | null {
  const commit = git(['rev-parse', 'HEAD'])
  const dirty = git(['status', '--porcelain', '--untracked-files=no'])
  return commit === null ? null : commit + (dirty !== null && dirty !== '' ? '-dirty' : '')
}

function git (args: string[]): string | null {
  try {
    return execFileSync('git', args, { encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] }).trim()
  } catch {
    return null
  }
}

function round (x: number, digits: number): number {
  return Number(x.toFixed(digits))
}
