// What the NAT tests ask of a peer agent (peer-agent.mjs) running in a lab: its state, once or
// until a condition holds.
import type { LabProcess } from '@hyperdht-ts/netlab'

/** The agent's current state (`{ op: 'info' }`), as the test's own `Info` shape. */
export async function agentInfo<I> (proc: LabProcess): Promise<I> {
  proc.send({ op: 'info' })
  return await proc.waitFor((m) => m.type === 'info') as unknown as I
}

/** Polls the agent every 250 ms until `check` holds; throws with the last state after `timeout` ms. */
export async function untilInfo<I> (name: string, proc: LabProcess, check: (i: I) => boolean, timeout = 20_000): Promise<I> {
  const end = Date.now() + timeout
  for (;;) {
    const i = await agentInfo<I>(proc)
    if (check(i)) return i
    if (Date.now() > end) throw new Error(`${name}: condition not met in ${timeout} ms, last info ${JSON.stringify(i)}`)
    await new Promise((resolve) => setTimeout(resolve, 250))
  }
}
