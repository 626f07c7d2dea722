// Port mapping against a real NAT-PMP / UPnP daemon: Debian's miniupnpd (package
// miniupnpd-iptables) runs in a lab NAT router's namespace and maps ports with its own iptables
// rules. A node behind that router with `portMapping` on gets a mapping, is verified reachable by
// the usual helper probes (nobody takes the mapping's word for it) and becomes a server without a
// restart; a node behind the same router without it stays a client; destroying the node removes
// the mapping from the daemon. Needs root (as every lab) and miniupnpd; CI installs both.
//
//   internet 198.18.0.0/16:  boot p1 p2 p3 (servers)   stun (2 addresses)   upnp (router + miniupnpd)
//                                                                              m1 (portMapping)  c1 (off)
//
// Two details of the setup:
// - miniupnpd refuses to map anything while its WAN address is in a reserved range (the lab's
//   internet is 198.18/15) unless a STUN check shows that nothing filters its WAN
//   (`ext_perform_stun`). stun-server.mjs is that STUN server, and the router's netlab firewall
//   lets its answers in.
// - miniupnpd-iptables writes legacy iptables (libiptc). Where netlab's `iptables` is the nf_tables
//   one (Debian 12's default), a packet passes both rulesets: netlab's FORWARD admits DNATed flows
//   only through NETLAB-FWD, so the router accepts there every flow a DNAT rule sent, which makes
//   the daemon's DNAT rules the one thing that opens the router, as on a home router.
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { Lab, type LabProcess } from '@hyperdht-ts/netlab'
import { describeLab } from '@hyperdht-ts/netlab/vitest'
import { afterAll, beforeAll, expect, it } from 'vitest'
import { untilInfo } from './agent-info'

const AGENT = fileURLToPath(new URL('./peer-agent.mjs', import.meta.url))
const STUN = fileURLToPath(new URL('./stun-server.mjs', import.meta.url))
const BUILT = fileURLToPath(new URL('../../../hyperdht/dist/index.js', import.meta.url))
const PORT = 40000
const CONTROL_PORT = 40001
const UPNP_PORT = 40002
const STUN_ALTERNATE = '198.18.255.250' // the STUN server's second address (its "changed IP")

// short timers, but a dialback wait that a loaded CI machine (the whole suite on 2 cores) still meets
const FAST = { promoteAfter: 1000, demoteAfter: 1000, minDwell: 0, reachFirstDelay: 300, reachInterval: 1500, dialbackWait: 2000 }

function findTool (name: string): string | null {
  for (const dir of [...(process.env.PATH ?? '').split(':'), '/usr/sbin', '/sbin']) {
    if (dir !== '' && existsSync(join(dir, name))) return join(dir, name)
  }
  return null
}

const MINIUPNPD = findTool('miniupnpd')
const IPTABLES_LEGACY = findTool('iptables-legacy')
const missing = MINIUPNPD === null ? 'miniupnpd (apt-get install miniupnpd-iptables)' : IPTABLES_LEGACY === null ? 'iptables-legacy (apt-get install iptables)' : null

interface Info { mode: string, reachability: string, table: Array<{ host: string, port: number }>, publicAddress: { host: string, port: number } | null, portMapping: { status: string, mapping: { externalHost: string, externalPort: number, protocol: string } | null } | null }

describeLab('port mapping with a real miniupnpd (network namespaces)', () => {
  let lab: Lab
  let dir: string
  let bootstrap: string[] = []
  const agents = new Map<string, LabProcess>()
  let router: Awaited<ReturnType<Lab['addRouter']>>

  async function start (name: string, host: Awaited<ReturnType<Lab['addHost']>>, mode: string, port: number, holepunch: Record<string, unknown> = {}): Promise<LabProcess> {
    // the routing table's diversity limits stay on: netlab puts every public host in a /24 of its own
    const config = { host: '0.0.0.0', port, bootstrap, mode, holepunch: { ...FAST, ...holepunch } }
    const proc = lab.spawn(host, process.execPath, [AGENT, JSON.stringify(config)])
    await proc.waitFor((m) => m.type === 'ready', { timeout: 20_000 })
    agents.set(name, proc)
    return proc
  }

  async function until (name: string, check: (i: Info) => boolean, timeout?: number): Promise<Info> {
    return await untilInfo<Info>(name, agents.get(name)!, check, timeout)
  }

  async function legacy (table: string): Promise<string> {
    return (await lab.exec(router, IPTABLES_LEGACY!, ['-w', '-t', table, '-S'])).stdout
  }

  beforeAll(async () => {
    if (missing !== null) {
      if (process.env.NETLAB_REQUIRE === '1') throw new Error(`${missing} is missing`)
      return
    }
    if (!existsSync(BUILT)) throw new Error(`${BUILT} is missing: run \`pnpm build\` first (pnpm test does)`)
    dir = mkdtempSync(join(tmpdir(), 'hyperdht-miniupnpd-'))
    lab = await Lab.create({ name: 'portmap' })
    const [boot, p1, p2, p3, stun, upnp] = await Promise.all([
      lab.addHost('boot'), lab.addHost('p1'), lab.addHost('p2'), lab.addHost('p3'), lab.addHost('stun'), lab.addRouter('upnp')
    ])
    router = upnp
    const [m1, c1, u1] = await Promise.all([lab.addHost('m1', { behind: upnp }), lab.addHost('c1', { behind: upnp }), lab.addHost('u1', { behind: upnp })])

    // the STUN server miniupnpd checks its WAN with: two addresses x two ports
    await lab.exec(stun, 'ip', ['addr', 'add', `${STUN_ALTERNATE}/16`, 'dev', 'eth0'])
    const stunServer = lab.spawn(stun, process.execPath, [STUN, JSON.stringify({ addresses: [stun.address, STUN_ALTERNATE], ports: [3478, 3479] })])
    await stunServer.waitFor((m) => m.type === 'ready')

    // the chains Debian's /etc/miniupnpd/iptables_init.sh creates, in the router's namespace only
    for (const args of [
      ['-t', 'nat', '-N', 'MINIUPNPD'], ['-t', 'nat', '-I', 'PREROUTING', '-i', 'wan', '-j', 'MINIUPNPD'],
      ['-t', 'nat', '-N', 'MINIUPNPD-POSTROUTING'], ['-t', 'nat', '-I', 'POSTROUTING', '-o', 'wan', '-j', 'MINIUPNPD-POSTROUTING'],
      ['-t', 'mangle', '-N', 'MINIUPNPD'], ['-t', 'mangle', '-I', 'PREROUTING', '-i', 'wan', '-j', 'MINIUPNPD'],
      ['-t', 'filter', '-N', 'MINIUPNPD'], ['-t', 'filter', '-I', 'FORWARD', '-i', 'wan', '!', '-o', 'wan', '-j', 'MINIUPNPD']
    ]) await lab.exec(upnp, IPTABLES_LEGACY!, ['-w', ...args])
    // netlab's ruleset (see the header): STUN answers in, DNATed flows through
    await lab.exec(upnp, 'iptables', ['-w', '-I', 'INPUT', '-i', 'wan', '-p', 'udp', '-s', `${stun.address},${STUN_ALTERNATE}`, '-j', 'ACCEPT'])
    await lab.exec(upnp, 'iptables', ['-w', '-A', 'NETLAB-FWD', '-m', 'conntrack', '--ctstate', 'DNAT', '-j', 'ACCEPT'])

    const conf = join(dir, 'miniupnpd.conf')
    writeFileSync(conf, [
      'ext_ifname=wan',
      'listening_ip=lan',
      'enable_natpmp=yes',
      'enable_upnp=yes',
      'secure_mode=yes',
      'ext_perform_stun=yes',
      `ext_stun_host=${stun.address}`,
      'ext_stun_port=3478',
      `lease_file=${join(dir, 'leases')}`,
      'uuid=5f0c1a52-7d3e-4c6b-9a81-2b7e4d90c3f1',
      'system_uptime=no',
      `allow 1024-65535 ${upnp.lan} 1024-65535`,
      'deny 0-65535 0.0.0.0/0 0-65535',
      ''
    ].join('\n'))
    const daemon = lab.spawn(upnp, MINIUPNPD!, ['-f', conf, '-d', '-P', join(dir, 'miniupnpd.pid')])
    // it logs to stderr; ready once STUN enabled forwarding and the NAT-PMP socket is open
    const end = Date.now() + 20_000
    while (!/Listening for NAT-PMP/.test(daemon.stderr) || !/Port forwarding is now enabled/.test(daemon.stderr)) {
      if (daemon.exitInfo !== undefined || Date.now() > end) throw new Error(`miniupnpd did not start: ${daemon.stderr}`)
      await new Promise((resolve) => setTimeout(resolve, 100))
    }

    await start('boot', boot, 'server', PORT)
    bootstrap = [`${boot.address}:${PORT}`]
    await Promise.all([start('p1', p1, 'server', PORT), start('p2', p2, 'server', PORT), start('p3', p3, 'server', PORT)])
    // the auto nodes bootstrap off all four servers, as a network's clients do off its several
    // bootstrap nodes, so each knows enough distinct helpers for a reachability verdict at once
    // (through the first server alone they depend on what it learnt of the others by then, and a
    // verification ping that a loaded machine answered late leaves one out for minutes)
    bootstrap = [boot, p1, p2, p3].map((h) => `${h.address}:${PORT}`)
    await Promise.all([
      start('c1', c1, 'auto', CONTROL_PORT),
      start('m1', m1, 'auto', PORT, { portMapping: { protocols: ['pmp', 'upnp'], ttl: 600, timeout: 3000 } }),
      start('u1', u1, 'auto', UPNP_PORT, { portMapping: { protocols: ['upnp'], timeout: 3000 } })
    ])
  }, 120_000)

  afterAll(async () => {
    await lab?.destroy() // kills miniupnpd and the STUN server with the namespaces
    if (dir !== undefined) rmSync(dir, { recursive: true, force: true })
  }, 60_000)

  it.skipIf(missing !== null && process.env.NETLAB_REQUIRE !== '1')(`a node with portMapping gets a NAT-PMP mapping from miniupnpd, is verified reachable and becomes a server without a restart${missing === null ? '' : ` (skipped: ${missing} is missing)`}`, async () => {
    const m1 = agents.get('m1')!
    const mapped = await m1.waitFor((m) => m.type === 'portmapping' && m.status === 'mapped', { timeout: 20_000 })
    expect(mapped.mapping).toMatchObject({ protocol: 'pmp', externalHost: router.address, externalPort: PORT, internalPort: PORT })
    expect(await legacy('nat')).toMatch(new RegExp(`-A MINIUPNPD -p udp -m udp --dport ${PORT} -j DNAT`))
    const i = await until('m1', (x) => x.mode === 'server' && x.reachability === 'reachable', 60_000)
    expect(i.portMapping).toMatchObject({ status: 'mapped', mapping: { externalPort: PORT } })
  }, 90_000)

  it.skipIf(missing !== null && process.env.NETLAB_REQUIRE !== '1')('a node behind the same router without portMapping stays a client that nobody can reach', async () => {
    // helpers confirm it unreachable while the daemon serves its neighbour (a server by now)
    const c = await until('c1', (x) => x.reachability === 'unreachable', 45_000)
    expect(c.mode).toBe('client')
    expect(c.portMapping).toBeNull()
    const c1 = agents.get('c1')!
    expect(c1.messages.some((m) => m.type === 'mode' && m.mode === 'server')).toBe(false)
    expect(c1.messages.some((m) => m.type === 'reachability' && m.reachability === 'reachable')).toBe(false)
    expect(await legacy('nat')).not.toMatch(new RegExp(`--dport ${CONTROL_PORT} `))
  }, 60_000)

  it.skipIf(missing !== null && process.env.NETLAB_REQUIRE !== '1')('destroying the node removes its mapping from the daemon', async () => {
    const m1 = agents.get('m1')!
    await until('m1', (x) => x.portMapping?.status === 'mapped')
    m1.send({ op: 'destroy' })
    await m1.waitFor((m) => m.type === 'portmapping' && m.status === 'removed', { timeout: 10_000 })
    await m1.waitFor((m) => m.type === 'destroyed', { timeout: 10_000 })
    expect(await legacy('nat')).not.toMatch(new RegExp(`--dport ${PORT} `))
    expect(await legacy('filter')).not.toMatch(new RegExp(`--dport ${PORT} `))
  }, 30_000)

  it.skipIf(missing !== null && process.env.NETLAB_REQUIRE !== '1')('over UPnP IGD too: mapped, promoted, and removed on destroy', async () => {
    const u1 = agents.get('u1')!
    const mapped = await u1.waitFor((m) => m.type === 'portmapping' && m.status === 'mapped', { timeout: 20_000 })
    expect(mapped.mapping).toMatchObject({ protocol: 'upnp', externalHost: router.address, externalPort: UPNP_PORT })
    await until('u1', (x) => x.mode === 'server' && x.reachability === 'reachable', 60_000)
    u1.send({ op: 'destroy' })
    await u1.waitFor((m) => m.type === 'destroyed', { timeout: 10_000 })
    expect(await legacy('nat')).not.toMatch(new RegExp(`--dport ${UPNP_PORT} `))
  }, 90_000)
})
