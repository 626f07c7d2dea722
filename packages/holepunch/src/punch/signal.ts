// Signalling through the referrer (the node that stores the listener's announce):
//
//   initiator ──_hp_connect{offer: id, our NAT facts, which peer}──▶ referrer
//   referrer  ──_hp_relay{offer + initiator as seen, verified?}───▶ listener (announced on it)
//   listener  ──answer{its NAT facts}─────────────────────────────▶ referrer ──▶ initiator
//
// The referrer relays only to a peer announced on it under that key (never an open relay), at a
// bounded rate per initiator, and adds what only it knows: the addresses it sees, and whether a
// roundtrip token proved them (a birthday attempt only ever aims at a proven host). A listener
// accepts relays only from a referrer it talked to. A reference referrer answers `_hp_connect`
// without a value: the initiator then falls back to the classic `_ping` forwarding.
import { RateLimiter, type CommandReply, type CommandRequest, type DHT } from '@hyperdht-ts/dht-rpc'
import { CommandBinding, registerCommands, unregisterCommands, type CommandOwner, type CommandSet } from '../commands'
import { RELAY_TIMEOUT, SIGNAL_BURST, SIGNAL_RATE } from '../constants'
import { Addresses, ANSWER, PunchAnswer, PunchOffer, safeDecode } from '../messages/index'
import type { Logger, Peer } from '../types'

export const CONNECT_COMMAND = '_hp_connect'
export const RELAY_COMMAND = '_hp_relay'

/** Decides whether `peer` announced under `key` on us (hyperdht's peer store knows). */
export type AnnounceCheck = (key: Uint8Array, peer: Peer) => boolean
/** The listener's side of a relayed offer: returns the encoded answer. */
export type OfferHandler = (key: Uint8Array, offer: PunchOffer, referrer: Peer) => Uint8Array

export interface ReferrerOptions {
  announced: AnnounceCheck
  logger?: Logger
}

/** Until told otherwise, nobody is announced on us. */
const nobody: AnnounceCheck = () => false

/** Registers both ends of the signalling on `dht`. */
export class Signalling implements CommandOwner {
  readonly #dht: DHT
  readonly #commands: CommandSet
  readonly #addresses: Addresses
  /** Created by the first offer relayed. */
  #initiators: RateLimiter | null = null
  #announced: AnnounceCheck = nobody
  readonly #onoffer: OfferHandler
  readonly stats = { relayed: 0, refused: 0, unknownPeer: 0, offers: 0 }

  constructor (dht: DHT, family: 4 | 6, onoffer: OfferHandler) {
    this.#dht = dht
    this.#addresses = new Addresses(family)
    this.#onoffer = onoffer
    this.#commands = registerCommands(dht, [
      // referrer: a query (initiator unproven) or an update (its roundtrip token proves its host)
      [CONNECT_COMMAND, new CommandBinding(this, false)],
      // listener: clients listen too (that is who needs a punch)
      [RELAY_COMMAND, new CommandBinding(this, true)]
    ])
  }

  /** Takes our commands off the DHT (the holepuncher is destroyed, the DHT may live on). */
  close (): void {
    unregisterCommands(this.#dht, this.#commands)
  }

  /** @internal Our commands: an update of `RELAY` is answered as without a handler. */
  onCommand (q: CommandRequest, update: boolean): CommandReply | Promise<CommandReply> {
    switch (q.command) {
      case CONNECT_COMMAND: return this.#onConnect(q, update)
      case RELAY_COMMAND: return update ? null : this.#onRelay(q, this.#onoffer)
      default: return null
    }
  }

  /** Whom we relay to: a peer announced on us under the key. */
  set announced (fn: AnnounceCheck) {
    this.#announced = fn
  }

  /**
   * Initiator: sends the offer to `referrer` (as an update when we have its `token`); resolves
   * with the listener's answer, or `null` when the referrer does not speak this (a reference
   * node), or when nobody answered.
   */
  async offer (key: Uint8Array, offer: PunchOffer, referrer: Peer, opts: { token?: Uint8Array | null, signal?: AbortSignal, timeout: number }): Promise<Required<PunchAnswer> | null> {
    // retried: every copy carries the same offer, which the listener answers the same way
    const res = await this.#dht.request({ command: CONNECT_COMMAND, target: key, value: PunchOffer.encode(offer) }, referrer,
      { signal: opts.signal, timeout: opts.timeout, retry: true, token: opts.token ?? undefined })
    return safeDecode(PunchAnswer.decode, res.value)
  }

  async #onConnect (q: CommandRequest, verified: boolean): Promise<Uint8Array | false> {
    const offer = safeDecode(PunchOffer.decode, q.value)
    if (offer === null || q.target.byteLength !== 32) return false
    const peer = this.#addresses.decode(offer.peer)
    if (peer === null || !this.#announced(q.target, peer)) {
      this.stats.unknownPeer++
      return PunchAnswer.encode({ status: ANSWER.UNKNOWN_PEER })
    }
    this.#initiators ??= new RateLimiter({ rate: SIGNAL_RATE, burst: SIGNAL_BURST })
    if (!this.#initiators.take(q.node.host, Date.now())) {
      this.stats.refused++
      // one more token is due within a second / rate
      return PunchAnswer.encode({ status: ANSWER.RATE_LIMITED, retryAfter: Math.ceil(1000 / SIGNAL_RATE) })
    }
    this.stats.relayed++
    const relayed: PunchOffer = {
      id: offer.id,
      nat: offer.nat,
      address: offer.address,
      lan: offer.lan,
      observed: this.#addresses.encode({ host: q.node.host, port: q.node.port }),
      verified
    }
    try {
      const res = await this.#dht.request({ command: RELAY_COMMAND, target: q.target, value: PunchOffer.encode(relayed) }, peer, { timeout: RELAY_TIMEOUT })
      const answer = safeDecode(PunchAnswer.decode, res.value)
      if (answer === null) return PunchAnswer.encode({ status: ANSWER.REFUSED })
      // announces are updates: the listener's host was proven by our token when it announced
      return PunchAnswer.encode({ ...answer, observed: this.#addresses.encode(peer), verified: true })
    } catch {
      return PunchAnswer.encode({ status: ANSWER.REFUSED })
    }
  }

  #onRelay (q: CommandRequest, onoffer: OfferHandler): Uint8Array | false {
    // only from a referrer we announced on (or otherwise talked to): else anyone could make us punch
    if (!this.#dht.hasContacted(q.node)) return false
    const offer = safeDecode(PunchOffer.decode, q.value)
    if (offer === null || q.target.byteLength !== 32) return false
    this.stats.offers++
    return onoffer(q.target, offer, { host: q.node.host, port: q.node.port })
  }
}
