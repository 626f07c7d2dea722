// SIGINT and SIGTERM sent to the built `hyperdht` at each stage of a long-running command's
// start: before its node exists, while it joins the network, right after its first output line,
// and once it runs. Every time it stops gracefully (exit 0, nothing on stderr), never by the
// signal itself. The only earlier moment, Node.js's own start-up before any of the command's
// code runs, belongs to Node (the default action applies) and is not tested.
import { execFileSync } from 'node:child_process'
import { createSocket, type Socket } from 'node:dgram'
import { constants, mkdtempSync, rmSync } from 'node:fs'
import { open, type FileHandle } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { freeUdpPort, nextLoopbackHost, Running } from './helpers.js'

// /16s of their own: the testnet on 127.60.7.1 (its nodes on 127.61-63.7.1), the silent
// bootstrap node on 127.64.7.1; the commands bind their own 127.150-199.x.y (helpers.ts)
const HOST = '127.60.7.1'
const SILENT_HOST = '127.64.7.1'
const dir = mkdtempSync(join(tmpdir(), 'hyperdht-cli-signals-'))

let testnet: Running
let env: Record<string, string>
let silent: Socket
let silentAddress = ''
/** Hosts the silent node heard from, and who waits to hear from one. */
const heardFrom = new Set<string>()
const waiting = new Map<string, () => void>()

beforeAll(async () => {
  // a "bootstrap node" that receives and never answers: a command joining through it waits
  silent = createSocket('udp4')
  silent.on('message', (_msg, from) => {
    heardFrom.add(from.address)
    waiting.get(from.address)?.()
  })
  await new Promise<void>((resolve) => silent.bind(0, SILENT_HOST, () => resolve()))
  silentAddress = `${SILENT_HOST}:${silent.address().port}`
  const port = await freeUdpPort(HOST)
  env = { HYPERDHT_BOOTSTRAP: `${HOST}:${port}` }
  testnet = new Running(['testnet', '-n', '3', '--host', HOST, '--port', String(port), '--json'])
  await testnet.waitFor((l) => l.type === 'testnet', 60_000)
})

afterAll(async () => {
  await testnet?.stop('SIGKILL')
  silent?.close()
  rmSync(dir, { recursive: true, force: true })
})

/** Sends `sig`, and expects a graceful stop: exit 0 (not death by the signal), nothing on stderr. */
async function expectGracefulStop (run: Running, sig: NodeJS.Signals): Promise<void> {
  const r = await run.stop(sig)
  expect({ code: r.code, signal: r.signal, stderr: run.stderr }).toEqual({ code: 0, signal: null, stderr: '' })
}

/** Resolves once the silent bootstrap node received a datagram from `host` (every run binds a host of its own). */
async function datagramFrom (host: string): Promise<void> {
  if (heardFrom.has(host)) return
  await new Promise<void>((resolve) => waiting.set(host, resolve))
  waiting.delete(host)
}

const SIGNALS = ['SIGINT', 'SIGTERM'] as const

/** Each long-running command (listen, connect and chat on a key of their own) as it is started. */
const COMMANDS: Array<{ name: string, args: string[] }> = [
  { name: 'node', args: ['node', '--json'] },
  { name: 'announce', args: ['announce', 'signals-announce', '--json'] },
  { name: 'listen', args: ['listen', 'signals-listen', '--json'] },
  { name: 'connect', args: ['connect', 'signals-connect', '--json'] },
  { name: 'chat', args: ['chat', 'signals-chat', '--json'] }
]

describe('a signal before the node exists (the command blocked reading its config file, a FIFO)', () => {
  /** Starts the command, waits until it opened the config FIFO, sends `sig`, then lets it read `{}`. */
  async function signalWhileReadingConfig (args: string[], sig: NodeJS.Signals, name: string): Promise<Running> {
    const fifo = join(dir, `${name}-${sig}.json`)
    execFileSync('mkfifo', [fifo])
    const run = new Running([...args, '--config', fifo, '--bootstrap', silentAddress])
    const writer = await openWhenRead(fifo, run)
    // the command is inside its action, before startNode, blocked until it reads the file
    run.proc.kill(sig)
    await writer.writeFile('{}').catch(() => {})
    await writer.close().catch(() => {})
    return run
  }

  /**
   * Opens the write end of `fifo` once `run` opened it for reading. Non-blocking opens, tried
   * again until one succeeds: a blocking one would wait forever if the command died first.
   */
  async function openWhenRead (fifo: string, run: Running): Promise<FileHandle> {
    for (;;) {
      try {
        return await open(fifo, constants.O_WRONLY | constants.O_NONBLOCK)
      } catch (err) {
        if ((err as { code?: string }).code !== 'ENXIO') throw err
      }
      if (run.proc.exitCode !== null || run.proc.signalCode !== null) {
        throw new Error(`the command exited (${run.proc.exitCode ?? run.proc.signalCode}) before reading its config file; stderr: ${run.stderr}`)
      }
      await new Promise((resolve) => setTimeout(resolve, 5))
    }
  }

  for (const { name, args } of COMMANDS) {
    for (const sig of SIGNALS) {
      it(`${name}, ${sig}: exits 0 without starting`, async () => {
        const run = await signalWhileReadingConfig(args, sig, name)
        await expectGracefulStop(run, sig)
        expect(run.lines.map((l) => l.type)).not.toContain('listening')
        if (name === 'node') expect(run.lines.at(-1)).toEqual({ type: 'stopped', signal: sig })
      })
    }
  }

  it('a one-shot command (lookup) still ends by the signal, as before', async () => {
    const run = await signalWhileReadingConfig(['lookup', 'signals-lookup', '--json'], 'SIGTERM', 'lookup')
    const r = await run.exited
    expect(r).toEqual({ code: null, signal: 'SIGTERM' })
  })
})

describe('a signal while the node joins the network (through a bootstrap node that never answers)', () => {
  for (const { name, args } of [...COMMANDS, { name: 'console', args: ['console', '--json'] }]) {
    for (const sig of SIGNALS) {
      it(`${name}, ${sig}: stops joining and exits 0 at once`, async () => {
        const host = nextLoopbackHost()
        const run = new Running([...args, '--bootstrap', silentAddress], { env: { HYPERDHT_HOST: host } })
        await datagramFrom(host)
        const t0 = Date.now()
        await expectGracefulStop(run, sig)
        // not after the bootstrap gave up (seconds of timeouts and retries)
        expect(Date.now() - t0).toBeLessThan(3000)
        expect(run.lines.map((l) => l.type)).not.toContain('listening')
        if (name === 'node') expect(run.lines.at(-1)).toEqual({ type: 'stopped', signal: sig })
      })
    }
  }
})

describe('a signal right after the first output line, and once running (a testnet)', () => {
  it('node: after its first line (listening), and after it joined', async () => {
    for (const [at, sig] of [['listening', 'SIGTERM'], ['joined', 'SIGINT']] as const) {
      const run = new Running(['node', '--json'], { env })
      await run.waitFor((l) => l.type === at)
      await expectGracefulStop(run, sig)
      expect(run.lines.at(-1)).toEqual({ type: 'stopped', signal: sig })
    }
  })

  it('announce: after its first line (key, the announce starting) and after it announced, it unannounces', async () => {
    for (const [at, sig] of [['key', 'SIGINT'], ['announced', 'SIGTERM']] as const) {
      const run = new Running(['announce', `signals-announce-${at}`, '--json'], { env })
      await run.waitFor((l) => l.type === at)
      expect(run.lines[0]).toMatchObject({ type: 'key' })
      await expectGracefulStop(run, sig)
      expect(run.lines.at(-1)).toMatchObject({ type: 'unannounced' })
    }
  })

  it('listen: after its first line (key), and once listening; connect: after its first line, and once connected', async () => {
    const early = new Running(['listen', 'signals-listen-early', '--json'], { env })
    await early.waitFor((l) => l.type === 'key')
    await expectGracefulStop(early, 'SIGTERM')

    const listener = new Running(['listen', 'signals-pair', '--json'], { env })
    await listener.waitFor((l) => l.type === 'listening')
    try {
      const connecting = new Running(['connect', 'signals-pair', '--json'], { env })
      await connecting.waitFor((l) => l.type === 'key')
      await expectGracefulStop(connecting, 'SIGINT')

      const connected = new Running(['connect', 'signals-pair', '--json'], { env })
      await connected.waitFor((l) => l.type === 'connection')
      await expectGracefulStop(connected, 'SIGTERM')
    } finally {
      await expectGracefulStop(listener, 'SIGINT')
    }
  })

  it('chat: after its first line (key), and once waiting for others', async () => {
    for (const [at, sig] of [['key', 'SIGTERM'], ['waiting', 'SIGINT']] as const) {
      const run = new Running(['chat', `signals-chat-${at}`, '--json'], { env })
      await run.waitFor((l) => l.type === at)
      await expectGracefulStop(run, sig)
    }
  })
})
