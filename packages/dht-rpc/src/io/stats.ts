/** Counters of one command. */
export interface CommandStats {
  requestsIn: number
  responsesOut: number
  requestsOut: number
  responsesIn: number
  timeouts: number
}

/** Why incoming datagrams were dropped. */
export interface DroppedStats {
  total: number
  /** Shorter than the udp-request header. */
  tooShort: number
  /** Not a valid protobuf `Request`/`Response`. */
  undecodable: number
  /** A response for no pending request, or from another host than the request's. */
  unmatched: number
  /** `_find_node` or an application command whose target is not 32 bytes. */
  invalidTarget: number
  /** A forward field that is not one peer, or forwarding of a command other than `_ping`. */
  invalidForward: number
  /** The handler threw or rejected, so no response was sent. */
  handlerError: number
  /** A request whose `value` is larger than `maxValueSize`. */
  tooLarge: number
  /** A request a client does not answer (`_find_node`, commands not registered with `client: true`). */
  clientMode: number
  /**
   * A holepunch `_ping` we would relay to a peer we do not know (or over the relay rate limit), or
   * a relayed one from a referrer we never talked to.
   */
  relayRefused: number
  /** A request refused by the per-source rate limit (sources within their ban included), before decoding. */
  rateLimited: number
  /** An answer to an address that has not proven it receives there, over its amplification budget even trimmed. */
  amplification: number
}

/** A snapshot of `dht.stats`. */
export interface DHTStats {
  /**
   * Per command name. Incoming requests for commands this node neither has built in nor
   * registered are counted under `'*'` (their names are chosen by strangers); at most 64 names.
   */
  commands: Record<string, CommandStats>
  requestsIn: number
  responsesOut: number
  requestsOut: number
  responsesIn: number
  timeouts: number
  /** Requests that failed otherwise (cancelled, send error, destroyed). */
  failures: number
  /** Bucket-refresh lookups run (a random id in a far bucket that was not full). */
  refreshes: number
  /** Verification pings sent to senders of requests with an id but no roundtrip token. */
  verifications: number
  /**
   * Verification pings spared: the sender's bucket was full of contacts heard from recently, or a
   * diversity limit refused its host, so the table would have turned it away after the ping.
   */
  verificationsSkipped: number
  /** Verified contacts the routing table refused by an IP diversity limit. */
  diversityRejected: number
  /** Rate limiting and amplification bounds, per source. */
  guard: GuardSnapshot
  dropped: DroppedStats
  /** Requests refused with `QUEUE_FULL`. */
  queueFull: number
  /** Requests waiting behind the in-flight window now. */
  queued: number
  /** Requests in flight now. */
  inflight: number
  holepunches: {
    /** `_ping` requests we forwarded as a referrer. */
    forwarded: number
    /** Holepunches we asked a referrer for. */
    requested: number
    /** `_ping` requests answered on behalf of a referrer's requester. */
    answered: number
  }
}

const MAX_COMMANDS = 64

/** Why dht-rpc itself dropped a request (datagram-level drops are udp-request's). */
export type DropReason = 'invalidTarget' | 'invalidForward' | 'handlerError' | 'tooLarge' | 'clientMode' | 'relayRefused' | 'amplification'

/** The part of udp-request's stats read here. */
export interface IOStats {
  dropped: { tooShort: number, undecodable: number, unmatchedResponse: number, wrongHost: number, refused: number }
}

/** What the per-source guard counted (see `DHTOptions.rateLimit` and `amplification`). */
export interface GuardSnapshot {
  /** Requests dropped by the rate limit. */
  rateLimited: number
  /** Sources banned so far (persistent offenders). */
  bans: number
  /** Answers to unproven addresses cut down to their budget. */
  trimmed: number
  /** Answers to unproven addresses not sent at all. */
  refused: number
  /** Sources tracked now (bounded). */
  sources: number
  /** Sources within their ban now. */
  banned: number
}

export class Stats {
  commands = new Map<string, CommandStats>()
  requestsIn = 0
  responsesOut = 0
  requestsOut = 0
  responsesIn = 0
  timeouts = 0
  failures = 0
  refreshes = 0
  verifications = 0
  verificationsSkipped = 0
  dropped: DroppedStats = { total: 0, tooShort: 0, undecodable: 0, unmatched: 0, invalidTarget: 0, invalidForward: 0, handlerError: 0, tooLarge: 0, clientMode: 0, relayRefused: 0, rateLimited: 0, amplification: 0 }
  holepunches = { forwarded: 0, requested: 0, answered: 0 }

  command (name: string): CommandStats {
    let s = this.commands.get(name)
    if (s) return s
    if (this.commands.size >= MAX_COMMANDS) name = '*'
    s = this.commands.get(name)
    if (!s) {
      s = { requestsIn: 0, responsesOut: 0, requestsOut: 0, responsesIn: 0, timeouts: 0 }
      this.commands.set(name, s)
    }
    return s
  }

  drop (reason: DropReason): void {
    this.dropped[reason]++
    this.dropped.total++
  }

  snapshot (lanes: ReadonlyArray<{ queued: number, inflight: number, rejected: number }>, io: IOStats, table: { diversityRejected: number }, guard: GuardSnapshot): DHTStats {
    const commands: Record<string, CommandStats> = {}
    for (const [k, v] of this.commands) commands[k] = { ...v }
    // datagram-level drops are counted by udp-request
    const dropped = { ...this.dropped }
    dropped.tooShort = io.dropped.tooShort
    dropped.undecodable = io.dropped.undecodable
    dropped.unmatched = io.dropped.unmatchedResponse + io.dropped.wrongHost
    dropped.rateLimited = io.dropped.refused
    dropped.total = dropped.tooShort + dropped.undecodable + dropped.unmatched + dropped.invalidTarget +
      dropped.invalidForward + dropped.handlerError + dropped.tooLarge + dropped.clientMode + dropped.relayRefused +
      dropped.rateLimited + dropped.amplification
    let queued = 0
    let inflight = 0
    let rejected = 0
    for (const lane of lanes) {
      queued += lane.queued
      inflight += lane.inflight
      rejected += lane.rejected
    }
    return {
      commands,
      requestsIn: this.requestsIn,
      responsesOut: this.responsesOut,
      requestsOut: this.requestsOut,
      responsesIn: this.responsesIn,
      timeouts: this.timeouts,
      failures: this.failures,
      refreshes: this.refreshes,
      verifications: this.verifications,
      verificationsSkipped: this.verificationsSkipped,
      diversityRejected: table.diversityRejected,
      guard,
      dropped,
      queueFull: rejected,
      queued,
      inflight,
      holepunches: { ...this.holepunches }
    }
  }
}
