import { EventEmitter, setMaxListeners } from 'node:events'
import { performance } from 'node:perf_hooks'
import { BACKGROUND_CONCURRENCY, ID_LENGTH, K, WALK_ALPHA } from '../constants.js'
import { DHTError } from '../errors.js'
import type { RequestMessage, ResponseMessage } from '../messages/codec.js'
import type { AddressCodec } from '../messages/addresses.js'
import type { RoutingTable } from '../routing/table.js'
import type { Node, Peer, QueryMessage, QueryOptions, QueryResult } from '../types.js'
import { CandidateList, type Candidate } from './candidates.js'
import { closeRange, withinRange } from './range.js'
import { AskedCandidates } from './asked.js'
import { bytesEqual, validId } from '../bytes.js'

/**
 * What a query's request is for, which decides how it is sent:
 * - `walk`: a step of the walk, with the node's adaptive timeout and no retransmission (the walk
 *   asks other nodes instead of waiting, see `overdueAfter`);
 * - `bootstrap`: to a bootstrap node, retransmitted with the full timeout (a lost datagram must
 *   not leave a joining node alone);
 * - `commit`: an update's store at a node that just answered the walk, retransmitted on the
 *   adaptive timeout (a lost datagram must not leave the value off one of the k closest).
 */
export type RequestKind = 'walk' | 'bootstrap' | 'commit'

/** What a query needs from its DHT. */
export interface QueryContext {
  readonly id: Uint8Array
  /** Our id when we are not ephemeral, else `null` (read at every send). */
  readonly queryId: Uint8Array | null
  readonly concurrency: number
  /** True once the DHT is destroyed: a query started then fails with `DESTROYED`. */
  readonly destroyed: boolean
  /** User (not background) queries running now. */
  readonly userQueries: number
  readonly table: RoutingTable
  readonly codec: AddressCodec
  bootstrapPeers (): Promise<Peer[]>
  /**
   * Sends one request of the query (see {@link RequestKind}: which are retransmitted, and with
   * which timeout).
   */
  request (msg: RequestMessage, to: Peer, signal: AbortSignal, kind: RequestKind): Promise<{ value: ResponseMessage, peer: Peer }>
  /**
   * Asks `referrer` to relay a `_ping` to `to` (classic holepunch). Only called when
   * {@link shouldHolepunch} agreed.
   */
  holepunch (to: Peer, referrer: Peer, signal: AbortSignal): Promise<unknown>
  /**
   * How long (ms) a walk's request may go unanswered before it is overdue: the walk then stops
   * waiting for it (its request runs on until its own timeout). `null`: wait for the timeout.
   */
  overdueAfter?: () => number | null
  /** A walk ended without the answer of `to`, overdue and still unanswered (maybe gone). */
  requestOverdue?: (to: Candidate) => void
  /** Whether a candidate learnt from `referrer` that timed out may be behind a NAT worth punching. */
  shouldHolepunch (to: Candidate, referrer: Peer): boolean
  /** A node failed to answer a request of this query. */
  requestFailed (to: Candidate, err: DHTError): void
  queryStarted (q: Query<unknown>): void
  queryEnded (q: Query<unknown>): void
}

export interface InternalQueryOptions<T> extends QueryOptions<T> {
  /** Commit phase after the query (an update). */
  commit?: boolean
  /** With `commit`: also yield query-phase results. */
  verbose?: boolean
  /** Also ask the bootstrap nodes when the table has k candidates (a bucket refresh). */
  askBootstrap?: boolean
  /**
   * Table upkeep (bootstrap, bucket refresh): runs at `BACKGROUND_CONCURRENCY` while user
   * queries run, as the reference does, so that it never competes with them.
   */
  background?: boolean
}

/** Events of a {@link Query}. */
export interface QueryEvents {
  /**
   * A node failed to answer (`REQUEST_TIMEOUT`, `QUEUE_FULL`, ...); `err.peer` is the node.
   * The query goes on without it: per-node failures are events, not the end of the query.
   */
  'request-failed': [err: DHTError]
}

/**
 * An iterative Kademlia lookup (and, for updates, the commit that follows it), as an async
 * iterable of results.
 *
 * Contract: a query runs once. Its first iterator starts it (lazily, on the first `next()`);
 * asking for a second iterator throws `ALREADY_ITERATED`, whether the first is still running
 * or finished (run `dht.query()` again for a fresh walk). Breaking out of `for await`,
 * `destroy()` or the signal stops it and cancels its requests. It ends with `NO_NODES_RESPONDED`
 * when nobody answered (the per-node errors are in `err.cause`, an `AggregateError`),
 * `NO_CLOSE_NODES_RESPONDED` when no commit was answered, `ABORTED`, `DESTROYED`, or
 * `QUERY_FAILED` when anything in its own machinery (a `map` function included) threw.
 *
 * Live counters: `requests`, `responses`, `errors`, `commits`, `holepunches`, `overdue`.
 */
export class Query<T = QueryResult> extends EventEmitter<QueryEvents> implements AsyncIterable<T> {
  readonly command: string
  readonly target: Uint8Array
  readonly value: Uint8Array | null
  /** Requests sent (including commits and holepunch retries). */
  requests = 0
  /** Responses received. */
  responses = 0
  /** Requests that failed (timeout, cancelled, queue full). */
  errors = 0
  /** Responses received in the commit phase. */
  commits = 0
  /** Holepunches tried for nodes that timed out. */
  holepunches = 0
  /** Requests of the walk that went overdue (unanswered well past the expected round trip). */
  overdue = 0

  #ctx: QueryContext
  #opts: InternalQueryOptions<T>
  #pending: CandidateList
  #closest: CandidateList
  #moveCloser: boolean
  #concurrency: number
  #alpha: number
  /** How near the target the walk's final k likely are (see closeRange); null: no estimate. */
  #range: Uint8Array | null = null
  /** Requests of the walk (the query phase) in flight, overdue ones included. */
  #walkInflight = 0
  /** Commits in flight. */
  #commitInflight = 0
  #booting = false
  #committing = false
  #iterated = false
  #started = false
  #ended = false
  #error: Error | null = null
  #results: T[] = []
  #head = 0
  #wake: (() => void) | null = null
  /**
   * Aborts the walk's requests (one listener per request in flight, removed when it settles): at
   * the end, or when an update's commits start while some are still in flight (to farther nodes,
   * or overdue). Each request is tagged with its phase, so an answer to the walk never counts as
   * a commit.
   */
  #walk = new AbortController()
  /** Aborts an update's commits, at the end. */
  #commitAbort = new AbortController()
  /**
   * The candidates asked in the walk, by id: one pushed out of the k closest and referred again
   * comes back as it was (asked, maybe answered), not as a new candidate to ask a second time.
   */
  #asked = new AskedCandidates()
  /** Ids of candidates that failed (few: a linear scan is fine). */
  #failed: Uint8Array[] = []
  /** The per-node errors, for the `cause` of `NO_NODES_RESPONDED` (bounded). */
  #failures: DHTError[] = []
  #onabort: (() => void) | null = null
  /** Overdue requests still in flight: out of the walk's k closest; those given up (`#overdueGivenUp`) hold no place in its window. */
  #overdueInFlight: Candidate[] = []
  #overdueTimer: NodeJS.Timeout | null = null
  /** The check that follows the timer, after the I/O phase (see `#onOverdue`). */
  #overdueCheck: NodeJS.Immediate | null = null
  /** When the timer is due: its check judges the requests as of then (see `#markOverdue`). */
  #overdueDue = 0

  constructor (ctx: QueryContext, msg: QueryMessage, opts: InternalQueryOptions<T> = {}) {
    super()
    if (typeof msg?.command !== 'string' || msg.command === '') throw DHTError.INVALID_ARGUMENT('query.command must be a non-empty string')
    if (!validId(msg.target)) throw DHTError.INVALID_ARGUMENT(`query.target must be ${ID_LENGTH} bytes`)
    if (msg.value != null && !(msg.value instanceof Uint8Array)) throw DHTError.INVALID_ARGUMENT('query.value must be a Uint8Array')
    const concurrency = opts.concurrency ?? ctx.concurrency
    if (!Number.isInteger(concurrency) || concurrency < 1) throw DHTError.INVALID_ARGUMENT('concurrency must be a positive integer')
    const alpha = opts.alpha ?? WALK_ALPHA
    if (!Number.isInteger(alpha) || alpha < 1) throw DHTError.INVALID_ARGUMENT('alpha must be a positive integer')
    if (opts.map !== undefined && typeof opts.map !== 'function') throw DHTError.INVALID_ARGUMENT('map must be a function')
    this.#ctx = ctx
    this.#opts = opts
    this.command = msg.command
    this.target = msg.target
    this.value = msg.value ?? null
    this.#concurrency = concurrency
    this.#alpha = Math.min(alpha, concurrency)
    this.#moveCloser = !opts.nodes
    // a walk's k closest obey the table's diversity limits (one bucket's share per /24): Sybils on
    // few addresses that refer one another cannot fill them
    const diversity = opts.nodes ? null : { maxPer24: ctx.table.diversity.maxPer24PerBucket, maxPer16: ctx.table.diversity.maxPer16 }
    this.#pending = new CandidateList(this.target, opts.nodes ? Infinity : K, diversity)
    this.#closest = new CandidateList(this.target, opts.nodes ? Infinity : K, diversity)
    setMaxListeners(Infinity, this.#commitAbort.signal)
    setMaxListeners(Infinity, this.#walk.signal)
  }

  /** True once the query finished, failed or was destroyed. */
  get ended (): boolean {
    return this.#ended
  }

  /** Whether this is table upkeep rather than a user's query. */
  get background (): boolean {
    return this.#opts.background === true
  }

  /** The closest nodes that answered with a roundtrip token, nearest first (what an update commits to). */
  get closestNodes (): Node[] {
    return this.#closest.list.map((c) => ({ id: c.id!, host: c.host, port: c.port }))
  }

  [Symbol.asyncIterator] (): AsyncIterator<T> {
    if (this.#iterated) throw DHTError.ALREADY_ITERATED()
    this.#iterated = true
    return this.#iterate()
  }

  async * #iterate (): AsyncGenerator<T> {
    this.#start()
    try {
      for (;;) {
        if (this.#head < this.#results.length) {
          const r = this.#results[this.#head]!
          this.#results[this.#head++] = undefined as T
          if (this.#head > 64 && this.#head * 2 > this.#results.length) {
            this.#results = this.#results.slice(this.#head)
            this.#head = 0
          }
          yield r
          continue
        }
        if (this.#error) throw this.#error
        if (this.#ended) return
        await new Promise<void>((resolve) => { this.#wake = resolve })
      }
    } finally {
      this.destroy()
    }
  }

  /** Runs the query to the end and resolves with every result (it counts as the one iteration). */
  async toArray (): Promise<T[]> {
    const out: T[] = []
    for await (const r of this) out.push(r)
    return out
  }

  /** Stops the query: cancels its requests; the iterator ends (with `err` if given). */
  destroy (err?: Error): void {
    if (this.#ended) return
    if (err) this.#error = err
    this.#end()
  }

  #start (): void {
    if (this.#started) return
    this.#started = true
    if (this.#ended) return // destroyed before it started
    if (this.#ctx.destroyed) {
      this.destroy(DHTError.DESTROYED())
      return
    }
    const signal = this.#opts.signal
    if (signal) {
      if (signal.aborted) {
        this.destroy(DHTError.ABORTED(signal.reason))
        return
      }
      this.#onabort = () => this.destroy(DHTError.ABORTED(signal.reason))
      signal.addEventListener('abort', this.#onabort, { once: true })
    }
    this.#ctx.queryStarted(this)
    this.#booting = true
    this.#seed().then(() => {
      this.#booting = false
      this.#guard(this.#fill)
    }, (err: unknown) => {
      this.#booting = false
      this.#fail(err)
    })
  }

  /** The first candidates: the given nodes, or the table's closest (and the bootstrap nodes). */
  async #seed (): Promise<void> {
    const nodes = this.#opts.nodes
    if (nodes) {
      for (const n of nodes) {
        this.#pending.list.push({
          id: validId(n.id) ? n.id : null,
          host: n.host,
          port: n.port,
          referrer: null,
          roundtripToken: n.roundtripToken ?? null,
          queried: false
        })
      }
      return
    }
    const closest = this.#ctx.table.closest(this.target, K)
    this.#range = closeRange(this.#ctx.table, this.#ctx.id)
    for (const n of closest) {
      this.#pending.insert({ id: n.id, host: n.host, port: n.port, referrer: null, roundtripToken: null, queried: false })
    }
    if (closest.length >= K && !this.#opts.askBootstrap) return
    const bootstrap = await this.#ctx.bootstrapPeers()
    if (this.#ended) return
    for (const b of bootstrap) {
      // Asked now, also when the table knows it: as a mere candidate it could be pushed out of
      // the k closest by nodes learnt later and never be asked, and a bucket refresh may need
      // exactly its answer (it can be the only node that knows the range).
      const known = this.#pending.list.find((c) => c.port === b.port && c.host === b.host)
      if (known?.queried === true) continue
      if (known) known.queried = true
      this.#send(known ?? { id: null, host: b.host, port: b.port, referrer: null, roundtripToken: null, queried: true }, 'bootstrap')
    }
  }

  /** How many requests may be in flight now. */
  #limit (): number {
    if (this.#opts.background === true && this.#ctx.userQueries > 0) return Math.min(this.#concurrency, BACKGROUND_CONCURRENCY)
    return this.#concurrency
  }

  #fill = (): void => {
    if (this.#ended || this.#booting) return
    if (this.#committing) {
      this.#fillCommits()
      return
    }
    const list = this.#pending.list
    const limit = this.#limit()
    const width = this.#moveCloser ? this.#walkWidth(list, limit) : limit
    // (overdue requests given up hold no place in the window)
    const givenUp = this.#overdueGivenUp()
    for (let i = 0; i < list.length && this.#walkInflight - givenUp < limit; i++) {
      const c = list[i]!
      if (c.queried) continue
      // the list is sorted: the ones after a candidate out of range are out of range too
      if (this.#walkInflight - givenUp >= width && !this.#inRange(c)) break
      c.queried = true
      this.#send(c, 'walk')
      if (this.#ended) return
    }
    if (this.#walkInflight > givenUp && !this.#closestAnswered()) return
    this.#endWalk()
    if (this.#opts.commit === true) {
      this.#committing = true
      this.#fillCommits()
      return
    }
    this.#finish()
  }

  /** The commit phase of an update: the closest nodes that answered with a token, each once. */
  #fillCommits (): void {
    const list = this.#closest.list
    const limit = this.#limit()
    for (let i = 0; i < list.length && this.#commitInflight < limit; i++) {
      const c = list[i]!
      if (c.queried) continue
      c.queried = true
      this.#send(c, 'commit')
      if (this.#ended) return
    }
    if (this.#commitInflight === 0) this.#finish()
  }

  /**
   * The walk is over: requests of it still in flight (to farther nodes, or overdue) are cancelled,
   * and the DHT checks the overdue nodes itself (a vanished contact must still leave its table).
   */
  #endWalk (): void {
    if (this.#ctx.requestOverdue !== undefined) for (const c of this.#overdueInFlight) this.#ctx.requestOverdue(c)
    this.#overdueInFlight = []
    this.#stopWatchingOverdue()
    if (this.#walkInflight > 0) this.#walk.abort(DHTError.ABORTED())
  }

  /**
   * Requests a walk may have in flight for candidates that are not in range: `alpha` until the
   * closest `alpha` candidates known have answered, so that the first answers (from far nodes,
   * which name nearer ones) steer the next requests instead of 16 far nodes being asked at once;
   * then `limit`, for the rest of the k closest in one round trip.
   */
  #walkWidth (list: Candidate[], limit: number): number {
    const alpha = this.#alpha
    if (alpha >= limit) return limit
    const n = Math.min(alpha, list.length)
    for (let i = 0; i < n; i++) if (list[i]!.responded !== true) return alpha
    return limit
  }

  /** Whether a candidate is near enough to the target to likely be among the walk's final k. */
  #inRange (c: Candidate): boolean {
    if (c.id === null) return true
    return (c.inRange ??= withinRange(c.id, this.target, this.#range))
  }

  /**
   * The walk is done once the k closest nodes known all answered: requests still in flight are to
   * farther nodes (or were pushed out) or overdue, and waiting for them (a dead one times out)
   * adds nothing.
   */
  #closestAnswered (): boolean {
    if (!this.#moveCloser) return false
    const list = this.#pending.list
    if (list.length < K) return false
    for (let i = 0; i < K; i++) if (list[i]!.responded !== true) return false
    return true
  }

  /**
   * Whether this walk watches its requests for overdue ones: a walk towards a target (not a
   * query of given nodes, which all must be asked) whose DHT has a round-trip estimate.
   */
  #watchesOverdue (): boolean {
    return this.#moveCloser && this.#ctx.overdueAfter !== undefined
  }

  /**
   * How many of the overdue requests the walk gives up on (they hold no place in its window, and
   * it may end without them): at most as many as it has answers. Where most of a walk's requests
   * are overdue, the round-trip estimate does not fit them (they cross longer paths than those it
   * was measured on, or our own event loop was held up), so they are waited for, up to their
   * timeout, instead of the walk asking on without limit or ending with no answer at all.
   */
  #overdueGivenUp (): number {
    return Math.min(this.#overdueInFlight.length, this.responses)
  }

  /** Arms the timer for the earliest request that may go overdue, unless armed. */
  #watchOverdue (): void {
    if (this.#overdueTimer !== null || this.#overdueCheck !== null || this.#ended) return
    const after = this.#ctx.overdueAfter?.() ?? null
    if (after === null) return
    let earliest = Infinity
    for (const c of this.#pending.list) {
      if (c.sentAt !== undefined && c.sentAt < earliest && c.responded !== true) earliest = c.sentAt
    }
    if (earliest === Infinity) return
    this.#overdueDue = earliest + after
    // unref: the requests it watches keep the process alive, or not (an unref()ed node), as before
    this.#overdueTimer = setTimeout(this.#onOverdue, Math.max(0, this.#overdueDue - performance.now())).unref()
  }

  #stopWatchingOverdue (): void {
    if (this.#overdueTimer !== null) {
      clearTimeout(this.#overdueTimer)
      this.#overdueTimer = null
    }
    if (this.#overdueCheck !== null) {
      clearImmediate(this.#overdueCheck)
      this.#overdueCheck = null
    }
  }

  /**
   * The timer ran out: the check waits for the end of the event loop's I/O phase. Timers run
   * before it, so after our event loop was held up (a long task, a GC pause) the answers that
   * came meanwhile are still in the socket: they must count before anything is judged overdue.
   */
  #onOverdue = (): void => {
    this.#overdueTimer = null
    if (this.#ended || this.#committing) return
    // Not unref()ed: an unref()ed immediate lets libuv's poll block until the next event (at worst
    // the silent node's timeout), and it keeps nothing alive anyway: it runs in this very turn.
    this.#overdueCheck = setImmediate(this.#markOverdue)
  }

  /**
   * Marks the requests among the candidates unanswered for longer than the DHT's `overdueAfter`:
   * on a network where answers take a millisecond, a node that vanished would otherwise hold
   * the walk for the whole timeout (at least 200 ms), the walk's length many times over. An
   * overdue node gives its place among the k closest to the next one, as a failed one does (its
   * answer, if it comes while the walk runs, takes it back).
   *
   * Requests are judged as of when the timer was due, not now: had our process been held up or
   * descheduled (a loaded machine) past later deadlines, their answers, which may be waiting in
   * the socket or queued behind this check, would be judged by a wait that was ours. Each of those
   * requests gets a timer of its own, and its check comes after the next I/O phase. (A timer may
   * run a millisecond or two early, on the event loop's clock: judged as of when it was due, the
   * request it was armed for is overdue all the same.)
   */
  #markOverdue = (): void => {
    this.#overdueCheck = null
    if (this.#ended || this.#committing) return
    const after = this.#ctx.overdueAfter?.() ?? null
    if (after === null) return
    // (sentAt + after: the sum the due time is, so the request it was armed for is due exactly then)
    const due = this.#overdueDue
    const overdue = this.#pending.list.filter((c) => c.sentAt !== undefined && c.responded !== true && c.sentAt + after <= due)
    for (const c of overdue) {
      c.overdue = true
      this.overdue++
      this.#overdueInFlight.push(c)
      this.#pending.remove(c)
    }
    this.#watchOverdue()
    if (overdue.length > 0) this.#guard(this.#fill)
  }

  /** `c`'s request settled: an overdue one leaves the overdue requests (and answered, is a candidate again). */
  #settled (c: Candidate, answered: boolean): void {
    if (c.overdue !== true) return
    c.overdue = false
    this.#overdueInFlight.splice(this.#overdueInFlight.indexOf(c), 1)
    if (answered && c.id !== null) this.#pending.insert(c as Candidate & { id: Uint8Array })
  }

  #send (c: Candidate, kind: RequestKind): void {
    const ctx = this.#ctx
    const commit = kind === 'commit'
    const msg: RequestMessage = {
      command: this.command,
      id: ctx.queryId,
      target: this.target,
      value: this.value,
      roundtripToken: commit ? c.roundtripToken : null
    }
    if (commit) this.#commitInflight++
    else this.#walkInflight++
    this.requests++
    if (!commit && c.id !== null && this.#moveCloser) this.#asked.add(c as Candidate & { id: Uint8Array })
    if (kind === 'walk' && this.#watchesOverdue()) {
      c.sentAt = performance.now()
      this.#watchOverdue()
    }
    ctx.request(msg, c, commit ? this.#commitAbort.signal : this.#walk.signal, kind).then(
      (res) => this.#guard(() => this.#onresponse(c, res.value, res.peer, commit)),
      (err: unknown) => this.#guard(() => this.#onerror(c, msg, err, commit))
    )
  }

  /**
   * A request of this phase settled. False if the query is past it (ended, or an update's walk
   * request settling after its commits started): the caller then ignores the outcome.
   */
  #current (commit: boolean): boolean {
    if (commit) this.#commitInflight--
    else this.#walkInflight--
    return !this.#ended && commit === this.#committing
  }

  /** Runs a step of the query; anything it throws ends the query with `QUERY_FAILED`. */
  #guard (step: () => void): void {
    try {
      step()
    } catch (err) {
      this.#fail(err)
    }
  }

  #fail (err: unknown): void {
    this.destroy(DHTError.isInstance(err) && (err.code === 'DESTROYED' || err.code === 'ABORTED') ? err : DHTError.QUERY_FAILED(err))
  }

  #onerror (c: Candidate, msg: RequestMessage, err: unknown, commit: boolean): void {
    const error = asDHTError(err, c)
    const referrer = c.referrer
    if (!this.#ended && !commit && !this.#committing && referrer !== null && error.code === 'REQUEST_TIMEOUT' &&
      this.#opts.holepunching !== false && this.#ctx.shouldHolepunch(c, referrer)) {
      // Learnt through a referrer and silent: maybe behind a NAT. Ask the referrer to punch, then
      // retry once (still a request of the walk: it keeps its place in flight).
      c.referrer = null
      this.holepunches++
      this.requests++
      const signal = this.#walk.signal
      this.#ctx.holepunch(c, referrer, signal)
        .then(() => this.#ctx.request(msg, c, signal, 'walk'), (punchErr: unknown) => {
          // the punch failing means the node stayed silent: the error is its timeout (the
          // holepunch's error, which names the referrer, as the cause)
          if (DHTError.isInstance(punchErr) && (punchErr.code === 'ABORTED' || punchErr.code === 'DESTROYED')) throw punchErr
          throw DHTError.REQUEST_TIMEOUT(punchErr, { host: c.host, port: c.port })
        })
        .then((res) => this.#guard(() => this.#onresponse(c, res.value, res.peer, false)),
          (err2: unknown) => this.#guard(() => this.#onerror(c, msg, err2, false)))
      return
    }
    if (!this.#current(commit)) return
    this.#settled(c, false)
    this.errors++
    if (this.#failures.length < 64) this.#failures.push(error)
    if (!commit && c.id !== null) {
      // A node that failed gives its place among the k closest to the next candidate, so the
      // query ends with answers from the k closest nodes that respond (the set an update commits
      // to), not from fewer; it is not taken in again when other nodes list it.
      this.#pending.remove(c)
      this.#failed.push(c.id)
    }
    this.#ctx.requestFailed(c, error)
    if (this.listenerCount('request-failed') > 0) this.emit('request-failed', error)
    this.#fill()
  }

  #onresponse (c: Candidate, res: ResponseMessage, peer: Peer, commit: boolean): void {
    if (!this.#current(commit)) return
    this.#settled(c, true)
    this.responses++
    if (commit) this.commits++
    const ctx = this.#ctx
    const id = validId(res.id) ? res.id : null
    const self = id !== null && bytesEqual(id, ctx.id)

    c.responded = true
    if (id !== null && !self) {
      const known = this.#pending.get(id)
      if (known) {
        known.queried = true
        known.responded = true
      }
      if (this.#moveCloser && !commit) {
        const asked = this.#asked.get(id)
        if (asked !== undefined) asked.responded = true
        else if (known !== null) this.#asked.add(known as Candidate & { id: Uint8Array })
        else this.#asked.add({ id, host: peer.host, port: peer.port, referrer: null, roundtripToken: null, queried: true, responded: true })
      }
      if (res.roundtripToken && !commit) {
        const prev = this.#closest.get(id)
        if (prev) {
          prev.roundtripToken = res.roundtripToken
        } else {
          this.#closest.insert({ id, host: peer.host, port: peer.port, referrer: null, roundtripToken: res.roundtripToken, queried: false })
        }
      }
    }

    if (this.#moveCloser && !commit) {
      const ours = res.to != null
      for (const n of ctx.codec.decodeNodes(res.nodes)) {
        if (bytesEqual(n.id, ctx.id) || this.#failed.some((f) => bytesEqual(f, n.id))) continue
        const asked = this.#asked.size > 0 ? this.#asked.get(n.id) : undefined
        if (asked !== undefined) {
          // (an overdue one stays out of the k closest while its request is unanswered)
          if (asked.id !== null && asked.overdue !== true) this.#pending.insert(asked as Candidate & { id: Uint8Array })
          continue
        }
        this.#pending.insert({ id: n.id, host: n.host, port: n.port, referrer: { host: peer.host, port: peer.port }, roundtripToken: null, queried: false, referredByOurs: ours })
      }
    }

    if (id !== null && (!this.#opts.commit || this.#opts.verbose || commit)) {
      const result: QueryResult = { node: { id, host: peer.host, port: peer.port }, value: res.value ?? null, token: res.roundtripToken ?? null }
      const map = this.#opts.map
      const out = map ? map(result) : (result as T)
      if (out !== null && out !== undefined) {
        this.#results.push(out)
        this.#notify()
      }
    }
    this.#fill()
  }

  #finish (): void {
    if (this.#ended) return
    if (this.responses === 0) {
      this.#error = DHTError.NO_NODES_RESPONDED(this.#failures.length > 0 ? new AggregateError(this.#failures, 'every node failed') : undefined)
    } else if (this.#committing && this.commits === 0) {
      this.#error = DHTError.NO_CLOSE_NODES_RESPONDED()
    }
    this.#end()
  }

  #end (): void {
    if (this.#ended) return
    this.#ended = true
    this.#stopWatchingOverdue()
    if (this.#onabort) {
      this.#opts.signal?.removeEventListener('abort', this.#onabort)
      this.#onabort = null
    }
    if (this.#walkInflight > 0 && !this.#walk.signal.aborted) this.#walk.abort(this.#error ?? DHTError.ABORTED())
    if (this.#commitInflight > 0) this.#commitAbort.abort(this.#error ?? DHTError.ABORTED())
    if (this.#started) this.#ctx.queryEnded(this)
    this.#notify()
  }

  #notify (): void {
    const wake = this.#wake
    this.#wake = null
    wake?.()
  }
}

/** The typed error of a failed request (the DHT's requests name their node already). */
function asDHTError (err: unknown, c: Peer): DHTError {
  return DHTError.isInstance(err) ? err : DHTError.REQUEST_FAILED(err, { host: c.host, port: c.port })
}
