// Driving `agents/udp-agent.mjs` (plain Node dgram, run inside a namespace) from a test: bind
// sockets, send JSON datagrams, see what arrives, learn one's public mapping from a reflector,
// and punch holes. What the lab's own tests are made of, and handy for probing a topology.
import { fileURLToPath } from 'node:url'
import { DEFAULT_WAIT_TIMEOUT } from './constants.js'
import { NetlabError } from './errors.js'
import type { Lab } from './lab.js'
import type { JsonMessage, LabProcess, WaitOptions } from './lab-process.js'
import type { Endpoint, LabNode } from './types.js'

/** Absolute path of the agent script, to run with `process.execPath`. */
export const UDP_AGENT_PATH = fileURLToPath(new URL('../agents/udp-agent.mjs', import.meta.url))

/** A datagram a socket received: its source as the socket saw it, and its JSON payload. */
export interface Datagram {
  from: Endpoint
  data: JsonMessage
}

export interface BindOptions extends WaitOptions {
  /** @default 0 (any free port) */
  port?: number
  /** Answer `{ t: 'probe' }` datagrams with the source address seen (a STUN-like reflector). */
  reflect?: boolean
}

export interface RetryOptions extends WaitOptions {
  /**
   * Resend every `interval` ms until answered: UDP may drop, and a fresh veth drops the first
   * packets while ARP resolves.
   * @default 200
   */
  interval?: number
}

export class UdpAgent {
  readonly node: LabNode
  readonly process: LabProcess
  #sockets = 0

  private constructor (node: LabNode, proc: LabProcess) {
    this.node = node
    this.process = proc
  }

  /** Starts an agent on `node` and waits until it is ready. */
  static async start (lab: Lab, node: LabNode, options: WaitOptions = {}): Promise<UdpAgent> {
    const proc = lab.spawn(node, process.execPath, [UDP_AGENT_PATH])
    await proc.waitFor((m) => m.type === 'ready', options)
    return new UdpAgent(node, proc)
  }

  /** Binds a new UDP socket in the agent. */
  async bind (options: BindOptions = {}): Promise<AgentSocket> {
    const id = `s${++this.#sockets}`
    this.process.send({ op: 'bind', id, port: options.port ?? 0, reflect: options.reflect === true })
    const reply = await this.process.waitFor((m) => m.id === id && (m.type === 'bound' || m.type === 'error'), options)
    if (reply.type === 'error') throw NetlabError.INVALID_ARGUMENT(`${this.node.name} could not bind port ${options.port ?? 0}: ${String(reply.error)}`)
    return new AgentSocket(this, id, reply.port as number)
  }

  async stop (): Promise<void> {
    await this.process.stop()
  }
}

export class AgentSocket {
  readonly agent: UdpAgent
  readonly id: string
  /** The local port it is bound to. */
  readonly port: number

  constructor (agent: UdpAgent, id: string, port: number) {
    this.agent = agent
    this.id = id
    this.port = port
  }

  /** This socket's LAN-side endpoint: the node's address and the bound port. */
  get local (): Endpoint {
    return { address: this.agent.node.address, port: this.port }
  }

  /** Sends one datagram carrying `data` as JSON. */
  send (to: Endpoint, data: JsonMessage): void {
    this.agent.process.send({ op: 'send', id: this.id, to: { address: to.address, port: to.port }, data })
  }

  /** Every datagram this socket has received so far, optionally only those from `from`. */
  received (from?: Endpoint): Datagram[] {
    return this.agent.process.messages
      .filter((m) => m.type === 'recv' && m.id === this.id)
      .map((m) => ({ from: m.from as Endpoint, data: m.data as JsonMessage }))
      .filter((d) => from === undefined || sameEndpoint(d.from, from))
  }

  /** The next datagram matching `predicate` (each datagram satisfies one receive only). */
  async receive (predicate: (datagram: Datagram) => boolean = () => true, options: WaitOptions = {}): Promise<Datagram> {
    const message = await this.agent.process.waitFor(
      (m) => m.type === 'recv' && m.id === this.id && predicate({ from: m.from as Endpoint, data: m.data as JsonMessage }),
      options
    )
    return { from: message.from as Endpoint, data: message.data as JsonMessage }
  }

  /**
   * Asks a reflector (a socket bound with `reflect`) what source address and port it sees for
   * this socket: behind a NAT, the public mapping towards that reflector.
   */
  async probe (reflector: Endpoint, options: RetryOptions = {}): Promise<Endpoint> {
    const nonce = `${this.agent.node.name}/${this.id}/${Math.random().toString(36).slice(2)}`
    const reply = await this.#retry(
      () => this.send(reflector, { t: 'probe', nonce }),
      async (opts) => await this.receive((d) => d.data.t === 'seen' && d.data.nonce === nonce, opts),
      options
    )
    return { address: reply.data.address as string, port: reply.data.port as number }
  }

  /**
   * Hole punching from this side: sends to `peer` (the other side's public mapping) until a
   * datagram from exactly that endpoint arrives, then sends a few more so the other side, whose
   * first packets our NAT may have dropped, hears from us too. Resolves with the first
   * datagram received from `peer`.
   */
  async punch (peer: Endpoint, options: RetryOptions = {}): Promise<Datagram> {
    const from = this.agent.node.name
    let n = 0
    const first = await this.#retry(
      () => this.send(peer, { t: 'punch', from, n: n++ }),
      async (opts) => await this.receive((d) => sameEndpoint(d.from, peer), opts),
      options
    )
    for (let i = 0; i < 3; i++) this.send(peer, { t: 'punch', from, n: n++, done: true })
    return first
  }

  async close (options: WaitOptions = {}): Promise<void> {
    this.agent.process.send({ op: 'close', id: this.id })
    await this.agent.process.waitFor((m) => m.type === 'closed' && m.id === this.id, options)
  }

  async #retry<T> (send: () => void, wait: (options: WaitOptions) => Promise<T>, options: RetryOptions): Promise<T> {
    const interval = options.interval ?? 200
    const pending = wait({ timeout: options.timeout ?? DEFAULT_WAIT_TIMEOUT, signal: options.signal })
    send()
    const timer = setInterval(() => {
      try {
        send()
      } catch {
        // The agent exited: `pending` rejects with the reason.
      }
    }, interval)
    try {
      return await pending
    } finally {
      clearInterval(timer)
    }
  }
}

export function sameEndpoint (a: Endpoint, b: Endpoint): boolean {
  return a.address === b.address && a.port === b.port
}
