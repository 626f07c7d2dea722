// Creating, listing and removing network namespaces, asynchronously and (for exit handlers)
// synchronously. Removing a namespace first kills every process still inside it: a namespace
// with a live process would survive `ip netns del` (only its name would go). Every exec costs
// tens of milliseconds on a loaded machine, so removal is one `ip -batch` for all namespaces.
import { readdirSync, readlinkSync, statSync } from 'node:fs'
import { setTimeout as sleep } from 'node:timers/promises'
import { run, runSync } from './run.js'

const NETNS_DIR = '/run/netns'

/**
 * `ip netns add`, retried: the very first `ip netns add` on a machine makes /run/netns a shared
 * mount, and two labs doing that at the same instant can make one of them fail once.
 */
export async function addNetns (name: string): Promise<void> {
  for (let attempt = 1; ; attempt++) {
    const res = await run('ip', ['netns', 'add', name], { allowFailure: true })
    if (res.code === 0) return
    if (attempt >= 3 || /exists/i.test(res.stderr)) {
      await run('ip', ['netns', 'add', name])
      return
    }
    await sleep(50 * attempt)
  }
}

export async function listNetns (): Promise<string[]> {
  return parseList((await run('ip', ['netns', 'list'], { allowFailure: true })).stdout)
}

export function listNetnsSync (): string[] {
  return parseList(runSync('ip', ['netns', 'list']).stdout)
}

/**
 * Kills whatever runs in the namespaces, then deletes them. Resolves with the names that still
 * exist afterwards (normally none); names that did not exist are not an error.
 */
export async function deleteNetns (names: readonly string[]): Promise<string[]> {
  if (names.length === 0) return []
  killPidsIn(names)
  await run('ip', ['-force', '-batch', '-'], { input: deleteScript(names), allowFailure: true })
  const left = new Set(await listNetns())
  return names.filter((name) => left.has(name))
}

export function deleteNetnsSync (names: readonly string[]): void {
  if (names.length === 0) return
  killPidsIn(names)
  runSync('ip', ['-force', '-batch', '-'], { input: deleteScript(names) })
}

function deleteScript (names: readonly string[]): string {
  return names.map((name) => `netns del ${name}\n`).join('')
}

/**
 * SIGKILLs every process whose network namespace is one of `names`, found the way
 * `ip netns pids` does (the nsfs inode of /run/netns/<name> against /proc/<pid>/ns/net), for
 * all names in one pass over /proc.
 */
function killPidsIn (names: readonly string[]): void {
  const inodes = new Set<string>()
  for (const name of names) {
    try {
      inodes.add(`net:[${statSync(`${NETNS_DIR}/${name}`).ino}]`)
    } catch {
      // Not there (never created, or already gone).
    }
  }
  if (inodes.size === 0) return
  for (const entry of readdirSync('/proc')) {
    const pid = Number(entry)
    if (!Number.isInteger(pid) || pid <= 1 || pid === process.pid) continue
    let ns: string
    try {
      ns = readlinkSync(`/proc/${pid}/ns/net`)
    } catch {
      continue // exited meanwhile, or a kernel thread
    }
    if (!inodes.has(ns)) continue
    try {
      process.kill(pid, 'SIGKILL')
    } catch {
      // Already gone.
    }
  }
}

// `ip netns list` prints `name` or `name (id: 3)` per line.
function parseList (text: string): string[] {
  return text.split('\n').map((line) => line.trim().split(/\s+/)[0] ?? '').filter((name) => name !== '')
}
