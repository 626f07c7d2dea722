import { setTimeout as sleep } from 'node:timers/promises'
import { describe, it } from 'vitest'
import { checkSupport, requireRoot, type AgentSocket, type Datagram, type Endpoint } from '../src/index.js'

export const support = checkSupport()

/**
 * `describe` for tests that need a lab: skipped with the reason when this machine cannot
 * build one, unless NETLAB_REQUIRE=1 (CI), where that is a failure instead.
 */
export function describeLab (title: string, body: () => void): void {
  if (support.ok) {
    describe(title, body)
  } else if (process.env.NETLAB_REQUIRE === '1') {
    describe(title, () => {
      it('can build network labs (NETLAB_REQUIRE=1)', () => { requireRoot() })
    })
  } else {
    describe.skip(`${title} (skipped: ${support.reason})`, body)
  }
}

/**
 * Sends `data` from `from` to `to` every 200 ms until `receiver` gets it (UDP may drop; the
 * first packets on a fresh veth wait for ARP). Resolves with the datagram received.
 */
export async function deliver (from: AgentSocket, to: Endpoint, receiver: AgentSocket, data: Record<string, unknown>, timeout = 10_000): Promise<Datagram> {
  const tag = `${String(data.t)}-${Math.random().toString(36).slice(2)}`
  const pending = receiver.receive((d) => d.data.tag === tag, { timeout })
  const send = (): void => from.send(to, { ...data, tag })
  send()
  const timer = setInterval(send, 200)
  try {
    return await pending
  } finally {
    clearInterval(timer)
  }
}

/** Probes `reflector` until `accept(mapping)` holds (for changes the kernel applies asynchronously). */
export async function probeUntil (socket: AgentSocket, reflector: Endpoint, accept: (mapping: Endpoint) => boolean, timeout = 10_000): Promise<Endpoint> {
  const deadline = Date.now() + timeout
  for (;;) {
    const mapping = await socket.probe(reflector, { timeout: Math.max(1000, deadline - Date.now()) })
    if (accept(mapping) || Date.now() > deadline) return mapping
    await sleep(100)
  }
}
