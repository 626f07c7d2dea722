// LabProcess over an ordinary child process (no namespace needed).
import { spawn } from 'node:child_process'
import { describe, expect, it } from 'vitest'
import { NetlabError } from './errors.js'
import { LabProcess } from './lab-process.js'

// Echoes each stdin line back on stdout; `{"exit":n}` exits with code n; prints one non-JSON line.
const ECHO = `
process.stdout.write('hello, not json\\n')
require('readline').createInterface({ input: process.stdin }).on('line', (line) => {
  const msg = JSON.parse(line)
  if ('exit' in msg) { process.stderr.write('bye\\n'); process.exit(msg.exit) }
  process.stdout.write(JSON.stringify({ type: 'echo', ...msg }) + '\\n')
})`

function start (): LabProcess {
  return new LabProcess(spawn(process.execPath, ['-e', ECHO], { stdio: ['pipe', 'pipe', 'pipe'] }), 'echo')
}

describe('LabProcess', () => {
  it('sends and receives JSON lines; each message satisfies one waitFor, in order', async () => {
    const proc = start()
    try {
      proc.send({ n: 1 })
      proc.send({ n: 2 })
      const first = await proc.waitFor((m) => m.type === 'echo')
      const second = await proc.waitFor((m) => m.type === 'echo')
      expect([first.n, second.n]).toEqual([1, 2])
      expect(proc.lines[0]).toBe('hello, not json')
      expect(proc.messages).toHaveLength(2)
    } finally {
      await proc.stop()
    }
  })

  it('waits for raw lines too, independently of JSON waits', async () => {
    const proc = start()
    try {
      expect(await proc.waitForLine((line) => line.startsWith('hello'))).toBe('hello, not json')
      proc.send({ n: 7 })
      // The same line satisfies one waitForLine and one waitFor.
      const [line, message] = await Promise.all([
        proc.waitForLine((l) => l.includes('"n":7')),
        proc.waitFor((m) => m.n === 7)
      ])
      expect(JSON.parse(line)).toEqual(message)
      await expect(proc.waitForLine((l) => l.startsWith('hello'), { timeout: 50 })).rejects.toThrow(/Timed out/)
    } finally {
      await proc.stop()
    }
  })

  it('finds a message that arrived before the wait began', async () => {
    const proc = start()
    try {
      const arrived = new Promise((resolve) => proc.once('message', resolve))
      proc.send({ early: true })
      await arrived
      expect((await proc.waitFor((m) => m.early === true)).type).toBe('echo')
    } finally {
      await proc.stop()
    }
  })

  it('times out with the process output in the message', async () => {
    const proc = start()
    try {
      proc.send({ n: 1 })
      await proc.waitFor((m) => m.type === 'echo')
      const err = await proc.waitFor((m) => m.never === true, { timeout: 100 }).catch((e: unknown) => e)
      expect(NetlabError.isInstance(err) && err.code).toBe('TIMEOUT')
      expect((err as Error).message).toContain('hello, not json')
    } finally {
      await proc.stop()
    }
  })

  it('rejects pending and later waits when the process exits, with its stderr', async () => {
    const proc = start()
    const pending = proc.waitFor((m) => m.never === true)
    proc.send({ exit: 3 })
    const err = await pending.catch((e: unknown) => e)
    expect(NetlabError.isInstance(err) && err.code).toBe('PROCESS_EXITED')
    expect((err as Error).message).toContain('bye')
    expect(await proc.exited).toEqual({ code: 3, signal: null })
    await expect(proc.waitFor(() => true)).rejects.toThrow(/exited/)
    expect(() => proc.send({})).toThrow(/exited/)
  })

  it('aborts a wait on signal, and a throwing predicate fails only its own wait', async () => {
    const proc = start()
    try {
      const controller = new AbortController()
      const aborted = proc.waitFor(() => false, { signal: controller.signal })
      controller.abort()
      await expect(aborted).rejects.toSatisfy((e) => NetlabError.isInstance(e) && e.code === 'ABORTED')

      const thrower = proc.waitFor((m) => { if (m.type === 'echo') throw new Error('bad predicate'); return false })
      const fine = proc.waitFor((m) => m.type === 'echo')
      proc.send({ n: 1 })
      await expect(thrower).rejects.toThrow('bad predicate')
      expect((await fine).n).toBe(1)
    } finally {
      await proc.stop()
    }
  })

  it('stop() escalates to SIGKILL when SIGTERM is ignored', async () => {
    const proc = new LabProcess(spawn(process.execPath, ['-e', `
      process.on('SIGTERM', () => {}); console.log('{"type":"ready"}'); setInterval(() => {}, 1000)`], { stdio: ['pipe', 'pipe', 'pipe'] }), 'stubborn')
    await proc.waitFor((m) => m.type === 'ready')
    expect(await proc.stop(100)).toEqual({ code: null, signal: 'SIGKILL' })
  })
})
