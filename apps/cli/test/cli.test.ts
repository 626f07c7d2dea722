// The built `hyperdht` binary against a `hyperdht testnet` it started itself, on loopback,
// every command with --json parsed.
import { spawn } from 'node:child_process'
import { mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it, onTestFinished } from 'vitest'
import { baseEnv, BIN, cli, freeUdpPort, oneLine, Running } from './helpers.js'

// a /16 of its own, away from other tests and from a testnet someone runs on 127.0.0.1:49737
const HOST = '127.91.0.1'
let port = 0
let bootstrap = ''
let testnet: Running
let env: Record<string, string>
const dir = mkdtempSync(join(tmpdir(), 'hyperdht-cli-files-'))

beforeAll(async () => {
  port = await freeUdpPort(HOST)
  bootstrap = `${HOST}:${port}`
  env = { HYPERDHT_BOOTSTRAP: bootstrap }
  testnet = new Running(['testnet', '-n', '12', '--host', HOST, '--port', String(port), '--json'])
  await testnet.waitFor((l) => l.type === 'testnet', 60_000)
})

afterAll(async () => {
  await testnet?.stop('SIGKILL')
  rmSync(dir, { recursive: true, force: true })
})

describe('hyperdht testnet', () => {
  it('prints its bootstrap address and node count as JSON', () => {
    const line = testnet.lines.find((l) => l.type === 'testnet')!
    expect(line).toMatchObject({ type: 'testnet', bootstrap, host: HOST, nodes: 13 })
  })

  it('refuses a second testnet on the same port with one line and exit 1', async () => {
    const r = await cli(['testnet', '-n', '0', '--host', HOST, '--port', String(port)])
    expect(r.code).toBe(1)
    expect(oneLine(r.stderr)).toMatch(new RegExp(`^hyperdht: port ${port} is already in use on ${HOST.replace(/\./g, '\\.')}`))
  })

  it('stops on SIGINT with exit 0', async () => {
    const p2 = await freeUdpPort(HOST)
    const t = new Running(['testnet', '-n', '3', '--host', HOST, '--port', String(p2), '--json'])
    await t.waitFor((l) => l.type === 'testnet')
    const { code } = await t.stop('SIGINT')
    expect(code).toBe(0)
    expect(t.lines.at(-1)).toMatchObject({ type: 'stopped', signal: 'SIGINT' })
  })
})

describe('announce and lookup', () => {
  it('announces until Ctrl-C, is found by lookup, and unannounces on the way out', async () => {
    const announcer = new Running(['announce', 'cli-topic', '--port', '7001', '--local-address', '10.1.2.3:7001', '--json'], { env })
    const key = await announcer.waitFor((l) => l.type === 'key')
    expect(key).toMatchObject({ input: 'cli-topic', hashed: true })
    expect(key.key).toMatch(/^[0-9a-f]{64}$/)
    const announced = await announcer.waitFor((l) => l.type === 'announced')
    expect(announced.nodes).toBeGreaterThan(0)

    const found = await cli(['lookup', 'cli-topic', '--local-address', '10.1.9.9:0', '--json'], { env })
    expect(found.code).toBe(0)
    const peers = found.json.filter((l) => l.type === 'peer')
    expect(peers.map((p) => p.port)).toContain(7001)
    expect(peers[0]!.from).toMatchObject({ host: expect.any(String), port: expect.any(Number) })
    expect(found.json.filter((l) => l.type === 'local-peer').map((p) => `${p.host}:${p.port}`)).toContain('10.1.2.3:7001')
    expect(found.json.at(-1)).toMatchObject({ type: 'lookup-done', key: key.key, peers: 1 })

    // the same key given as 64 hex characters is used as is
    const byHex = await cli(['lookup', key.key, '--json'], { env })
    expect(byHex.json[0]).toMatchObject({ type: 'key', hashed: false, key: key.key })
    expect(byHex.json.filter((l) => l.type === 'peer').map((p) => p.port)).toContain(7001)

    const stopped = await announcer.stop('SIGINT')
    expect(stopped.code).toBe(0)
    expect(announcer.lines.at(-1)).toMatchObject({ type: 'unannounced', key: key.key })

    const gone = await cli(['lookup', 'cli-topic', '--json'], { env })
    expect(gone.code).toBe(0)
    expect(gone.json.filter((l) => l.type === 'peer')).toEqual([])
  })

  it('says on stderr that a name was hashed (human output)', async () => {
    const r = await cli(['lookup', 'some name'], { env })
    expect(r.code).toBe(0)
    expect(r.stderr).toContain('key "some name" is not 64 hex characters: using its sha256')
  })
})

describe('stored values', () => {
  it('put and get an immutable value', async () => {
    const put = await cli(['put', 'hello from the cli', '--json'], { env })
    expect(put.code).toBe(0)
    const [res] = put.json
    expect(res).toMatchObject({ type: 'put', mutable: false })
    expect(res!.stored).toBeGreaterThan(0)
    const get = await cli(['get', res!.hash, '--json'], { env })
    expect(get.code).toBe(0)
    expect(get.json[0]).toMatchObject({ type: 'value', hash: res!.hash, value: 'hello from the cli' })
    // human output: the value alone on stdout
    const human = await cli(['get', res!.hash], { env })
    expect(human.stdout).toBe('hello from the cli\n')
  })

  it('get of an unknown hash fails with one line and exit 1', async () => {
    const r = await cli(['get', 'ab'.repeat(32)], { env })
    expect(r.code).toBe(1)
    expect(oneLine(r.stderr)).toBe(`hyperdht: no value found for ${'ab'.repeat(32)}`)
  })

  it('keygen, then mutable put (seq chosen), put again, get the latest, stale seq refused', async () => {
    const file = join(dir, 'key.json')
    const kg = await cli(['keygen', '--out', file, '--json'])
    expect(kg.code).toBe(0)
    const publicKey = kg.json[0]!.publicKey as string
    expect(publicKey).toMatch(/^[0-9a-f]{64}$/)
    expect(statSync(file).mode & 0o777).toBe(0o600)
    expect(JSON.parse(readFileSync(file, 'utf8')).publicKey).toBe(publicKey)
    const again = await cli(['keygen', '--out', file])
    expect(again.code).toBe(2)
    expect(oneLine(again.stderr)).toContain('already exists')

    const p1 = await cli(['put', '--mutable', '--key-file', file, 'version one', '--json'], { env })
    expect(p1.code).toBe(0)
    expect(p1.json[0]).toMatchObject({ type: 'put', mutable: true, publicKey, seq: 0 })
    const p2 = await cli(['put', '--mutable', '--key-file', file, 'version two', '--json'], { env })
    expect(p2.json[0]).toMatchObject({ seq: 1 })
    const g = await cli(['get', '--mutable', publicKey, '--json'], { env })
    expect(g.code).toBe(0)
    expect(g.json[0]).toMatchObject({ type: 'value', mutable: true, publicKey, seq: 1, value: 'version two' })

    const stale = await cli(['put', '--mutable', '--key-file', file, '--seq', '0', 'old news'], { env })
    expect(stale.code).toBe(1)
    expect(oneLine(stale.stderr)).toMatch(/seq 0 is not higher than the stored seq 1/)
  })

  it('salted records are separate', async () => {
    const file = join(dir, 'salted.json')
    await cli(['keygen', '--out', file])
    const put = await cli(['put', '-m', '-k', file, '--salt', 'profile', 'salted value', '--json'], { env })
    expect(put.code).toBe(0)
    const pk = put.json[0]!.publicKey as string
    const withSalt = await cli(['get', '-m', pk, '--salt', 'profile', '--json'], { env })
    expect(withSalt.json[0]).toMatchObject({ value: 'salted value' })
    const without = await cli(['get', '-m', pk], { env })
    expect(without.code).toBe(1)
  })
})

describe('ping', () => {
  it('reports the rtt and the address the remote sees for us', async () => {
    const r = await cli(['ping', bootstrap, '--json'], { env })
    expect(r.code).toBe(0)
    const [pong] = r.json
    expect(pong).toMatchObject({ type: 'pong', host: HOST, port })
    expect(pong!.rtt).toBeGreaterThan(0)
    expect(pong!.address).toMatchObject({ host: expect.stringMatching(/^127\./), port: expect.any(Number) })
    expect(pong!.id).toMatch(/^[0-9a-f]{64}$/)
  })

  it('fails with one line when nobody answers', async () => {
    const closed = await freeUdpPort(HOST)
    const r = await cli(['ping', `${HOST}:${closed}`, '--timeout', '500'])
    expect(r.code).toBe(1)
    expect(oneLine(r.stderr)).toBe(`hyperdht: no answer from ${HOST}:${closed} within 500 ms`)
  })
})

describe('console', () => {
  it('runs the commands piped to it and quits', async () => {
    const input = ['help', 'info', 'table', 'diversity', 'store', 'stats', 'announce console-topic 7002', 'lookup console-topic', 'put "console value"', 'nonsense', `ping ${bootstrap}`, 'unannounce console-topic', 'quit', 'info'].join('\n') + '\n'
    const r = await cli(['console', '--json'], { env, input })
    expect(r.code).toBe(0)
    const types = r.json.map((l) => l.type)
    expect(types[0]).toBe('console')
    const help = r.json.find((l) => l.type === 'help')!
    expect(help.commands.map((c: { name: string }) => c.name)).toEqual(expect.arrayContaining(['info', 'table', 'diversity', 'store', 'announce', 'lookup', 'put', 'get', 'ping', 'quit', 'help']))
    const info = r.json.find((l) => l.type === 'info')!
    expect(info).toMatchObject({ mode: 'client', bootstrap: [bootstrap] })
    expect(['open', 'consistent', 'random', 'unknown']).toContain(info.nat)
    expect(info.id).toMatch(/^[0-9a-f]{64}$/)
    expect(r.json.find((l) => l.type === 'table')!.size).toBeGreaterThan(0)
    expect(r.json.find((l) => l.type === 'diversity')).toMatchObject({ k: 20 })
    expect(r.json.find((l) => l.type === 'announced')).toMatchObject({ port: 7002 })
    expect(r.json.filter((l) => l.type === 'peer').map((p) => p.port)).toContain(7002)
    expect(r.json.find((l) => l.type === 'put')).toMatchObject({ mutable: false })
    expect(r.json.find((l) => l.type === 'error')).toMatchObject({ code: 'USAGE', message: 'unknown command "nonsense" (type help)' })
    expect(r.json.find((l) => l.type === 'pong')).toMatchObject({ port })
    expect(r.json.find((l) => l.type === 'unannounced')).toBeDefined()
    // nothing after quit runs
    expect(r.json.filter((l) => l.type === 'info')).toHaveLength(1)
  })

  it('unannounces what is still announced when stdin ends', async () => {
    const r = await cli(['console', '--json'], { env, input: 'announce left-open 7003\n' })
    expect(r.code).toBe(0)
    expect(r.json.map((l) => l.type)).toEqual(expect.arrayContaining(['announced', 'unannounced']))
    const after = await cli(['lookup', 'left-open', '--json'], { env })
    expect(after.json.filter((l) => l.type === 'peer')).toEqual([])
  })
})

describe('console on a terminal (a pseudo-terminal from util-linux `script`)', () => {
  it('completes with Tab, recalls history with the up arrow and keeps it in a file', async () => {
    const xdg = mkdtempSync(join(tmpdir(), 'hyperdht-xdg-'))
    onTestFinished(() => { rmSync(xdg, { recursive: true, force: true }) })
    const cmd = [process.execPath, BIN, 'console'].map((a) => `'${a}'`).join(' ')
    const p = spawn('script', ['-qfc', cmd, '/dev/null'], { env: baseEnv({ ...env, XDG_CONFIG_HOME: xdg, TERM: 'xterm' }), stdio: ['pipe', 'pipe', 'pipe'] })
    let screen = ''
    p.stdout.setEncoding('utf8').on('data', (d: string) => { screen += d })
    const exited = new Promise<number | null>((resolve) => p.on('close', (code) => resolve(code)))
    // each key is sent once the screen shows the previous step: no timing assumptions
    const until = async (text: string | RegExp, from = 0): Promise<void> => {
      const deadline = Date.now() + 30_000
      const seen = (): boolean => typeof text === 'string' ? screen.indexOf(text, from) >= 0 : text.test(screen.slice(from))
      while (!seen()) {
        if (Date.now() > deadline) throw new Error(`the terminal never showed ${String(text)}: ${JSON.stringify(screen)}`)
        await new Promise((resolve) => setTimeout(resolve, 20))
      }
    }
    try {
      await until('hyperdht> ')
      let mark = screen.length
      p.stdin.write('loo')
      await until('loo', mark)
      mark = screen.length
      p.stdin.write('\t')
      await until('kup', mark)
      mark = screen.length
      p.stdin.write('tty-topic\r')
      await until(/peers? found/, mark)
      await until('hyperdht> ', mark)
      mark = screen.length
      p.stdin.write('\x1b[A')
      await until('lookup tty-topic', mark)
      mark = screen.length
      p.stdin.write('\r')
      await until(/peers? found/, mark)
      await until('hyperdht> ', mark)
      p.stdin.write('quit\r')
      expect(await exited).toBe(0)
    } finally {
      p.kill('SIGKILL')
    }
    expect(readFileSync(join(xdg, 'hyperdht', 'console-history'), 'utf8')).toBe('lookup tty-topic\nquit\n')
  })
})

describe('errors: one line on stderr, non-zero exit, no stack unless --verbose', () => {
  it('a bad key', async () => {
    const r = await cli(['get', 'not-a-hash'], { env })
    expect(r.code).toBe(2)
    expect(oneLine(r.stderr)).toBe('hyperdht: bad hash "not-a-hash": expected 64 hex characters')
  })

  it('a bad flag, a missing argument, an unknown command', async () => {
    for (const args of [['lookup', 'x', '--frobnicate'], ['lookup'], ['lokup', 'x'], ['node', '--mode', 'sometimes'], ['testnet', '-n', 'many']]) {
      const r = await cli(args, { env })
      expect(r.code, args.join(' ')).toBe(2)
      expect(oneLine(r.stderr)).toMatch(/^hyperdht: /)
    }
  })

  it('a bad address', async () => {
    const r = await cli(['lookup', 'x', '--bootstrap', 'nohost'], { env })
    expect(r.code).toBe(2)
    expect(oneLine(r.stderr)).toBe('hyperdht: bad address "nohost": expected host:port (the port is missing)')
  })

  it('a busy port', async () => {
    const r = await cli(['lookup', 'x', '--host', HOST, '--listen-port', String(port)], { env })
    expect(r.code).toBe(1)
    expect(oneLine(r.stderr)).toMatch(/already in use/)
  })

  it('an unreachable bootstrap, also as a JSON error line', async () => {
    const closed = await freeUdpPort(HOST)
    const r = await cli(['lookup', 'x', '--json', '--bootstrap', `${HOST}:${closed}`], { env })
    expect(r.code).toBe(1)
    expect(oneLine(r.stderr)).toMatch(/^hyperdht: could not join the network: no bootstrap node answered/)
    expect(r.json).toEqual([expect.objectContaining({ type: 'error', code: 'BOOTSTRAP_FAILED' })])
  })

  it('--verbose adds the stack', async () => {
    const r = await cli(['get', 'bad', '--verbose'], { env })
    expect(r.code).toBe(2)
    expect(r.stderr).toMatch(/\n\s+at /)
  })
})

describe('configuration precedence: flags > environment > config file', () => {
  it('reads the bootstrap from the config file when no flag or variable names one', async () => {
    const file = join(dir, 'config.json')
    writeFileSync(file, JSON.stringify({ bootstrap: [bootstrap] }))
    const r = await cli(['ping', bootstrap, '--json', '--config', file])
    expect(r.code).toBe(0)
    const l = await cli(['lookup', 'cfg', '--json', '--config', file])
    expect(l.code).toBe(0)
    expect(l.json.at(-1)).toMatchObject({ type: 'lookup-done' })
  })

  it('the environment beats the file, the flag beats both', async () => {
    const closed = await freeUdpPort(HOST)
    const file = join(dir, 'config-bad.json')
    writeFileSync(file, JSON.stringify({ bootstrap: [`${HOST}:${closed}`] }))
    const viaEnv = await cli(['lookup', 'cfg', '--json', '--config', file], { env })
    expect(viaEnv.code).toBe(0)
    const viaFlag = await cli(['lookup', 'cfg', '--json', '--config', file, '-b', bootstrap], { env: { HYPERDHT_BOOTSTRAP: `${HOST}:${closed}` } })
    expect(viaFlag.code).toBe(0)
    const fileOnly = await cli(['lookup', 'cfg', '--config', file])
    expect(fileOnly.code).toBe(1)
  })

  it('a broken config file is a one-line error', async () => {
    const file = join(dir, 'broken.json')
    writeFileSync(file, '{ "bootstrap": ')
    const r = await cli(['lookup', 'x', '--config', file])
    expect(r.code).toBe(2)
    expect(oneLine(r.stderr)).toBe(`hyperdht: config file ${file}: not valid JSON`)
    writeFileSync(file, JSON.stringify({ bootsrap: [] }))
    const typo = await cli(['lookup', 'x', '--config', file])
    expect(oneLine(typo.stderr)).toMatch(/unknown field "bootsrap"/)
  })
})

describe('--help', () => {
  it('every command has help, exit 0', async () => {
    for (const cmd of ['testnet', 'node', 'announce', 'lookup', 'put', 'get', 'keygen', 'ping', 'console', 'listen', 'connect', 'chat']) {
      const r = await cli([cmd, '--help'])
      expect(r.code, cmd).toBe(0)
      expect(r.stdout, cmd).toContain(`Usage: hyperdht ${cmd}`)
      expect(r.stdout, cmd).toContain('--json')
    }
    const top = await cli(['--help'])
    expect(top.code).toBe(0)
    for (const cmd of ['testnet', 'node', 'announce', 'lookup', 'put', 'get', 'keygen', 'ping', 'console', 'listen', 'connect', 'chat']) expect(top.stdout).toMatch(new RegExp(`^\\s+${cmd}\\b`, 'm'))
  })
})

// last: a server node that stopped stays in the testnet's tables for a while, and requests to it
// time out, which would slow the tests after it
describe('node', () => {
  it('runs in server mode, logs what it serves, stops on SIGTERM', async () => {
    const node = new Running(['node', '--mode', 'server', '--host', HOST, '--json'], { env })
    const listening = await node.waitFor((l) => l.type === 'listening')
    expect(listening).toMatchObject({ mode: 'server', modeSetting: 'server', bootstrap: [bootstrap] })
    await node.waitFor((l) => l.type === 'joined')
    // a 14-node network: every node is among the 20 closest, so ours stores this announce
    const a = new Running(['announce', 'served-topic', '--json'], { env })
    await a.waitFor((l) => l.type === 'announced')
    const seen = await node.waitFor((l) => l.type === 'event' && l.event === 'announce')
    expect(seen.key).toMatch(/^[0-9a-f]{64}$/)
    expect((await a.stop('SIGINT')).code).toBe(0)
    const { code } = await node.stop('SIGTERM')
    expect(code).toBe(0)
  })

  it('--mode auto starts as a client (until helpers confirm strangers reach it), and says so', async () => {
    const node = new Running(['node', '--json'], { env })
    const listening = await node.waitFor((l) => l.type === 'listening')
    expect(listening).toMatchObject({ mode: 'client', modeSetting: 'auto' })
    expect((await node.stop('SIGINT')).code).toBe(0)
  })
})
