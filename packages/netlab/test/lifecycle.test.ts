// Teardown always happens: destroy(), the exit and signal handlers, and sweepStale() for what a
// SIGKILLed process left behind. The crash cases run a child process that builds a lab.
import { spawn } from 'node:child_process'
import { existsSync, readFileSync } from 'node:fs'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { setTimeout as sleep } from 'node:timers/promises'
import { expect, it } from 'vitest'
import { Lab, LabProcess, NetlabError, UdpAgent, sweepStale } from '../src/index.js'
import { listNetns } from '../src/netns.js'
import { stateDir } from '../src/registry.js'
import { run } from '../src/run.js'
import { describeLab } from './helpers.js'

const packageDir = fileURLToPath(new URL('..', import.meta.url))
const fixture = fileURLToPath(new URL('./fixtures/lab-child.ts', import.meta.url))

interface ChildReady { prefix: string, namespaces: string[], sleeper: number }

/** Alive and not a zombie. */
function alive (pid: number): boolean {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8')
    return stat.slice(stat.lastIndexOf(')') + 2)[0] !== 'Z'
  } catch {
    return false
  }
}

async function eventually (check: () => boolean | Promise<boolean>, timeout = 10_000): Promise<void> {
  const deadline = Date.now() + timeout
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error('condition not met in time')
    await sleep(50)
  }
}

async function startChild (mode: 'exit' | 'wait'): Promise<{ child: LabProcess, ready: ChildReady }> {
  const child = new LabProcess(
    spawn(process.execPath, ['--import', 'tsx', fixture, mode], { cwd: packageDir, stdio: ['pipe', 'pipe', 'pipe'] }),
    `lab-child ${mode}`
  )
  const ready = await child.waitFor<ChildReady & { type: string }>((m) => m.type === 'ready', { timeout: 60_000 })
  return { child, ready }
}

async function expectGone (ready: ChildReady): Promise<void> {
  const present = new Set(await listNetns())
  expect(ready.namespaces.filter((name) => present.has(name))).toEqual([])
  await eventually(() => !alive(ready.sleeper))
  expect(existsSync(join(stateDir(), ready.prefix))).toBe(false)
}

describeLab('lab lifecycle', () => {
  it('destroy() removes every namespace, process and lease, touches nothing outside, and is idempotent', async () => {
    const linksBefore = (await run('ip', ['-o', 'link', 'show'])).stdout.split('\n').map((l) => l.split(':')[1]?.trim()).sort()
    const lab = await Lab.create({ name: 'destroy' })
    const nat = await lab.addRouter('nat')
    const host = await lab.addHost('h', { behind: nat })
    const agent = await UdpAgent.start(lab, host)
    const namespaces = [lab.internet.netns, ...lab.nodes.map((node) => node.netns)]
    expect(namespaces.every((name) => name.startsWith(`${lab.prefix}-`))).toBe(true)
    expect(existsSync(join(stateDir(), lab.prefix))).toBe(true)

    await Promise.all([lab.destroy(), lab.destroy()])
    await lab.destroy()
    expect(lab.destroyed).toBe(true)
    expect(agent.process.exitInfo).toBeDefined()
    const present = new Set(await listNetns())
    expect(namespaces.filter((name) => present.has(name))).toEqual([])
    expect(existsSync(join(stateDir(), lab.prefix))).toBe(false)
    const linksAfter = (await run('ip', ['-o', 'link', 'show'])).stdout.split('\n').map((l) => l.split(':')[1]?.trim()).sort()
    expect(linksAfter).toEqual(linksBefore)

    await expect(lab.addHost('late')).rejects.toSatisfy((err) => NetlabError.isInstance(err) && err.code === 'DESTROYED')
    expect(() => lab.spawn(host, 'true')).toThrow(/destroyed/)
  })

  it('concurrent labs get distinct prefixes and a sweep leaves live labs alone', async () => {
    const [one, two] = await Promise.all([Lab.create({ name: 'one' }), Lab.create({ name: 'two' })])
    try {
      expect(one.prefix).not.toBe(two.prefix)
      await one.addHost('h')
      await two.addHost('h')
      const removed = await sweepStale()
      expect(removed.filter((name) => name.startsWith(`${one.prefix}-`) || name.startsWith(`${two.prefix}-`))).toEqual([])
      const present = await listNetns()
      expect(present).toContain(one.node('h')?.netns)
      expect(present).toContain(two.node('h')?.netns)
    } finally {
      await Promise.all([one.destroy(), two.destroy()])
    }
  })

  // An uncaught exception ends the process through the same 'exit' event.
  it.concurrent('a process that exits without destroy() leaves nothing behind', async () => {
    const { child, ready } = await startChild('exit')
    expect(await child.exited).toEqual({ code: 0, signal: null })
    await expectGone(ready)
  })

  it.concurrent('SIGTERM tears the lab down and the process still dies of it', async () => {
    const { child, ready } = await startChild('wait')
    child.kill('SIGTERM')
    expect(await child.exited).toEqual({ code: null, signal: 'SIGTERM' })
    await expectGone(ready)
  })

  it.concurrent('after SIGKILL, sweepStale() removes the leftovers and kills what runs in them', async () => {
    const { child, ready } = await startChild('wait')
    child.kill('SIGKILL')
    await child.exited
    // Nothing could run: everything is still there.
    const present = new Set(await listNetns())
    expect(ready.namespaces.filter((name) => present.has(name))).toEqual(ready.namespaces)
    expect(alive(ready.sleeper)).toBe(true)

    const removed = await sweepStale()
    expect(removed).toEqual(expect.arrayContaining(ready.namespaces))
    await expectGone(ready)
  })
})
