import type { Command } from 'commander'
import { parseHostPort, parsePort } from '../address.js'
import { nodeOptions, outputFor, settingsFor, type Runtime } from '../context.js'
import { parseTopic } from '../keys.js'
import { reportKey, startAnnounce, stopAnnounce } from '../ops.js'
import { runUntilSignal, stopsOnSignal } from '../signals.js'
import { startNode } from '../start-node.js'

export function registerAnnounce (program: Command, rt: Runtime): void {
  stopsOnSignal(nodeOptions(program
    .command('announce')
    .description('announce a port under a key and keep re-announcing until Ctrl-C, then unannounce')
    .argument('<key>', '64 hex characters, or any name (hashed with SHA-256)'))
    .option('-p, --port <port>', 'port to announce (default: the port the storing nodes see our socket on)')
    .option('--local-address <host:port>', 'our LAN address, given to peers that look up from the same /16')
    .action(async (key: string, _o: unknown, cmd: Command) => await announce(key, cmd, rt)))
}

async function announce (input: string, cmd: Command, rt: Runtime): Promise<void> {
  const out = outputFor(cmd, rt)
  const o = cmd.opts<{ port?: string, localAddress?: string }>()
  const k = parseTopic(input)
  const port = o.port === undefined ? undefined : parsePort(o.port, '--port')
  const localAddress = o.localAddress === undefined ? undefined : parseHostPort(o.localAddress)
  const settings = settingsFor(cmd, rt)
  await runUntilSignal(async (stop) => {
    const { node } = await startNode({ settings, out, client: true, signal: stop.signal })
    try {
      reportKey(out, k)
      const handle = await startAnnounce(node, k, { port, localAddress, signal: stop.signal }, out)
      out.note('re-announcing every 2 minutes; Ctrl-C to unannounce and stop')
      await stop.requested
      await stopAnnounce(handle, out)
    } finally {
      await node.destroy()
    }
  })
}
