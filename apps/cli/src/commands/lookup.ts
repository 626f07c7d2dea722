import type { Command } from 'commander'
import { parseHostPort } from '../address.js'
import { nodeOptions, outputFor, settingsFor, type Runtime } from '../context.js'
import { parseTopic } from '../keys.js'
import { reportKey, runLookup } from '../ops.js'
import { startNode } from '../start-node.js'

export function registerLookup (program: Command, rt: Runtime): void {
  nodeOptions(program
    .command('lookup')
    .description('find the peers announced under a key, printed as they arrive; ends with the lookup')
    .argument('<key>', '64 hex characters, or any name (hashed with SHA-256)'))
    .option('--local-address <host:port>', 'our LAN address: nodes then also answer LAN peers of the same /16')
    .action(async (key: string, _o: unknown, cmd: Command) => await lookup(key, cmd, rt))
}

async function lookup (input: string, cmd: Command, rt: Runtime): Promise<void> {
  const out = outputFor(cmd, rt)
  const o = cmd.opts<{ localAddress?: string }>()
  const k = parseTopic(input)
  const localAddress = o.localAddress === undefined ? undefined : parseHostPort(o.localAddress, { allowZero: true })
  const { node } = await startNode({ settings: settingsFor(cmd, rt), out, client: true })
  try {
    reportKey(out, k)
    await runLookup(node, k, { localAddress }, out)
  } finally {
    await node.destroy()
  }
}
