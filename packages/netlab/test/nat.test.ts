// The lab proves itself: real namespaces, real iptables NAT, real UDP from plain Node dgram
// agents. One lab for the whole file (building it is the slow part); every test uses its own
// ports, so tests do not depend on each other's order.
import { setTimeout as sleep } from 'node:timers/promises'
import { afterAll, beforeAll, expect, it } from 'vitest'
import { Lab, NetlabError, UdpAgent, type AgentSocket, type Endpoint, type LabHost, type LabNode, type LabRouter } from '../src/index.js'
import { deliver, describeLab, probeUntil, support } from './helpers.js'

const REFLECTOR_PORT = 5000

describeLab('NAT lab', () => {
  let lab: Lab
  const agents = new Map<string, UdpAgent>()
  const reflectors = new Map<string, AgentSocket>()
  let p1: LabHost, p2: LabHost, p3: LabHost
  let natA: LabRouter, natB: LabRouter, natR: LabRouter, natF: LabRouter, cgn: LabRouter, home1: LabRouter, home2: LabRouter
  let a1: LabHost, a2: LabHost, b1: LabHost, r1: LabHost, f1: LabHost, f2: LabHost, c1: LabHost, c2: LabHost

  const at = (node: LabNode, port = REFLECTOR_PORT): Endpoint => ({ address: node.address, port })
  const agent = (node: LabNode): UdpAgent => agents.get(node.name) as UdpAgent
  const reflector = (node: LabNode): AgentSocket => reflectors.get(node.name) as AgentSocket
  const bind = async (node: LabNode, port: number): Promise<AgentSocket> => await agent(node).bind({ port })

  beforeAll(async () => {
    lab = await Lab.create({ name: 'nat.test' })
    // Independent nodes are built concurrently, and each host's agent starts as soon as its
    // host is up (starting Node is the slowest step on a loaded machine).
    const starting: Array<Promise<void>> = []
    const addHost = async (name: string, behind?: LabRouter): Promise<LabHost> => {
      const host = lab.addHost(name, { behind })
      starting.push(host.then(async (node) => { agents.set(name, await UdpAgent.start(lab, node, { timeout: 60_000 })) }))
      return await host
    }
    ;[p1, p2, p3, natA, natB, natR, natF, cgn] = await Promise.all([
      addHost('p1'), addHost('p2'), addHost('p3'),
      lab.addRouter('nata'), lab.addRouter('natb'), lab.addRouter('natr', { nat: 'random-fully' }), lab.addRouter('natf'),
      lab.addRouter('cgn', { cgnat: true })
    ]) as [LabHost, LabHost, LabHost, LabRouter, LabRouter, LabRouter, LabRouter, LabRouter]
    ;[a1, a2, b1, r1, f1, f2, home1, home2] = await Promise.all([
      addHost('a1', natA), addHost('a2', natA), addHost('b1', natB),
      addHost('r1', natR), addHost('f1', natF), addHost('f2', natF),
      lab.addRouter('home1', { behind: cgn }), lab.addRouter('home2', { behind: cgn })
    ]) as [LabHost, LabHost, LabHost, LabHost, LabHost, LabHost, LabRouter, LabRouter]
    ;[c1, c2] = await Promise.all([addHost('c1', home1), addHost('c2', home2)])
    await Promise.all(starting)
    for (const pub of [p1, p2, p3]) reflectors.set(pub.name, await agent(pub).bind({ port: REFLECTOR_PORT, reflect: true }))
  }, 120_000)

  afterAll(async () => {
    await lab?.destroy()
  })

  it('builds the address plan: public 198.18/16, home LANs 192.168.n/24, carrier LAN 100.64.n/24', () => {
    expect(p1.address).toMatch(/^198\.18\./)
    expect(natA.address).toMatch(/^198\.18\./)
    expect(a1.address).toMatch(/^192\.168\.\d+\.\d+$/)
    expect(a1.gateway).toBe(natA.lanAddress)
    expect(cgn.lan).toMatch(/^100\.64\.\d+\.0\/24$/)
    expect(home1.address.startsWith(cgn.lan.split('.').slice(0, 3).join('.'))).toBe(true)
    expect(c1.gateway).toBe(home1.lanAddress)
    for (const node of lab.nodes) expect(node.netns.length).toBeLessThanOrEqual(15)
  })

  it('(1) masquerade: one socket has the same public port towards every destination', async () => {
    const socket = await bind(a1, 40001)
    const seen = await Promise.all([p1, p2, p3].map(async (pub) => await socket.probe(at(pub))))
    for (const mapping of seen) expect(mapping).toEqual({ address: natA.address, port: 40001 })
  })

  it('(2) random-fully: a new public port per destination, stable per destination', async () => {
    const socket = await bind(r1, 40002)
    const seen = await Promise.all([p1, p2, p3].map(async (pub) => await socket.probe(at(pub))))
    for (const mapping of seen) expect(mapping.address).toBe(natR.address)
    expect(new Set(seen.map((m) => m.port)).size).toBeGreaterThan(1)
    // The flow to p1 lives on, so p1 still sees the port it saw first.
    expect(await socket.probe(at(p1))).toEqual(seen[0])
  })

  it('(3) filtering: unsolicited datagrams are dropped, replies from the exact remote pass', async () => {
    const socket = await bind(a1, 40003)
    const mapping = await socket.probe(at(p1))
    const otherPort = await agent(p1).bind({ port: 5001 })
    // Strangers first: another host, and the same host from another port.
    for (let i = 0; i < 3; i++) {
      reflector(p2).send(mapping, { t: 'stranger', i })
      otherPort.send(mapping, { t: 'other-port', i })
    }
    // Then the remote a1 sent to: its datagrams pass (sent after the strangers').
    await deliver(reflector(p1), mapping, socket, { t: 'reply' })
    await sleep(200)
    expect(socket.received().filter((d) => d.data.t === 'stranger' || d.data.t === 'other-port')).toEqual([])
    expect(otherPort.received()).toEqual([])
  })

  it('(3) hole punching between two masquerade NATs through a rendezvous on a public host', async () => {
    const [sa, sb] = await Promise.all([bind(a1, 40004), bind(b1, 40004)])
    // The rendezvous tells each side the other's public mapping.
    const [ma, mb] = await Promise.all([sa.probe(at(p1)), sb.probe(at(p1))])
    expect(ma.address).toBe(natA.address)
    expect(mb.address).toBe(natB.address)
    const [atA, atB] = await Promise.all([sa.punch(mb), sb.punch(ma)])
    // Each sees the other at exactly the mapping the rendezvous saw: punching kept the ports.
    expect(atA.from).toEqual(mb)
    expect(atB.from).toEqual(ma)
    // And the path now carries data both ways.
    await deliver(sa, mb, sb, { t: 'after-punch' })
    await deliver(sb, ma, sa, { t: 'after-punch' })
  })

  it('(4) two hosts behind the same NAT reach each other by LAN address', async () => {
    const [s1, s2] = await Promise.all([bind(a1, 40005), bind(a2, 40005)])
    const got = await deliver(s1, s2.local, s2, { t: 'lan' })
    expect(got.from).toEqual({ address: a1.address, port: 40005 })
    // Outside they share one public address; the same local port cannot map twice to one
    // remote, so the second flow gets another public port.
    const m1 = await s1.probe(at(p2))
    const m2 = await s2.probe(at(p2))
    expect(m1).toEqual({ address: natA.address, port: 40005 })
    expect(m2.address).toBe(natA.address)
    expect(m2.port).not.toBe(40005)
  })

  it('(5) a port forward (DNAT) makes a NATed host reachable unsolicited, and its removal stops that', async () => {
    const socket = await bind(a2, 40006)
    const wan = { address: natA.address, port: 7000 }
    reflector(p3).send(wan, { t: 'before' })

    const forward = await lab.forward(natA, { proto: 'udp', port: 7000, to: a2, toPort: 40006 })
    expect(forward.toAddress).toBe(a2.address)
    const got = await deliver(reflector(p3), wan, socket, { t: 'during' })
    // DNAT rewrites the destination only: the host sees the real sender.
    expect(got.from).toEqual(at(p3))
    // Its answer goes back out from the forwarded port; the flow is now established both ways.
    const answer = await deliver(socket, at(p3), reflector(p3), { t: 'answer' })
    expect(answer.from).toEqual(wan)

    await forward.remove()
    await forward.remove() // idempotent
    expect((await lab.exec(natA, 'iptables', ['-w', '-t', 'nat', '-S'])).stdout).not.toContain('7000')
    if (support.ok && support.conntrack) {
      const flows = await lab.exec(natA, 'conntrack', ['-L', '-p', 'udp', '--orig-port-dst', '7000'], { allowFailure: true })
      expect(flows.stdout.trim()).toBe('')
    }
    for (let i = 0; i < 3; i++) reflector(p3).send(wan, { t: 'after', i })
    // Control: the host is still reachable by replies, so silence below means "dropped".
    await socket.probe(at(p1))
    await sleep(200)
    expect(socket.received().map((d) => d.data.t)).not.toContain('after')
    expect(socket.received().map((d) => d.data.t)).not.toContain('before')
  })

  it.each(['conntrack', 'readdress'] as const)('(6) a conntrack flush (%s) gives the next packet a fresh mapping', async (method) => {
    if (method === 'conntrack' && support.ok && !support.conntrack) return expect.fail('conntrack is not installed')
    const port = method === 'conntrack' ? 40007 : 40008
    const [s1, s2] = await Promise.all([bind(f1, port), bind(f2, port)])
    // f1 holds the port towards p1, so f2's flow to p1 is remapped.
    expect(await s1.probe(at(p1))).toEqual({ address: natF.address, port })
    expect((await s2.probe(at(p1))).port).not.toBe(port)

    expect(await lab.flushConntrack(natF, { method })).toBe(method)
    // Forgotten: whoever sends first now gets the port. `conntrack -F` acts at once; the
    // kernel drops masqueraded flows of a removed address asynchronously, so allow it a moment.
    const fresh = method === 'conntrack' ? await s2.probe(at(p1)) : await probeUntil(s2, at(p1), (m) => m.port === port)
    expect(fresh).toEqual({ address: natF.address, port })
    expect((await s1.probe(at(p1))).port).not.toBe(port)
  })

  it('(6) a new public address: the router is seen at it from then on', async () => {
    const socket = await bind(f1, 40009)
    const before = await socket.probe(at(p2))
    expect(before.address).toBe(natF.address)
    const old = natF.address
    const next = await lab.setPublicAddress(natF)
    expect(next).not.toBe(old)
    expect(natF.address).toBe(next)
    const after = await probeUntil(socket, at(p2), (m) => m.address === next)
    expect(after.address).toBe(next)
  })

  it('(7) two NAT layers: seen at the carrier NAT\'s address, consistently; punching to another NAT works', async () => {
    const sc = await bind(c1, 40010)
    const seen = await Promise.all([p1, p2].map(async (pub) => await sc.probe(at(pub))))
    expect(seen[0]).toEqual(seen[1])
    expect(seen[0]?.address).toBe(cgn.address)

    const sb = await bind(b1, 40010)
    const mb = await sb.probe(at(p1))
    const mc = seen[0] as Endpoint
    const [atC, atB] = await Promise.all([sc.punch(mb), sb.punch(mc)])
    expect(atC.from).toEqual(mb)
    expect(atB.from).toEqual(mc)
  })

  it('(7) behind the same carrier NAT: one public address, and no hairpinning through it', async () => {
    const [s1, s2] = await Promise.all([bind(c1, 40011), bind(c2, 40011)])
    const [m1, m2] = await Promise.all([s1.probe(at(p3)), s2.probe(at(p3))])
    expect(m1.address).toBe(cgn.address)
    expect(m2.address).toBe(cgn.address)
    expect(m1.port).not.toBe(m2.port)
    // Linux MASQUERADE does not hairpin: a datagram from inside to the carrier's public
    // address is dropped, so peers behind one carrier NAT cannot punch through it.
    const punched = await Promise.allSettled([s1.punch(m2, { timeout: 1500 }), s2.punch(m1, { timeout: 1500 })])
    for (const result of punched) {
      expect(result.status).toBe('rejected')
      expect(NetlabError.isInstance((result as PromiseRejectedResult).reason)).toBe(true)
      expect((result as PromiseRejectedResult).reason.code).toBe('TIMEOUT')
    }
  })
})
