import type { Command } from 'commander'
import { parseHostPort } from '../address.js'
import { PING_TIMEOUT } from '../constants.js'
import { outputFor, settingsFor, type Runtime } from '../context.js'
import { CLIError } from '../errors.js'
import { runPing } from '../ops.js'
import { startNode } from '../start-node.js'

export function registerPing (program: Command, rt: Runtime): void {
  // a ping joins no network: it binds a socket and asks one node
  program
    .command('ping')
    .description('send a _ping to a node: round-trip time and the address it sees us at')
    .argument('<host:port>', 'the node to ping')
    .option('-c, --count <n>', 'pings to send, one per second', '1')
    .option('--timeout <ms>', 'how long to wait for each answer', String(PING_TIMEOUT))
    .option('--host <address>', 'address our socket binds (env HYPERDHT_HOST)')
    .option('--listen-port <port>', 'port our socket binds (env HYPERDHT_LISTEN_PORT; default any)')
    .action(async (target: string, _o: unknown, cmd: Command) => await ping(target, cmd, rt))
}

async function ping (target: string, cmd: Command, rt: Runtime): Promise<void> {
  const out = outputFor(cmd, rt)
  const o = cmd.opts<{ count: string, timeout: string }>()
  const to = parseHostPort(target)
  const count = wholeNumber(o.count, '--count', 1)
  const timeout = wholeNumber(o.timeout, '--timeout', 1)
  const settings = { ...settingsFor(cmd, rt), bootstrap: [] }
  const { node } = await startNode({ settings, out, client: true })
  let answered = 0
  let lastError: unknown = null
  try {
    for (let seq = 0; seq < count; seq++) {
      const t0 = Date.now()
      try {
        await runPing(node, to, { timeout, seq: count > 1 ? seq : undefined }, out)
        answered++
      } catch (err) {
        lastError = err
        if (count === 1) throw err
        out.result({ type: 'timeout', host: to.host, port: to.port, seq }, `no answer from ${target} seq=${seq}`)
      }
      if (seq + 1 < count) await new Promise((resolve) => setTimeout(resolve, Math.max(0, 1000 - (Date.now() - t0))))
    }
  } finally {
    await node.destroy()
  }
  if (count > 1) out.note(`${answered}/${count} answered`, { type: 'ping-done', sent: count, answered })
  if (answered === 0) throw CLIError.isInstance(lastError) ? lastError : CLIError.NO_ANSWER(`no answer from ${target}`, lastError)
}

function wholeNumber (text: string, flag: string, min: number): number {
  if (!/^\d+$/.test(text) || Number(text) < min) throw CLIError.BAD_VALUE(`${flag} must be a whole number of at least ${min} (got "${text}")`)
  return Number(text)
}
