// Hole punching through real NATs: Linux network namespaces, veth pairs and iptables NAT routers
// (packages/netlab), with our built HyperDHT running as real processes inside them
// (peer-agent.mjs). Needs root; without it the suite reports itself skipped with the reason,
// and CI (NETLAB_REQUIRE=1, as root) runs it.
//
//                        internet 198.18.0.0/16
//   boot p1 p2 p3 (server)  p4 (auto)   nata   natb   natr   natr2   natd    cgn1        cgn2
//                                        a1 a2   b1     r1     r2      d1   home1 home2  home3
//                                                                           c1    c2     c3
import { existsSync } from 'node:fs'
import { randomBytes } from 'node:crypto'
import { fileURLToPath } from 'node:url'
import { Lab, type LabProcess } from '@hyperdht-ts/netlab'
import { describeLab } from '@hyperdht-ts/netlab/vitest'
import { afterAll, beforeAll, expect, it } from 'vitest'
import { agentInfo, untilInfo } from './agent-info'

const AGENT = fileURLToPath(new URL('./peer-agent.mjs', import.meta.url))
const BUILT = fileURLToPath(new URL('../../../hyperdht/dist/index.js', import.meta.url))
const PORT = 40000 // every agent binds this port (a port forward needs to know it)

// timers in seconds, not minutes: every one is an option
const FAST = {
  promoteAfter: 1000,
  demoteAfter: 1000,
  minDwell: 0,
  reachFirstDelay: 300,
  reachInterval: 1500,
  dialbackWait: 800,
  punchTimeout: 3000
}

interface Info { mode: string, nat: string, publicAddress: { host: string, port: number } | null, reachability: string, table: Array<{ host: string, port: number }> }

const key = (): string => randomBytes(32).toString('hex')

describeLab('holepunch through real NATs (network namespaces)', () => {
  let lab: Lab
  const agents = new Map<string, LabProcess>()
  const addresses = new Map<string, string>()
  let bootstrap: string[] = []
  const routers = new Map<string, Awaited<ReturnType<Lab['addRouter']>>>()
  const hosts = new Map<string, Awaited<ReturnType<Lab['addHost']>>>()

  async function start (name: string, host: Awaited<ReturnType<Lab['addHost']>>, mode: string): Promise<LabProcess> {
    const config = { host: '0.0.0.0', port: PORT, bootstrap, mode, holepunch: FAST }
    const proc = lab.spawn(host, process.execPath, [AGENT, JSON.stringify(config)])
    await proc.waitFor((m) => m.type === 'ready', { timeout: 20_000 })
    agents.set(name, proc)
    addresses.set(name, host.address)
    return proc
  }

  async function info (name: string): Promise<Info> {
    return await agentInfo<Info>(agents.get(name)!)
  }

  async function until (name: string, check: (i: Info) => boolean, timeout?: number): Promise<Info> {
    return await untilInfo<Info>(name, agents.get(name)!, check, timeout)
  }

  async function listen (name: string, k: string): Promise<void> {
    agents.get(name)!.send({ op: 'listen', key: k })
    await agents.get(name)!.waitFor((m) => m.type === 'listening' && m.key === k, { timeout: 20_000 })
  }

  async function connect (name: string, k: string, timeout = 40_000): Promise<Record<string, unknown>> {
    agents.get(name)!.send({ op: 'connect', key: k, timeout })
    return await agents.get(name)!.waitFor((m) => m.type === 'connected' || m.type === 'connect-failed', { timeout: timeout + 5000 })
  }

  beforeAll(async () => {
    if (!existsSync(BUILT)) throw new Error(`${BUILT} is missing: run \`pnpm build\` first (pnpm test does)`)
    lab = await Lab.create({ name: 'holepunch' })
    const [boot, p1, p2, p3, p4, nata, natb, natr, natr2, natd, cgn1, cgn2] = await Promise.all([
      lab.addHost('boot'), lab.addHost('p1'), lab.addHost('p2'), lab.addHost('p3'), lab.addHost('p4'),
      lab.addRouter('nata'), lab.addRouter('natb'), lab.addRouter('natr', { nat: 'random-fully' }),
      lab.addRouter('natr2', { nat: 'random-fully' }), lab.addRouter('natd'),
      lab.addRouter('cgn1', { cgnat: true }), lab.addRouter('cgn2', { cgnat: true })
    ])
    const [home1, home2, home3] = await Promise.all([
      lab.addRouter('home1', { behind: cgn1 }), lab.addRouter('home2', { behind: cgn1 }), lab.addRouter('home3', { behind: cgn2 })
    ])
    const [a1, a2, b1, r1, r2, d1, c1, c2, c3] = await Promise.all([
      lab.addHost('a1', { behind: nata }), lab.addHost('a2', { behind: nata }), lab.addHost('b1', { behind: natb }),
      lab.addHost('r1', { behind: natr }), lab.addHost('r2', { behind: natr2 }), lab.addHost('d1', { behind: natd }),
      lab.addHost('c1', { behind: home1 }), lab.addHost('c2', { behind: home2 }), lab.addHost('c3', { behind: home3 })
    ])
    for (const [name, r] of Object.entries({ nata, natb, natr, natr2, natd, cgn1, cgn2, home1, home2, home3 })) routers.set(name, r)
    hosts.set('d1', d1)
    await start('boot', boot, 'server')
    bootstrap = [`${boot.address}:${PORT}`]
    await Promise.all([start('p1', p1, 'server'), start('p2', p2, 'server'), start('p3', p3, 'server')])
    // the public servers know each other before the others arrive (helpers pick strangers from their tables)
    await Promise.all([start('p4', p4, 'auto'), start('a1', a1, 'auto'), start('a2', a2, 'auto'), start('b1', b1, 'auto'),
      start('r1', r1, 'auto'), start('r2', r2, 'auto'), start('d1', d1, 'auto'),
      start('c1', c1, 'auto'), start('c2', c2, 'auto'), start('c3', c3, 'auto')])
  }, 120_000)

  afterAll(async () => {
    await lab?.destroy()
  }, 60_000)

  it('two peers behind their own NATs: A listens, B connects, messages flow both ways over a holepunch path', async () => {
    const k = key()
    await listen('a1', k)
    const res = await connect('b1', k)
    expect(res).toMatchObject({ type: 'connected', path: 'holepunch' })
    // b1 reached a1 at nata's public address, not its LAN one
    expect((res.remoteAddress as { host: string }).host).toBe(routers.get('nata')!.address)
    const a1 = agents.get('a1')!
    const b1 = agents.get('b1')!
    await a1.waitFor((m) => m.type === 'connection' && m.path === 'holepunch')
    b1.send({ op: 'send', text: 'hello from b1' })
    await a1.waitFor((m) => m.type === 'message' && m.text === 'hello from b1')
    a1.send({ op: 'send', text: 'hello from a1' })
    await b1.waitFor((m) => m.type === 'message' && m.text === 'hello from a1')
    b1.send({ op: 'close' })
    await a1.waitFor((m) => m.type === 'peer-closed')
  }, 60_000)

  it('two peers behind the same NAT connect over the LAN', async () => {
    const k = key()
    await listen('a1', k)
    const res = await connect('a2', k)
    expect(res).toMatchObject({ type: 'connected', path: 'lan' })
    expect((res.remoteAddress as { host: string }).host).toBe(addresses.get('a1'))
  }, 60_000)

  it('NAT types: masquerade is consistent, MASQUERADE --random-fully is random', async () => {
    const b1 = await until('b1', (i) => i.nat === 'consistent')
    expect(b1.publicAddress).toMatchObject({ port: PORT }) // masquerade kept the port
    await until('r1', (i) => i.nat === 'random')
  }, 60_000)

  it('a random NAT and a consistent one connect through the bounded birthday attempt; two random NATs fail fast with BOTH_NATS_RANDOM', async () => {
    await until('r1', (i) => i.nat === 'random')
    await until('r2', (i) => i.nat === 'random')
    await until('b1', (i) => i.nat === 'consistent')
    const k = key()
    await listen('r1', k)
    const res = await connect('b1', k)
    expect(res).toMatchObject({ type: 'connected', path: 'holepunch' })
    const r1 = agents.get('r1')!
    await r1.waitFor((m) => m.type === 'connection')
    agents.get('b1')!.send({ op: 'send', text: 'through a random NAT' })
    await r1.waitFor((m) => m.type === 'message' && m.text === 'through a random NAT')

    const k2 = key()
    await listen('r2', k2)
    const both = await connect('r1', k2)
    expect(both).toMatchObject({ type: 'connect-failed', code: 'BOTH_NATS_RANDOM' })
    expect(both.ms as number).toBeLessThan(5000)
  }, 90_000)

  it('modes: NATed peers stay clients and are in no public routing table; a public node in auto becomes a server', async () => {
    await until('p4', (i) => i.mode === 'server' && i.reachability === 'reachable')
    for (const name of ['a1', 'b1', 'r1', 'c1']) expect((await info(name)).mode).toBe('client')
    const natted = new Set(['a1', 'a2', 'b1', 'r1', 'r2', 'c1', 'c2', 'c3'].map((n) => addresses.get(n)))
    const publicOfNats = new Set<string>()
    for (const r of routers.values()) publicOfNats.add(r.address)
    for (const name of ['boot', 'p1', 'p2', 'p3']) {
      const { table } = await info(name)
      expect(table.length).toBeGreaterThan(0)
      for (const n of table) {
        expect(natted.has(n.host), `${name} holds ${n.host}`).toBe(false)
        expect(publicOfNats.has(n.host), `${name} holds ${n.host}`).toBe(false)
      }
    }
  }, 60_000)

  it('a port forward (DNAT) to a NATed peer makes it a server without a restart; removing it makes it a client again', async () => {
    const d = await until('d1', (i) => i.reachability === 'unreachable')
    expect(d.mode).toBe('client')
    const fwd = await lab.forward(routers.get('natd')!, { proto: 'udp', port: PORT, to: hosts.get('d1')!, toPort: PORT })
    try {
      await until('d1', (i) => i.mode === 'server' && i.reachability === 'reachable', 30_000)
    } finally {
      await fwd.remove()
    }
    await until('d1', (i) => i.mode === 'client', 30_000)
  }, 90_000)

  it('a public address change is noticed (and demotes the node at once)', async () => {
    const b1 = agents.get('b1')!
    const before = (await until('b1', (i) => i.publicAddress !== null)).publicAddress!
    const next = await lab.setPublicAddress(routers.get('natb')!)
    const changed = await b1.waitFor((m) => m.type === 'nat' && m.addressChanged === true && m.host === next, { timeout: 30_000 })
    expect(changed.host).not.toBe(before.host)
  }, 60_000)

  it('carrier-grade NAT: peers behind two layers of NAT connect across different carrier NATs; behind the same one (no hairpinning) they fail cleanly', async () => {
    const k = key()
    await listen('c1', k)
    const res = await connect('c3', k)
    expect(res).toMatchObject({ type: 'connected', path: 'holepunch' })
    const res2 = await connect('c2', k, 20_000)
    expect(res2.type).toBe('connect-failed')
    expect(['HOLEPUNCH_FAILED', 'PEER_NOT_FOUND']).toContain(res2.code)
  }, 90_000)
})
