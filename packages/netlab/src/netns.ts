// Creating, listing and removing network namespaces, asynchronously and (for exit handlers)
// synchronously. Removing a namespace first kills every process still inside it: a namespace
// with a live process would survive `ip netns del` (only its name would go).
import { setTimeout as sleep } from 'node:timers/promises'
import { run, runSync } from './run.js'

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

/** Kills whatever runs in the namespace, then deletes it. Resolves false if it was not there. */
export async function deleteNetns (name: string): Promise<boolean> {
  killPids((await run('ip', ['netns', 'pids', name], { allowFailure: true })).stdout)
  const res = await run('ip', ['netns', 'del', name], { allowFailure: true })
  if (res.code === 0) return true
  if (!(await listNetns()).includes(name)) return false
  await run('ip', ['netns', 'del', name])
  return true
}

export function deleteNetnsSync (name: string): void {
  killPids(runSync('ip', ['netns', 'pids', name]).stdout)
  runSync('ip', ['netns', 'del', name])
}

function killPids (text: string): void {
  for (const word of text.split(/\s+/)) {
    const pid = Number(word)
    if (word === '' || !Number.isInteger(pid) || pid <= 1 || pid === process.pid) continue
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
