// The NAT benchmark (issue 8): for the three punching scenarios of the network-namespace suite,
// N connection attempts each between our built HyperDHT running as real processes behind real
// iptables NATs, with the success count and the median and p95 time to connect.
//
// What one attempt is, exactly:
//   1. a fresh listener process and a fresh connector process start on their hosts (new node
//      ids, sockets on new ephemeral ports, hence new NAT mappings: nothing is left open by an
//      earlier attempt), join the network through the public bootstrap and wait until their
//      node has a NAT verdict (at most NAT_WAIT ms);
//   2. the listener listens on a fresh random key (resolves once the announce is stored);
//   3. the connector calls `connect(key)`: the measured time runs from that call to the
//      resolved connection, inside the connector process (lookup, signalling through the
//      referrer, the punch or LAN race, the OPEN handshake);
//   4. one message each way over the connection (acknowledged) — an attempt only counts as a
//      success when both arrive;
//   5. both processes are stopped.
// Process start, bootstrap, NAT classification and the announce are not in the measured time.
// Fresh processes per attempt also keep the per-node birthday limit (5 attempts a minute) from
// deciding the random-NAT scenario.
import { randomBytes } from 'node:crypto'
import { existsSync } from 'node:fs'
import { fileURLToPath } from 'node:url'
import { Lab, type LabHost, type LabProcess } from '../../packages/netlab/src/index.js'

export const AGENT = fileURLToPath(new URL('../../packages/holepunch/test/nat/peer-agent.mjs', import.meta.url))
export const BUILT = fileURLToPath(new URL('../../packages/hyperdht/dist/index.js', import.meta.url))

/** Port of the public nodes. */
const PUBLIC_PORT = 49737
/** How long a fresh peer may take to get a NAT verdict before we connect anyway (ms). */
const NAT_WAIT = 15_000
/** The connector's `connect()` deadline (ms): past the longest birthday attempt (17.5 s + a punch stage). */
const CONNECT_TIMEOUT = 30_000
/** How long each of the two test messages may take (ms). */
const MESSAGE_TIMEOUT = 5000

export type ScenarioName = 'holepunch' | 'lan' | 'birthday'
export const SCENARIO_NAMES: readonly ScenarioName[] = ['holepunch', 'lan', 'birthday']

/** A goal from issue 8. */
export interface Goal { minSuccesses: number, of: number, medianBelowMs: number }

interface ScenarioSpec {
  name: ScenarioName
  title: string
  expectedPath: 'holepunch' | 'lan'
  goal: Goal
  /** Listener and connector host names per attempt (attempt index i). */
  pair: (i: number) => { listener: string, connector: string, direction: string }
}

const SPECS: ScenarioSpec[] = [
  {
    name: 'holepunch',
    title: 'two peers behind their own masquerade NATs',
    expectedPath: 'holepunch',
    goal: { minSuccesses: 20, of: 20, medianBelowMs: 1000 },
    pair: () => ({ listener: 'a1', connector: 'b1', direction: 'a1 (nata) listens, b1 (natb) connects' })
  },
  {
    name: 'lan',
    title: 'two peers behind the same NAT',
    expectedPath: 'lan',
    goal: { minSuccesses: 20, of: 20, medianBelowMs: 1000 },
    pair: () => ({ listener: 'a1', connector: 'a2', direction: 'a1 listens, a2 connects (both behind nata)' })
  },
  {
    name: 'birthday',
    title: 'one peer behind MASQUERADE --random-fully, one consistent',
    expectedPath: 'holepunch',
    goal: { minSuccesses: 19, of: 20, medianBelowMs: 5000 },
    // both roles of the birthday attempt: the random side listening (it opens the sockets when
    // the offer arrives) and the random side connecting
    pair: (i) => i % 2 === 0
      ? { listener: 'r1', connector: 'b1', direction: 'random listens' }
      : { listener: 'b1', connector: 'r1', direction: 'random connects' }
  }
]

export interface Attempt {
  index: number
  direction: string
  ok: boolean
  /** connect() call to resolved connection (ms), when it resolved. */
  ms: number | null
  path: string | null
  rtt: number | null
  /** Why it failed: the connect error code, or the step that did not happen. */
  error: string | null
  /** The NAT verdicts of listener and connector when connect() was called. */
  nat: { listener: string, connector: string }
  /**
   * With `debug`, for a failed attempt or one slower than `debugSlowerThan`: the library's log
   * lines of both processes, `t` in ms from the connect() request.
   */
  log?: Array<{ who: 'listener' | 'connector', t: number, level: string, msg: string, data?: unknown }>
}

export interface ScenarioResult {
  name: ScenarioName
  title: string
  expectedPath: string
  goal: Goal
  attempts: number
  successes: number
  /** Over the successful attempts (ms). */
  medianMs: number | null
  p95Ms: number | null
  minMs: number | null
  maxMs: number | null
  /** How many attempts connected over each path. */
  paths: Record<string, number>
  /** Failure reasons and their counts. */
  errors: Record<string, number>
  /** Per direction (the birthday scenario alternates), successes and median. */
  byDirection: Record<string, { attempts: number, successes: number, medianMs: number | null }>
  goalMet: boolean
  /**
   * What the public nodes' per-source guard (dht-rpc rate limit and amplification bound) did
   * during the scenario, summed over the four of them: every peer behind one NAT shares its
   * public IP, so they share its budget.
   */
  guard: GuardCounts
  durationSeconds: number
  details: Attempt[]
}

export interface GuardCounts { rateLimited: number, bans: number, trimmed: number, refused: number }

export interface NatBenchOptions {
  attempts?: number
  only?: readonly ScenarioName[]
  /** `holepunch` options of every peer (the library's defaults when empty). */
  holepunch?: Record<string, unknown>
  /** Further HyperDHT/dht-rpc options of the public nodes (e.g. `{ rateLimit: false }`). */
  publicDht?: Record<string, unknown>
  /** Mode of the NATed peers (the CLI's listen/connect run `client`). @default 'client' */
  mode?: 'client' | 'auto'
  /** Run the peers with the library's debug log and keep it for failed or slow attempts. */
  debug?: boolean
  /** With `debug`: keep the log of successful attempts slower than this (ms). @default 2000 */
  debugSlowerThan?: number
  log?: (line: string) => void
}

/** Median (mean of the two middle values for an even count). */
export function median (xs: readonly number[]): number | null {
  if (xs.length === 0) return null
  const s = [...xs].sort((a, b) => a - b)
  const mid = s.length >> 1
  return s.length % 2 === 1 ? s[mid]! : (s[mid - 1]! + s[mid]!) / 2
}

/** Nearest-rank percentile (p in 0..100): the smallest value with at least p% of them at or below it. */
export function percentile (xs: readonly number[], p: number): number | null {
  if (xs.length === 0) return null
  const s = [...xs].sort((a, b) => a - b)
  return s[Math.min(s.length - 1, Math.max(0, Math.ceil((p / 100) * s.length) - 1))]!
}

function summarize (spec: ScenarioSpec, details: Attempt[], guard: GuardCounts, durationSeconds: number): ScenarioResult {
  const times = details.filter((a) => a.ok).map((a) => a.ms!)
  const paths: Record<string, number> = {}
  const errors: Record<string, number> = {}
  const byDirection: ScenarioResult['byDirection'] = {}
  for (const a of details) {
    if (a.path !== null) paths[a.path] = (paths[a.path] ?? 0) + 1
    if (a.error !== null) errors[a.error] = (errors[a.error] ?? 0) + 1
    const d = byDirection[a.direction] ??= { attempts: 0, successes: 0, medianMs: null }
    d.attempts++
    if (a.ok) d.successes++
  }
  for (const [dir, d] of Object.entries(byDirection)) d.medianMs = median(details.filter((a) => a.ok && a.direction === dir).map((a) => a.ms!))
  const successes = times.length
  const med = median(times)
  // the goal is stated for 20 attempts: scale it to the attempts made
  const needed = Math.ceil(spec.goal.minSuccesses / spec.goal.of * details.length)
  return {
    name: spec.name,
    title: spec.title,
    expectedPath: spec.expectedPath,
    goal: spec.goal,
    attempts: details.length,
    successes,
    medianMs: med,
    p95Ms: percentile(times, 95),
    minMs: times.length === 0 ? null : Math.min(...times),
    maxMs: times.length === 0 ? null : Math.max(...times),
    paths,
    errors,
    byDirection,
    goalMet: successes >= needed && med !== null && med < spec.goal.medianBelowMs,
    guard,
    durationSeconds,
    details
  }
}

/**
 * Builds the lab (public bootstrap and three public servers; nata with a1 and a2, natb with b1,
 * natr `--random-fully` with r1), runs the scenarios one after the other, destroys the lab.
 */
export async function runNatBench (opts: NatBenchOptions = {}): Promise<ScenarioResult[]> {
  if (!existsSync(BUILT)) throw new Error(`${BUILT} is missing: run \`pnpm build\` first`)
  const n = opts.attempts ?? 20
  const log = opts.log ?? (() => {})
  const holepunch = opts.holepunch ?? {}
  const mode = opts.mode ?? 'client'
  const specs = SPECS.filter((s) => opts.only === undefined || opts.only.includes(s.name))
  const lab = await Lab.create({ name: 'natbench' })
  try {
    const [boot, p1, p2, p3, nata, natb, natr] = await Promise.all([
      lab.addHost('boot'), lab.addHost('p1'), lab.addHost('p2'), lab.addHost('p3'),
      lab.addRouter('nata'), lab.addRouter('natb'), lab.addRouter('natr', { nat: 'random-fully' })
    ])
    const [a1, a2, b1, r1] = await Promise.all([
      lab.addHost('a1', { behind: nata }), lab.addHost('a2', { behind: nata }),
      lab.addHost('b1', { behind: natb }), lab.addHost('r1', { behind: natr })
    ])
    const hosts: Record<string, LabHost> = { a1, a2, b1, r1 }
    log(`lab ${lab.prefix}: public ${boot.address} ${p1.address} ${p2.address} ${p3.address}; nata ${nata.address} (a1 ${a1.address}, a2 ${a2.address}); natb ${natb.address} (b1 ${b1.address}); natr ${natr.address} random-fully (r1 ${r1.address})`)

    const startAgent = async (host: LabHost, config: Record<string, unknown>): Promise<LabProcess> => {
      const proc = lab.spawn(host, process.execPath, [AGENT, JSON.stringify(config)])
      await proc.waitFor((m) => m.type === 'ready', { timeout: 20_000 })
      return proc
    }
    const dht = opts.publicDht ?? {}
    const servers = [await startAgent(boot, { host: '0.0.0.0', port: PUBLIC_PORT, bootstrap: [], mode: 'server', holepunch, dht })]
    const bootstrap = [`${boot.address}:${PUBLIC_PORT}`]
    servers.push(...await Promise.all([p1, p2, p3].map(async (h) => await startAgent(h, { host: '0.0.0.0', port: PUBLIC_PORT, bootstrap, mode: 'server', holepunch, dht }))))
    const guardTotal = async (): Promise<GuardCounts> => {
      const total: GuardCounts = { rateLimited: 0, bans: 0, trimmed: 0, refused: 0 }
      for (const s of servers) {
        s.send({ op: 'info' })
        const g = (await s.waitFor((m) => m.type === 'info')).guard as Partial<GuardCounts> | undefined
        for (const k of Object.keys(total) as Array<keyof GuardCounts>) total[k] += g?.[k] ?? 0
      }
      return total
    }
    const peerConfig = { host: '0.0.0.0', port: 0, bootstrap, mode, holepunch, log: opts.debug === true }
    const slow = opts.debug === true ? (opts.debugSlowerThan ?? 2000) : Infinity

    const results: ScenarioResult[] = []
    for (const spec of specs) {
      const t0 = Date.now()
      const guardBefore = await guardTotal()
      const details: Attempt[] = []
      for (let i = 0; i < n; i++) {
        const a = await attempt(i, spec, hosts, peerConfig, startAgent, slow)
        details.push(a)
        log(`[${spec.name}] ${String(i + 1).padStart(2)}/${n} ${a.ok ? 'ok    ' : 'FAILED'} ${a.ms === null ? '' : `${a.ms} ms`} ${a.path ?? ''} ${a.error ?? ''} (${a.direction}; NAT ${a.nat.listener}/${a.nat.connector})`.replace(/ +/g, ' '))
      }
      const guardAfter = await guardTotal()
      const guard = Object.fromEntries(Object.entries(guardAfter).map(([k, v]) => [k, v - guardBefore[k as keyof GuardCounts]])) as unknown as GuardCounts
      results.push(summarize(spec, details, guard, Math.round((Date.now() - t0) / 1000)))
    }
    return results
  } finally {
    await lab.destroy()
  }
}

async function attempt (index: number, spec: ScenarioSpec, hosts: Record<string, LabHost>, config: Record<string, unknown>,
  startAgent: (host: LabHost, config: Record<string, unknown>) => Promise<LabProcess>, keepLogSlowerThan: number): Promise<Attempt> {
  const { listener: ln, connector: cn, direction } = spec.pair(index)
  const result: Attempt = { index, direction, ok: false, ms: null, path: null, rtt: null, error: null, nat: { listener: 'unknown', connector: 'unknown' } }
  const procs: LabProcess[] = []
  let connectAt = 0
  try {
    const [listener, connector] = await Promise.all([startAgent(hosts[ln]!, config), startAgent(hosts[cn]!, config)])
    procs.push(listener, connector)
    const [ln1, cn1] = await Promise.all([verdict(listener), verdict(connector)])
    result.nat = { listener: ln1, connector: cn1 }
    const key = randomBytes(32).toString('hex')
    listener.send({ op: 'listen', key })
    const listening = await listener.waitFor((m) => (m.type === 'listening' && m.key === key) || (m.type === 'error' && m.op === 'listen'), { timeout: 20_000 })
    if (listening.type === 'error') {
      result.error = `LISTEN_${String(listening.code)}`
      return result
    }
    connectAt = Date.now()
    connector.send({ op: 'connect', key, timeout: CONNECT_TIMEOUT })
    const res = await connector.waitFor((m) => m.type === 'connected' || m.type === 'connect-failed', { timeout: CONNECT_TIMEOUT + 10_000 })
    if (res.type === 'connect-failed') {
      result.error = String(res.code)
      return result
    }
    result.ms = res.ms as number
    result.path = res.path as string
    result.rtt = res.rtt as number
    try {
      connector.send({ op: 'send', text: `ping ${index}` })
      await listener.waitFor((m) => m.type === 'message' && m.text === `ping ${index}`, { timeout: MESSAGE_TIMEOUT })
    } catch {
      result.error = 'NO_MESSAGE_TO_LISTENER'
      return result
    }
    try {
      listener.send({ op: 'send', text: `pong ${index}` })
      await connector.waitFor((m) => m.type === 'message' && m.text === `pong ${index}`, { timeout: MESSAGE_TIMEOUT })
    } catch {
      result.error = 'NO_MESSAGE_TO_CONNECTOR'
      return result
    }
    result.ok = true
    return result
  } catch (err) {
    result.error = `HARNESS: ${(err as Error).message.split('\n')[0]!}`
    return result
  } finally {
    await Promise.all(procs.map(async (p) => await p.stop()))
    if (keepLogSlowerThan !== Infinity && procs.length === 2 && (!result.ok || (result.ms ?? 0) > keepLogSlowerThan)) {
      result.log = procs.flatMap((p, i) => p.messages.filter((m) => m.type === 'log').map((m) => ({
        who: i === 0 ? 'listener' as const : 'connector' as const,
        t: (m.t as number) - connectAt,
        level: m.level as string,
        msg: m.msg as string,
        ...(m.data === undefined ? {} : { data: m.data as unknown })
      }))).sort((a, b) => a.t - b.t)
    }
  }
}

/** The node's NAT verdict once it has one (or 'unknown' after NAT_WAIT). */
async function verdict (proc: LabProcess): Promise<string> {
  try {
    const m = await proc.waitFor((m) => m.type === 'nat' && m.nat !== 'unknown', { timeout: NAT_WAIT })
    return m.nat as string
  } catch {
    return 'unknown'
  }
}

/** The result table, one line per scenario. */
export function formatNatTable (results: readonly ScenarioResult[]): string {
  const ms = (v: number | null): string => v === null ? '-' : `${Math.round(v)}`
  const header = ['scenario', 'path', 'connected', 'median ms', 'p95 ms', 'min ms', 'max ms', 'goal', 'met']
  const rows = results.map((r) => [
    `${r.name}: ${r.title}`,
    Object.entries(r.paths).map(([p, c]) => `${p} ${c}`).join(', ') || '-',
    `${r.successes}/${r.attempts}`,
    ms(r.medianMs), ms(r.p95Ms), ms(r.minMs), ms(r.maxMs),
    `>= ${r.goal.minSuccesses}/${r.goal.of}, median < ${r.goal.medianBelowMs} ms`,
    r.goalMet ? 'yes' : 'NO'
  ])
  const widths = header.map((h, c) => Math.max(h.length, ...rows.map((l) => l[c]!.length)))
  const line = (l: string[]): string => l.map((cell, c) => c >= 2 && c <= 6 ? cell.padStart(widths[c]!) : cell.padEnd(widths[c]!)).join(' | ').trimEnd()
  const out = [line(header), widths.map((w) => '-'.repeat(w)).join('-|-'), ...rows.map(line)]
  for (const r of results) {
    const dirs = Object.entries(r.byDirection)
    if (dirs.length > 1) out.push(`  ${r.name}: ${dirs.map(([d, s]) => `${d} ${s.successes}/${s.attempts}, median ${ms(s.medianMs)} ms`).join('; ')}`)
    if (r.guard.rateLimited + r.guard.bans + r.guard.refused > 0) {
      out.push(`  ${r.name}: the public nodes rate-limited ${r.guard.rateLimited} requests, banned ${r.guard.bans} source(s), refused ${r.guard.refused} and trimmed ${r.guard.trimmed} answers to unproven addresses`)
    }
    const errs = Object.entries(r.errors)
    if (errs.length > 0) out.push(`  ${r.name} failures: ${errs.map(([e, c]) => `${e} x${c}`).join(', ')}`)
  }
  return out.join('\n')
}
