// Server capacity: a server in one process, the raw load generator (bench/loadgen.ts) in
// another, 128 pre-encoded `_ping` requests in flight. Answered requests per second for a bare
// dgram echo, @hyperdht-ts/dht-rpc and dht-rpc@2.3.0; the server process also reports the JS
// heap bytes it allocated and the CPU time it used per answered request.
import { fork, spawn, type ChildProcess } from 'node:child_process'
import { once } from 'node:events'
import { createInterface } from 'node:readline'
import type { LoadgenResult } from '../loadgen.js'
import { median, type Row } from '../lib/rows.js'
import type { ServerCommand, ServerKind, ServerReport } from '../server.js'

const serverPath = new URL('../server.ts', import.meta.url).pathname
const loadgenPath = new URL('../loadgen.ts', import.meta.url).pathname
const tsx = import.meta.resolve('tsx')

interface Sample { rate: number, allocs: number | null, cpu: number, lost: number }

async function firstLine (child: ChildProcess): Promise<string> {
  const lines = createInterface({ input: child.stdout! })
  try {
    const [line] = await once(lines, 'line') as [string]
    return line
  } finally {
    lines.close()
  }
}

async function measure (kind: ServerKind, opts: { inflight: number, duration: number, warmup: number, allocations: boolean }): Promise<Sample> {
  const server = fork(serverPath, ['--kind', kind], { execArgv: ['--import', tsx], stdio: ['ignore', 'pipe', 'inherit', 'ipc'] })
  try {
    const { port } = JSON.parse(await firstLine(server)) as { port: number }
    const report = new Promise<ServerReport>((resolve) => server.on('message', (m: ServerReport) => { if (m.type === 'report') resolve(m) }))
    server.send({ type: 'start', allocations: opts.allocations } satisfies ServerCommand)
    const loadgen = spawn(process.execPath, ['--import', tsx, loadgenPath, '--target', `127.0.0.1:${port}`, '--inflight', String(opts.inflight),
      '--duration', String(opts.duration), '--warmup', String(opts.warmup), '--json'], { stdio: ['ignore', 'pipe', 'inherit'] })
    const result = JSON.parse(await firstLine(loadgen)) as LoadgenResult
    await once(loadgen, 'exit')
    server.send({ type: 'stop' } satisfies ServerCommand)
    const r = await report
    return { rate: result.rate, allocs: r.allocatedBytes === null ? null : r.allocatedBytes / result.answeredTotal, cpu: r.cpuMicros / result.answeredTotal, lost: result.lost }
  } finally {
    server.kill('SIGTERM')
    await once(server, 'exit')
  }
}

export async function run (quick: boolean): Promise<Row[]> {
  const opts = { inflight: 128, duration: quick ? 1 : 3, warmup: quick ? 0.5 : 1, allocations: false }
  const rounds = quick ? 1 : 2
  const kinds = ['bare', 'reference', 'ours', 'ours-udx'] as const
  const samples: Record<ServerKind, Sample[]> = { bare: [], reference: [], ours: [], 'ours-udx': [] }
  for (let r = 0; r < rounds; r++) {
    for (const kind of kinds) samples[kind].push(await measure(kind, opts))
  }
  // Allocations in a run of their own: the GC profiler behind the meter must not slow the
  // runs that measure the rates.
  const allocs: Record<ServerKind, number> = { bare: 0, reference: 0, ours: 0, 'ours-udx': 0 }
  for (const kind of kinds) {
    allocs[kind] = (await measure(kind, { ...opts, duration: quick ? 0.5 : 1, warmup: 0.5, allocations: true })).allocs ?? NaN
  }
  const med = (k: ServerKind, f: 'rate' | 'cpu' | 'lost'): number => median(samples[k].map((s) => s[f]))
  const lost = Object.values(samples).flat().reduce((n, s) => n + s.lost, 0)
  const row = (k: 'ours' | 'ours-udx', scenario: string): Row => ({
    group: 'dht-rpc',
    scenario,
    unit: 'answered/s',
    higherIsBetter: true,
    ours: med(k, 'rate'),
    reference: med('reference', 'rate'),
    referenceName: 'dht-rpc@2.3.0',
    bare: med('bare', 'rate'),
    allocs: { ours: allocs[k], reference: allocs.reference, bare: allocs.bare },
    cpu: { ours: med(k, 'cpu'), reference: med('reference', 'cpu'), bare: med('bare', 'cpu') },
    ...(lost > 0 ? { note: `${lost} requests lost (timed out)` } : {})
  })
  return [
    row('ours', `server capacity: loadgen in another process, ${opts.inflight} _ping in flight`),
    row('ours-udx', '  the same, ours on udx-native (optional transport; bare and reference on dgram)')
  ]
}
