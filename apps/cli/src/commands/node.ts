import type { BootstrapResult, HyperDHT } from '@hyperdht-ts/hyperdht'
import { Option, type Command } from 'commander'
import { formatHostPort } from '../address.js'
import { MODES, type NodeSettings } from '../config.js'
import { nodeOptions, outputFor, settingsFor, type Runtime } from '../context.js'
import { toHex } from '../keys.js'
import type { Output } from '../output.js'
import { ServerEvents } from '../server-events.js'
import { runUntilSignal, stopsOnSignal, type Stop } from '../signals.js'
import { startNode } from '../start-node.js'

export function registerNode (program: Command, rt: Runtime): void {
  stopsOnSignal(nodeOptions(program
    .command('node')
    .description('run a long-lived node that serves the network, logging what it serves, until Ctrl-C'))
    .option('-p, --port <port>', 'same as --listen-port')
    .addOption(new Option('--mode <mode>', 'client: ephemeral, in nobody\'s routing table; server: routed through and stores for others; auto: client until strangers can reach it, then server (env HYPERDHT_MODE)').choices(MODES))
    .option('--ipv6', 'speak IPv6 (bind a udp6 socket; bootstrap nodes must be IPv6 too)')
    .option('--port-mapping', 'ask the home router to forward our UDP port (NAT-PMP, then UPnP), so strangers can reach the node (config "portMapping"; IPv4)')
    .option('--no-port-mapping', 'do not ask the router for a port mapping (overrides the config file)')
    .action(async (_o: unknown, cmd: Command) => await runNode(cmd, rt)))
}

async function runNode (cmd: Command, rt: Runtime): Promise<void> {
  const out = outputFor(cmd, rt)
  const o = cmd.opts<{ port?: string, listenPort?: string, ipv6?: boolean }>()
  if (o.port !== undefined && o.listenPort === undefined) cmd.setOptionValue('listenPort', o.port)
  const settings = settingsFor(cmd, rt, { mode: 'auto' })
  const sig = await runUntilSignal(async (stop) => {
    const { node, bootstrap } = await startNode({ settings, out, ipv6: o.ipv6 === true, signal: stop.signal })
    try {
      await serve(node, bootstrap, settings, out, stop)
    } finally {
      await node.destroy()
    }
  })
  out.note(`node stopped (${sig})`, { type: 'stopped', signal: sig })
}

/** Prints what the started node does until the stop signal. */
async function serve (node: HyperDHT, bootstrap: BootstrapResult, settings: NodeSettings, out: Output, stop: Stop): Promise<void> {
  const address = formatHostPort(node.address())
  const mode = node.mode
  const modeNote = settings.mode === 'auto' ? ' (auto: becomes a server once strangers can reach it)' : ''
  out.result(
    { type: 'listening', address: node.address(), id: toHex(node.id), mode, modeSetting: settings.mode, bootstrap: settings.bootstrap, nodes: bootstrap.nodes },
    `node ${toHex(node.id).slice(0, 12)}… listening on ${address}, mode ${mode}${modeNote}`
  )
  node.on('mode', (c) => out.result({ type: 'mode', mode: c.mode, previous: c.previous, reason: c.reason }, `mode: ${c.previous} -> ${c.mode} (${c.reason})`))
  node.on('nat', (c) => {
    const v = c.verdict
    const addr = v.host === null ? 'unknown' : `${v.host}:${v.port ?? '*'}`
    out.result({ type: 'nat', nat: v.type, host: v.host, port: v.port, remotes: v.remotes, addressChanged: c.addressChanged }, `NAT: ${v.type}, public address ${addr} (${v.remotes} remotes)`)
  })
  node.on('reachability', (c) => out.result({ type: 'reachability', reachability: c.reachability, previous: c.previous }, `reachability: ${c.reachability}`))
  node.on('portmapping', (c) => {
    if (c.status === 'failed') {
      out.result({ type: 'portmapping', status: c.status, code: c.error.code, message: c.error.message }, `port mapping failed: ${c.error.message}${c.error.cause instanceof Error ? ` (${c.error.cause.message})` : ''}`)
      return
    }
    const m = c.mapping
    out.result(
      { type: 'portmapping', status: c.status, protocol: m.protocol, externalHost: m.externalHost, externalPort: m.externalPort, internalHost: m.internalHost, internalPort: m.internalPort, ttl: m.ttl },
      c.status === 'mapped'
        ? `port mapping: ${m.externalHost}:${m.externalPort} -> ${m.internalHost}:${m.internalPort} (${m.protocol === 'pmp' ? 'NAT-PMP' : 'UPnP'}, ${m.ttl} s, renewed at half)`
        : `port mapping removed: ${m.externalHost}:${m.externalPort}`
    )
  })
  out.result(
    { type: 'joined', nodes: bootstrap.nodes, responses: bootstrap.responses },
    settings.bootstrap.length === 0 ? 'no bootstrap nodes: this node starts a new network' : `joined through ${settings.bootstrap.join(', ')}: ${bootstrap.nodes} nodes in the routing table`
  )
  const events = new ServerEvents(out)
  events.watch(node)
  node.dht.on('warning', (err) => {
    if ((err as { code?: string }).code !== 'BOOTSTRAP_FAILED') return
    out.result({ type: 'warning', code: 'BOOTSTRAP_FAILED', message: err.message }, 'lost the network: no bootstrap node answers (retrying)')
  })
  await stop.requested
  events.flush()
}
