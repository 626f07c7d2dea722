import { setTimeout as sleep } from 'node:timers/promises'
import { checkSupport, type AgentSocket, type Datagram, type Endpoint } from '../src/index.js'

export { describeLab } from '../src/vitest.js'

export const support = checkSupport()

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
