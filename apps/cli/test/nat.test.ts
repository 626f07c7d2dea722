// `hyperdht listen`, `connect` and `chat` through real NATs: the BUILT binary (dist/bin.js) run
// as real processes in Linux network namespaces behind iptables masquerade NATs
// (@hyperdht-ts/netlab), the public network made of `hyperdht node --mode server` processes.
// Needs root; without it the suite reports itself skipped with the reason (CI runs it as root).
//
//                       internet 198.18.0.0/16
//   boot p1 p2 p3 (hyperdht node --mode server)     nata        natb
//                                                    a1          b1
import { randomBytes } from 'node:crypto'
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { dirname, join } from 'node:path'
import { Lab, type LabHost, type LabRouter } from '@hyperdht-ts/netlab'
import { describeLab } from '@hyperdht-ts/netlab/vitest'
import { afterAll, afterEach, beforeAll, expect, it } from 'vitest'
import { Running } from './helpers.js'

const PORT = 49737

describeLab('hyperdht listen / connect / chat through real NATs (network namespaces)', () => {
  let lab: Lab
  let nata: LabRouter
  let natb: LabRouter
  let a1: LabHost
  let b1: LabHost
  let config: string
  const peers = new Set<Running>()

  /** `hyperdht ...args` inside the host's namespace (the lab's teardown kills what is left). */
  function hyperdht (host: LabHost, args: string[]): Running {
    return new Running(args, { netns: host.netns })
  }

  /** A peer of one test: killed after it if still running. */
  function peer (host: LabHost, args: string[]): Running {
    const r = hyperdht(host, args)
    peers.add(r)
    void r.exited.then(() => peers.delete(r))
    return r
  }

  /** Types a line on the process's stdin, as a user would. */
  function type (r: Running, line: string): void {
    r.proc.stdin.write(line + '\n')
  }

  const topic = (): string => `natlab-${randomBytes(6).toString('hex')}`

  beforeAll(async () => {
    lab = await Lab.create({ name: 'cli' })
    const [boot, p1, p2, p3, ra, rb] = await Promise.all([
      lab.addHost('boot'), lab.addHost('p1'), lab.addHost('p2'), lab.addHost('p3'),
      lab.addRouter('nata'), lab.addRouter('natb')
    ])
    nata = ra
    natb = rb
    ;[a1, b1] = await Promise.all([lab.addHost('a1', { behind: nata }), lab.addHost('b1', { behind: natb })])
    const server = ['node', '--mode', 'server', '--host', '0.0.0.0', '--listen-port', String(PORT), '--json']
    await hyperdht(boot, [...server, '--no-bootstrap']).waitFor((l) => l.type === 'listening', 20_000)
    const bootstrap = `${boot.address}:${PORT}`
    await Promise.all([p1, p2, p3].map(async (h) => await hyperdht(h, [...server, '--bootstrap', bootstrap]).waitFor((l) => l.type === 'joined', 20_000)))
    // the NATed peers take the network and a holepunch timer from a config file (--config)
    config = join(mkdtempSync(join(tmpdir(), 'hyperdht-cli-nat-')), 'config.json')
    writeFileSync(config, JSON.stringify({ bootstrap: [bootstrap], holepunch: { punchTimeout: 3000 } }))
  }, 120_000)

  afterEach(async () => {
    // a failed test must not leave its peers running into the next one
    await Promise.all([...peers].map(async (r) => await r.stop('SIGKILL', 2000)))
  })

  afterAll(async () => {
    await lab?.destroy()
    if (config !== undefined) rmSync(dirname(config), { recursive: true, force: true })
  }, 60_000)

  it('listen behind one NAT, connect from behind another: a holepunch path, lines both ways, Ctrl-C closes both cleanly', async () => {
    const t = topic()
    const listener = peer(a1, ['listen', t, '--json', '--config', config])
    const key = await listener.waitFor((l) => l.type === 'key')
    expect(key).toMatchObject({ input: t, hashed: true })
    await listener.waitFor((l) => l.type === 'listening' && l.key === key.key)

    const connector = peer(b1, ['connect', t, '--json', '--config', config])
    const conn = await connector.waitFor((l) => l.type === 'connection')
    // reached through nata's public address, over a punched path, with a measured round trip
    expect(conn).toMatchObject({ path: 'holepunch', remoteAddress: { host: nata.address } })
    expect(conn.rtt).toEqual(expect.any(Number))
    expect(conn.rtt).toBeGreaterThanOrEqual(0)
    const accepted = await listener.waitFor((l) => l.type === 'connection')
    expect(accepted).toMatchObject({ path: 'holepunch', remoteAddress: { host: natb.address } })

    type(connector, 'hello from b1')
    const m1 = await listener.waitFor((l) => l.type === 'message')
    expect(m1).toMatchObject({ text: 'hello from b1', from: { host: natb.address } })
    type(listener, 'hello from a1')
    const m2 = await connector.waitFor((l) => l.type === 'message')
    expect(m2).toMatchObject({ text: 'hello from a1', from: { host: nata.address } })

    // Ctrl-C on the listener: it closes the connection gracefully and exits 0 ...
    const stopped = await listener.stop('SIGINT')
    expect(stopped, listener.stderr).toMatchObject({ code: 0, signal: null })
    // ... and the connector reports the close (no error code: a close, not a lost peer)
    const closed = await connector.waitFor((l) => l.type === 'closed')
    expect(closed).toMatchObject({ remoteAddress: { host: nata.address } })
    expect(closed).not.toHaveProperty('code')
    expect(await connector.stop('SIGINT'), connector.stderr).toMatchObject({ code: 0, signal: null })
    expect(listener.stderr + connector.stderr).toBe('')
  }, 60_000)

  it('chat on two NATed hosts: the first waits, the second joins, lines go both ways, Ctrl-C on one is seen by the other', async () => {
    const t = topic()
    const first = peer(a1, ['chat', t, '--json', '--config', config])
    await first.waitFor((l) => l.type === 'listening')
    const waiting = await first.waitFor((l) => l.type === 'waiting')
    expect(waiting).toMatchObject({ code: 'PEER_NOT_FOUND' })

    const second = peer(b1, ['chat', t, '--json', '--config', config])
    const joined = await second.waitFor((l) => l.type === 'connection')
    expect(joined).toMatchObject({ path: 'holepunch', remoteAddress: { host: nata.address } })
    const accepted = await first.waitFor((l) => l.type === 'connection')
    expect(accepted).toMatchObject({ path: 'holepunch', remoteAddress: { host: natb.address } })

    type(second, 'hi from b1')
    expect(await first.waitFor((l) => l.type === 'message')).toMatchObject({ text: 'hi from b1' })
    type(first, 'hi from a1')
    expect(await second.waitFor((l) => l.type === 'message')).toMatchObject({ text: 'hi from a1' })
    type(first, 'and again')
    expect(await second.waitFor((l) => l.type === 'message' && l.text !== 'hi from a1')).toMatchObject({ text: 'and again' })

    expect(await second.stop('SIGINT'), second.stderr).toMatchObject({ code: 0, signal: null })
    const closed = await first.waitFor((l) => l.type === 'closed')
    expect(closed).not.toHaveProperty('code')
    expect(await first.stop('SIGINT'), first.stderr).toMatchObject({ code: 0, signal: null })
  }, 60_000)
})
