// The safety net. Each lab leases its namespace prefix with a file naming its owner process, so
// concurrent labs (vitest runs test files in parallel processes) never share a prefix and a
// sweep removes only what a dead process left behind. Live labs are torn down synchronously
// when the process exits or is killed by a signal it can catch.
import { mkdirSync, openSync, readdirSync, readFileSync, rmSync, writeSync, closeSync } from 'node:fs'
import { join } from 'node:path'
import { DEFAULT_PREFIX, DEFAULT_STATE_DIR } from './constants.js'
import { NetlabError } from './errors.js'
import { deleteNetns, listNetns } from './netns.js'

/** What the registry needs from a live lab. */
export interface LiveLab {
  readonly prefix: string
  /** Kills the lab's processes and deletes its namespaces, synchronously, never throwing. */
  destroySync (): void
}

interface Lease {
  pid: number
  /** Start time of the owner (clock ticks since boot), so a recycled pid is not mistaken for it. */
  start: string | undefined
}

const live = new Set<LiveLab>()
const SIGNALS = ['SIGINT', 'SIGTERM', 'SIGHUP'] as const
let installed = false

export function stateDir (): string {
  return process.env.NETLAB_STATE_DIR ?? DEFAULT_STATE_DIR
}

/**
 * Leases a free lab prefix `<base><pid % 1000><n>` (n in base 36) for this process. Creating the
 * lease file with O_EXCL makes the claim atomic across processes and worker threads.
 */
export function claimPrefix (base: string = DEFAULT_PREFIX): string {
  if (!/^[a-z]{1,4}$/.test(base)) throw NetlabError.INVALID_ARGUMENT(`A lab prefix is 1 to 4 lowercase letters, not ${JSON.stringify(base)}`)
  const dir = stateDir()
  mkdirSync(dir, { recursive: true })
  const lease = JSON.stringify({ pid: process.pid, start: startTime(process.pid) } satisfies Lease)
  for (let n = 0; n < 36 * 36; n++) {
    const prefix = `${base}${process.pid % 1000}${n.toString(36)}`
    let fd: number
    try {
      fd = openSync(join(dir, prefix), 'wx')
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === 'EEXIST') continue
      throw err
    }
    writeSync(fd, lease)
    closeSync(fd)
    return prefix
  }
  throw NetlabError.INVALID_ARGUMENT(`No free lab prefix under ${base}: run sweepStale()`)
}

export function releasePrefix (prefix: string): void {
  rmSync(join(stateDir(), prefix), { force: true })
}

export function register (lab: LiveLab): void {
  live.add(lab)
  if (!installed) {
    installed = true
    process.on('exit', onExit)
    for (const signal of SIGNALS) process.on(signal, onSignal)
  }
}

export function unregister (lab: LiveLab): void {
  live.delete(lab)
  if (live.size === 0) uninstall()
}

// Leave no listener behind once no lab lives: the process must behave as if we never came.
function uninstall (): void {
  if (!installed) return
  installed = false
  process.off('exit', onExit)
  for (const signal of SIGNALS) process.off(signal, onSignal)
}

function onExit (): void {
  for (const lab of [...live]) {
    live.delete(lab)
    lab.destroySync()
  }
  uninstall()
}

function onSignal (signal: NodeJS.Signals): void {
  // Our listener replaced the default action (exit); restore it unless someone else handles it.
  const others = process.listenerCount(signal) - 1
  onExit()
  if (others === 0) process.kill(process.pid, signal)
}

/**
 * Removes what crashed runs left: every namespace `<prefix>…-…` whose lab's lease is missing or
 * names a dead process (with the processes still inside it), and leases of dead owners. Labs of
 * live processes, including concurrent test files, are left alone. Resolves to the names of the
 * namespaces removed. `Lab.create()` calls it unless told not to.
 */
export async function sweepStale (prefix: string = DEFAULT_PREFIX): Promise<string[]> {
  const dir = stateDir()
  const stale = new Set<string>()
  const isStale = (labPrefix: string): boolean => {
    const lease = readLease(join(dir, labPrefix))
    return lease === undefined || !alive(lease)
  }

  const doomed: string[] = []
  for (const name of await listNetns()) {
    // checkSupport()'s throwaway namespace, `<prefix>probe<pid>x<attempt>`, if its process died mid-probe.
    const probeId = name.startsWith(`${prefix}probe`) ? /^(\d+)(?:x\d+)?$/.exec(name.slice(prefix.length + 5)) : null
    const probe = probeId === null ? NaN : Number(probeId[1])
    if (Number.isInteger(probe) && !alive({ pid: probe, start: undefined })) {
      doomed.push(name)
      continue
    }
    const dash = name.indexOf('-')
    if (!name.startsWith(prefix) || dash <= prefix.length) continue
    const labPrefix = name.slice(0, dash)
    if (!stale.has(labPrefix) && !isStale(labPrefix)) continue
    stale.add(labPrefix)
    doomed.push(name)
  }
  const left = new Set(await deleteNetns(doomed))
  const removed = doomed.filter((name) => !left.has(name))

  let leases: string[] = []
  try {
    leases = readdirSync(dir)
  } catch {
    // No state directory yet: nothing was ever leased.
  }
  for (const labPrefix of leases) {
    if (labPrefix.startsWith(prefix) && (stale.has(labPrefix) || isStale(labPrefix))) releasePrefix(labPrefix)
  }
  return removed
}

function readLease (path: string): Lease | undefined {
  try {
    const lease = JSON.parse(readFileSync(path, 'utf8')) as Lease
    return Number.isInteger(lease.pid) ? lease : undefined
  } catch {
    return undefined
  }
}

function alive (lease: Lease): boolean {
  try {
    process.kill(lease.pid, 0)
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ESRCH') return false
  }
  const start = startTime(lease.pid)
  return start === undefined || lease.start === undefined || start === lease.start
}

/** Field 22 of /proc/<pid>/stat: when the process started, in clock ticks since boot. */
function startTime (pid: number): string | undefined {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8')
    // The command name (field 2) is in parentheses and may contain spaces: count after it.
    return stat.slice(stat.lastIndexOf(')') + 2).split(' ')[19]
  } catch {
    return undefined
  }
}
