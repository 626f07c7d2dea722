// Reachability probes over the DHT: can a stranger reach us, unsolicited?
//
//   asker ──_hp_reach{nonce}──▶ helper ──_hp_dial{nonce, to: asker as the helper saw it}──▶ stranger
//   asker ◀──────────────────── _hp_dialback{nonce} ─────────────────────────────────────── stranger
//
// The stranger is another node of the helper's table, and it sends from a fresh socket (a port
// the asker never sent to), so its datagram tests the asker's NAT filtering, not a reply path; the
// asker ignores a dialback from an address it contacted. It sends only to the address the helper
// observed (never a third party the asker could name), one small datagram per dial, rate limited
// per destination and per helper: no amplification. The asker believes `reachable` or
// `unreachable` only after several agreeing helpers on distinct hosts (ReachabilityTracker).
//
// Limit: a NAT that filters by host only (address-restricted) lets a stranger through if the
// asker talked to the stranger's host before; in a network of a few hosts that may make such a
// node look reachable. Port-restricted and endpoint-independent filtering are judged exactly.
import { randomBytes } from 'node:crypto'
import { RateLimiter, requestEncoding, type CommandReply, type CommandRequest, type DHT } from '@hyperdht-ts/dht-rpc'
import { CommandBinding, registerCommands, unregisterCommands, type CommandOwner, type CommandSet } from '../commands'
import {
  DIAL_BURST, DIAL_RATE_PER_MINUTE, DIALBACK_WAIT, REACH_BURST, REACH_HELPERS, REACH_RATE_PER_MINUTE, REACHABILITY_CONFIRMATIONS
} from '../constants'
import {
  Addresses, DIAL, Dialback, DialRequest, DialResponse, REACH, ReachRequest, ReachResponse, safeDecode
} from '../messages/index'
import { dgramSocket } from '../io/port'
import type { ProbeReport } from './verdict'
import type { CreateSocket, Logger, Peer } from '../types'

export const REACH_COMMAND = '_hp_reach'
export const DIAL_COMMAND = '_hp_dial'
export const DIALBACK_COMMAND = '_hp_dialback'

export interface ReachabilityServiceOptions {
  /** Helpers asked per round. @default 5 */
  helpers?: number
  /** How long to wait for a dialback (ms). @default 2000 */
  dialbackWait?: number
  /** Count helpers (and strangers) by host:port, not host: only for a loopback testnet. @default false */
  relaxDistinct?: boolean
  /**
   * Distinct helpers a verdict needs (the tracker's confirmations): with fewer in our table, a
   * round first looks for more nodes. @default 3
   */
  minHelpers?: number
  /** Opens the stranger's dialback socket. @default `dgram.createSocket` */
  createSocket?: CreateSocket
  logger?: Logger
}

/** The three roles of the probe protocol on one node. */
export class ReachabilityService implements CommandOwner {
  readonly #dht: DHT
  readonly #commands: CommandSet
  readonly #family: 4 | 6
  readonly #addresses: Addresses
  readonly #helpers: number
  readonly #dialbackWait: number
  readonly #relaxDistinct: boolean
  readonly #minHelpers: number
  readonly #createSocket: CreateSocket
  readonly #log: Logger | undefined
  // rate limits, created by the first request they judge
  #askers: RateLimiter | null = null
  #dialTargets: RateLimiter | null = null
  #dialHelpers: RateLimiter | null = null
  /** Nonces of our probes in flight -> where the dialback may be expected. */
  /** Created on the first round (a node in server mode may never probe). */
  #pending: Map<string, { helper: Peer, arrived: Peer | null }> | null = null
  /** Counters. */
  readonly stats = { rounds: 0, refills: 0, asked: 0, dispatched: 0, dialbacks: 0, helped: 0, dialed: 0, refused: 0 }

  constructor (dht: DHT, family: 4 | 6, opts: ReachabilityServiceOptions = {}) {
    this.#dht = dht
    this.#family = family
    this.#addresses = new Addresses(family)
    this.#helpers = opts.helpers ?? REACH_HELPERS
    this.#dialbackWait = opts.dialbackWait ?? DIALBACK_WAIT
    this.#relaxDistinct = opts.relaxDistinct ?? false
    this.#minHelpers = opts.minHelpers ?? REACHABILITY_CONFIRMATIONS
    this.#createSocket = opts.createSocket ?? dgramSocket
    this.#log = opts.logger
    // helper and stranger: only servers help (a client answers nothing of this)
    const servers = new CommandBinding(this, false)
    this.#commands = registerCommands(dht, [
      [REACH_COMMAND, servers],
      [DIAL_COMMAND, servers],
      // asker: a client must receive it (that is the whole point); it never answers
      [DIALBACK_COMMAND, new CommandBinding(this, true)]
    ])
  }

  /** Takes our commands off the DHT (the holepuncher is destroyed, the DHT may live on). */
  close (): void {
    unregisterCommands(this.#dht, this.#commands)
  }

  /** @internal Our commands (queries only: an update is answered as without a handler). */
  onCommand (q: CommandRequest, update: boolean): CommandReply | Promise<CommandReply> {
    if (update) return null
    switch (q.command) {
      case REACH_COMMAND: return this.#onReach(q.node, q.value)
      case DIAL_COMMAND: return this.#onDial(q.node, q.value)
      case DIALBACK_COMMAND: return this.#onDialback(q.node, q.value)
      default: return null
    }
  }

  /**
   * One round: asks up to `helpers` nodes of our table on distinct hosts; resolves with the
   * outcomes to report (a helper that could not dispatch counts for nothing).
   */
  async round (signal?: AbortSignal): Promise<ProbeReport[]> {
    this.stats.rounds++
    let helpers = this.#pickHelpers()
    if (helpers.length < this.#minHelpers && !isAborted(signal)) {
      // Too few hosts in our table for a verdict, ever: a small network, or contacts dropped
      // while they were slow. Without this the node waits for the DHT's next re-bootstrap (a
      // minute) with its reachability unknown; a bootstrap walk now finds the nodes it lacks.
      this.stats.refills++
      try {
        await this.#dht.bootstrap()
      } catch {}
      if (isAborted(signal)) return []
      helpers = this.#pickHelpers()
    }
    const reports = await Promise.all(helpers.map(async (h) => await this.#ask(h, signal)))
    return reports.filter((r): r is ProbeReport => r !== null)
  }

  #pickHelpers (): Peer[] {
    const out: Peer[] = []
    const seen = new Set<string>()
    let own: string | null = null
    try {
      own = this.#dht.address().host
    } catch {}
    for (const n of shuffled(this.#dht.toArray())) {
      const key = this.#relaxDistinct ? `${n.host}:${n.port}` : n.host
      if (seen.has(key) || (!this.#relaxDistinct && n.host === own)) continue
      seen.add(key)
      out.push({ host: n.host, port: n.port })
      if (out.length >= this.#helpers) break
    }
    return out
  }

  async #ask (helper: Peer, signal?: AbortSignal): Promise<ProbeReport | null> {
    const nonce = randomBytes(16)
    const key = nonce.toString('hex')
    const entry = { helper, arrived: null as Peer | null }
    const pending = this.#pending ??= new Map()
    pending.set(key, entry)
    this.stats.asked++
    try {
      // the helper answers after a stranger agreed to dial (up to two tries of ~1 s)
      const res = await this.#dht.request({ command: REACH_COMMAND, value: ReachRequest.encode({ nonce }) }, helper, { signal, timeout: 3000 })
      const answer = safeDecode(ReachResponse.decode, res.value)
      if (answer === null || answer.status !== REACH.DISPATCHED) return null
      this.stats.dispatched++
      // the dialback may already be here; else wait for it
      const end = Date.now() + this.#dialbackWait
      while (entry.arrived === null && Date.now() < end && signal?.aborted !== true) await sleep(20)
      if (signal?.aborted === true) return null
      return { helper, outcome: entry.arrived !== null ? 'reachable' : 'unreachable', nonce }
    } catch {
      return null // no answer: no evidence either way
    } finally {
      pending.delete(key)
    }
  }

  /** Helper: find a stranger that will dial the asker at the address we see it at. */
  async #onReach (asker: Peer, value: Uint8Array | null): Promise<Uint8Array> {
    const req = safeDecode(ReachRequest.decode, value)
    if (req === null || req.nonce.byteLength > 32) return ReachResponse.encode({ status: REACH.UNAVAILABLE })
    this.#askers ??= new RateLimiter({ rate: REACH_RATE_PER_MINUTE / 60, burst: REACH_BURST })
    if (!this.#askers.take(asker.host, Date.now())) return ReachResponse.encode({ status: REACH.RATE_LIMITED })
    this.stats.helped++
    const to = this.#addresses.encode(asker)
    if (to === null) return ReachResponse.encode({ status: REACH.UNAVAILABLE })
    let own: string | null = null
    try {
      own = this.#dht.address().host
    } catch {}
    // a stranger: a node of our table the asker is not (by host: the asker's NAT filters by host)
    const candidates = shuffled(this.#dht.toArray()).filter((n) =>
      this.#relaxDistinct ? !(n.host === asker.host && n.port === asker.port) : (n.host !== asker.host && n.host !== own))
    for (const stranger of candidates.slice(0, 2)) {
      try {
        const res = await this.#dht.request({ command: DIAL_COMMAND, value: DialRequest.encode({ nonce: req.nonce, to }) }, stranger, { timeout: 700 })
        const answer = safeDecode(DialResponse.decode, res.value)
        if (answer?.status === DIAL.SENT) {
          return ReachResponse.encode({ status: REACH.DISPATCHED, via: this.#addresses.encode({ host: stranger.host, port: stranger.port }) })
        }
      } catch {}
    }
    return ReachResponse.encode({ status: REACH.UNAVAILABLE })
  }

  /** Stranger: one datagram to the address the helper observed, if the rate limits allow. */
  #onDial (helper: Peer, value: Uint8Array | null): Uint8Array {
    const req = safeDecode(DialRequest.decode, value)
    const to = req === null ? null : this.#addresses.decode(req.to)
    const now = Date.now()
    this.#dialHelpers ??= new RateLimiter({ rate: 10 * DIAL_RATE_PER_MINUTE / 60, burst: 10 * DIAL_BURST })
    this.#dialTargets ??= new RateLimiter({ rate: DIAL_RATE_PER_MINUTE / 60, burst: DIAL_BURST })
    if (req === null || to === null || req.nonce.byteLength > 32 || !this.#dialHelpers.take(helper.host, now) || !this.#dialTargets.take(to.host, now)) {
      this.stats.refused++
      return DialResponse.encode({ status: DIAL.REFUSED })
    }
    this.stats.dialed++
    this.#sendOnce(dialbackDatagram(req.nonce), to)
    return DialResponse.encode({ status: DIAL.SENT })
  }

  /** Asker: a stranger's datagram arrived; it counts only if we never contacted that host. */
  #onDialback (from: Peer, value: Uint8Array | null): false {
    const msg = safeDecode(Dialback.decode, value)
    if (msg === null) return false
    const entry = this.#pending?.get(Buffer.from(msg.nonce).toString('hex'))
    if (entry === undefined || entry.arrived !== null) return false
    // an address we talked to is let through by any NAT: no evidence
    if (this.#dht.hasContacted(from)) {
      this.#log?.debug?.('holepunch: dialback from a contacted host ignored', { host: from.host, port: from.port })
      return false
    }
    this.stats.dialbacks++
    entry.arrived = { host: from.host, port: from.port }
    return false
  }

  /**
   * Sends one datagram from a socket opened for it, on our DHT socket's host when it is bound to
   * one (the dialback comes from our host, from a port the asker never sent to).
   */
  #sendOnce (bytes: Uint8Array, to: Peer): void {
    let host: string | undefined
    try {
      host = this.#dht.address().host
    } catch {}
    if (host === '0.0.0.0' || host === '::') host = undefined
    const socket = this.#createSocket(this.#family === 6 ? 'udp6' : 'udp4')
    const close = (): void => { try { socket.close() } catch {} }
    socket.on('error', close) // a failed bind or send: the dialback is lost
    socket.unref?.()
    const send = (): void => {
      try {
        socket.send(bytes, to.port, to.host, close)
      } catch {
        close()
      }
    }
    if (host === undefined) {
      send() // bound implicitly, on every interface
      return
    }
    try {
      socket.bind(0, host, send)
    } catch {
      close()
    }
  }
}

/**
 * The dialback: a `_hp_dialback` request (udp-request framing, dht-rpc `Request`) that nobody
 * answers, sent once from a socket opened for it.
 */
function dialbackDatagram (nonce: Uint8Array): Uint8Array {
  const body = requestEncoding.encode({ command: DIALBACK_COMMAND, value: Dialback.encode({ nonce }) })
  const out = new Uint8Array(2 + body.byteLength)
  const tid = (Math.random() * 0x7fff) >>> 0
  out[0] = 0x80 | (tid >>> 8)
  out[1] = tid & 0xff
  out.set(body, 2)
  return out
}

function shuffled<T> (list: T[]): T[] {
  for (let i = list.length - 1; i > 0; i--) {
    const j = Math.floor(Math.random() * (i + 1))
    const t = list[i]!
    list[i] = list[j]!
    list[j] = t
  }
  return list
}

/** A function, not an inline test: the compiler would keep `aborted` narrowed across an await. */
function isAborted (signal: AbortSignal | undefined): boolean {
  return signal?.aborted === true
}

async function sleep (ms: number): Promise<void> {
  await new Promise((resolve) => setTimeout(resolve, ms))
}
