import { randomBytes } from 'node:crypto'
import { lookup } from 'node:dns/promises'
import { EventEmitter } from 'node:events'
// (imported: the global `performance` is an accessor on Node 20, ~13 ns more a read)
import { performance } from 'node:perf_hooks'
import { addressFamily, parseAddress } from '@hyperdht-ts/ip-encoding'
import {
  UDPRequest, UDPRequestError, internHost, withResolvers, type Interceptor, type Logger, type RequestPeer, type RequestResult, type Resolvers, type ResponseHandler
} from '@hyperdht-ts/udp-request'
import {
  DEFAULT_CONCURRENCY, DEFAULT_MAX_INFLIGHT, DEFAULT_MAX_QUEUE, DEFAULT_PORT, DEFAULT_TIMEOUT, FIND_NODE, ID_LENGTH, K,
  CHURN_CHECK_PINGS, CHURN_CHECK_TICKS, MIN_ADAPTIVE_TIMEOUT, MIN_OVERDUE, REBOOTSTRAP_FIRST_RETRY, MAX_VALUE_SIZE, MAX_VERIFYING, PING, PING_CONCURRENCY, PING_EVERY_TICKS, PING_MAX_QUEUE,
  FRESH_TICKS, REBOOTSTRAP_TICKS, REFRESH_CONCURRENCY, REFRESH_MIN_NODES, REFRESH_TICKS, RELAY_BURST, RELAY_RATE, RELAY_TOTAL_BURST,
  RELAY_TOTAL_RATE, SECRET_ROTATE_INTERVAL, TICK_INTERVAL, UPKEEP_PINGS
} from './constants.js'
import { DHTError } from './errors.js'
import { handleRequest, type HandlerContext } from './handlers/index.js'
import { FlowQueue } from './io/queue.js'
import { SourceGuard } from './io/guard.js'
import { ProofCache } from './io/proofs.js'
import { Contacted } from './io/contacted.js'
import { RttEstimator } from './io/rtt.js'
import { RateLimiter } from './io/rate-limit.js'
import { Stats, type CommandStats, type DHTStats, type DropReason } from './io/stats.js'
import { Tokens } from './io/tokens.js'
import { AddressCodec } from './messages/addresses.js'
import { requestEncoding, responseEncoding, type RequestMessage, type ResponseMessage } from './messages/codec.js'
import { HEADER_BYTES } from '@hyperdht-ts/udp-request'
import type { Candidate } from './query/candidates.js'
import { Query, type QueryContext, type RequestKind } from './query/query.js'
import { RoutingTable, type RoutingTableListener, type RoutingTableStats, type TableNode } from './routing/table.js'
import { notAnswering, onBucketFull, pingSome, type UpkeepContext } from './routing/upkeep.js'
import type {
  BootstrapResult, CommandHandlers, DHTOptions, Node, NodeInfo, Peer, QueryMessage, QueryOptions, QueryResult, UpdateOptions
} from './types.js'
import { bytesEqual, errorMessage, toHex, validId } from './bytes.js'

/** Events of a {@link DHT}. */
export interface DHTEvents {
  /** The socket is bound. */
  listening: []
  /** The first bootstrap finished (successful or not; see `result.error`). */
  ready: [result: BootstrapResult]
  /** A node entered the routing table. */
  'add-node': [node: Node]
  /** A node left the routing table. */
  'remove-node': [node: Node]
  /** As a referrer we relayed a holepunch `_ping` from `from` to `to`. */
  holepunch: [from: Peer, to: Peer]
  /**
   * A node that answered one of our requests told us the address it saw us at (the `to` field
   * our nodes send, or a `_ping`'s value): the raw samples of NAT classification.
   */
  'observed-address': [address: Peer, from: Peer]
  /** Something non-fatal went wrong (a dropped datagram, a failed send, `BOOTSTRAP_FAILED`). */
  warning: [err: Error]
  /**
   * A fatal socket error (`SOCKET_ERROR`, the socket's error in `cause`): the node destroys
   * itself, and `close` follows. Without a listener the error is logged (warn) instead of thrown.
   */
  error: [err: DHTError]
  /** Destroyed; the socket is closed. */
  close: []
}

/** Result of `dht.ping()`. */
export interface PingResult {
  /** Our address as the pinged node saw it. */
  address: Peer
  /** The node that answered (its id is `null` if it is ephemeral). */
  node: NodeInfo
}

export interface SignalOptions {
  signal?: AbortSignal
}

type Lane = 'query' | 'ping'

/** A request's answer: the decoded response and who sent it (udp-request's result). */
type Answer = RequestResult<ResponseMessage>

interface RequestOptions {
  signal?: AbortSignal | undefined
  /** The destination forwards the request (holepunch): the answer comes from a third host. */
  forwarded?: boolean
  lane?: Lane
  retry?: boolean | undefined
  timeout?: number | undefined
  /**
   * A ping that checks an address a request claimed: the sender asked for it, so it must not make
   * the host one we "contacted" (those are never banned by the rate limit), or a flooder could
   * stay unbanned by putting an id in every request.
   */
  verification?: boolean
}

const NO_REQUEST_OPTIONS: RequestOptions = Object.freeze({})
const PING_REQUEST: RequestOptions = Object.freeze({ lane: 'ping' })
const KNOWN_ROUTE: RequestOptions & { knownRoute: true } = Object.freeze({ knownRoute: true })
const PING_KNOWN_ROUTE: RequestOptions & { knownRoute: true } = Object.freeze({ lane: 'ping', knownRoute: true })

/** `opts` with udp-request's `knownRoute` set; the shared option objects map to shared copies. */
function withKnownRoute (opts: RequestOptions): RequestOptions & { knownRoute: true } {
  if (opts === PING_REQUEST) return PING_KNOWN_ROUTE
  if (opts === NO_REQUEST_OPTIONS) return KNOWN_ROUTE
  return { ...opts, knownRoute: true }
}

/** What `dht.request()` sends: one command to one node. */
export interface DirectRequest {
  command: string
  /** 32 bytes for routing commands; point-to-point commands (`routing: false`) may omit it. */
  target?: Uint8Array | null
  value?: Uint8Array | null
}

export interface DirectRequestOptions extends SignalOptions {
  /** Retransmit (udp-request's 3 retries over ~8 s). @default false */
  retry?: boolean
  /** Fail after about this many ms. @default the node's `timeout` */
  timeout?: number
  /**
   * The roundtrip token that node issued us (a query result's `token`): the request is then an
   * update there, our address proven. @default none: a query
   */
  token?: Uint8Array
}

/** What `dht.request()` resolves to. */
export interface DirectResponse {
  /** The answer's `value`. */
  value: Uint8Array | null
  /** The node that answered (its id is `null` if it is ephemeral). */
  node: NodeInfo
  /** Our address as that node saw it, when it said (our nodes always do). */
  to: Peer | null
}

/** Reads and calls of a DHT's private state for {@link NodeContext} (set by the DHT class's static block). */
let internal: {
  ephemeral: (d: DHT) => boolean
  destroyed: (d: DHT) => boolean
  userQueries: (d: DHT) => number
  tick: (d: DHT) => number
  bootstrapped: (d: DHT) => boolean
  inflightQueries: (d: DHT) => number
  respond: (d: DHT, command: string, res: ResponseMessage, to: RequestPeer, proven: boolean) => void
  drop: (d: DHT, reason: DropReason, peer: Peer, command: string, err?: unknown) => void
  onholepunch: (d: DHT, from: Peer, to: Peer) => void
  mayRelay: (d: DHT, from: Peer, to: Peer) => boolean
  acceptsRelayFrom: (d: DHT, referrer: Peer) => boolean
  bootstrapPeers: (d: DHT) => Promise<Peer[]>
  request: (d: DHT, msg: RequestMessage, to: Peer, signal: AbortSignal, kind: RequestKind) => Promise<{ value: ResponseMessage, peer: RequestPeer }>
  holepunch: (d: DHT, to: Peer, referrer: Peer, signal: AbortSignal) => Promise<NodeInfo>
  shouldHolepunch: (d: DHT, c: Candidate) => boolean
  overdueAfter: (d: DHT) => number | null
  requestOverdue: (d: DHT, c: Candidate) => void
  requestFailed: (d: DHT, c: Candidate, err: DHTError) => void
  queryStarted: (d: DHT, q: Query<unknown>) => void
  queryEnded: (d: DHT, q: Query<unknown>) => void
  ping: (d: DHT, node: TableNode) => Promise<unknown>
  nodeAdded: (d: DHT, node: TableNode) => void
  nodeRemoved: (d: DHT, node: TableNode) => void
  answered: (d: DHT, req: SentRequest, res: Answer) => void
  failed: (d: DHT, req: SentRequest, err: Error) => void
}

/** One request of ours in flight: udp-request's handler for it, and what its answer needs. */
class SentRequest implements ResponseHandler<ResponseMessage> {
  constructor (
    readonly dht: DHT,
    readonly command: string,
    readonly cmd: CommandStats,
    readonly to: Peer,
    readonly opts: RequestOptions,
    /** The lane slot to give back when it settles (null: the lane's queue gives it back). */
    readonly lane: FlowQueue | null,
    /** Turns the answer into the promise's value. */
    readonly map: ((answer: Answer) => unknown) | null,
    readonly sentAt: number,
    readonly settle: Resolvers<unknown>
  ) {}

  resolve (res: Answer): void { internal.answered(this.dht, this, res) }
  reject (err: Error): void { internal.failed(this.dht, this, err) }
}

/**
 * A Kademlia DHT node speaking dht-rpc@2.3.0's wire protocol.
 *
 * ```ts
 * const node = new DHT({ bootstrap: ['127.0.0.1:49737'] })
 * node.command('echo', { query: (q) => q.value })
 * await node.ready()
 * for await (const { node: from, value } of node.query({ command: 'echo', target, value })) {}
 * ```
 */
export class DHT extends EventEmitter<DHTEvents> {
  /** Our 32-byte node id. */
  readonly id: Uint8Array
  /** Default requests in flight per query. */
  readonly concurrency: number
  /** Node-wide window of query requests in flight. */
  readonly maxInflight: number
  /** Largest request `value` sent or handled. */
  readonly maxValueSize: number

  #ephemeral: boolean
  #io: UDPRequest<RequestMessage, ResponseMessage>
  /** Query requests: a node-wide window, shared by every query. */
  #queryLane: FlowQueue
  /** Pings (user pings, table upkeep, verification): never stuck behind slow queries. */
  #pingLane: FlowQueue
  #table: RoutingTable
  #tokens: Tokens
  #codec: AddressCodec
  #stats = new Stats()
  #commands = new Map<string, CommandHandlers>()
  #bootstrapInput: Array<string | number | Peer>
  #bootstrapResolved: Promise<ResolvedBootstrap> | null = null
  #defaultPort: number | undefined
  #defaultHost: string | undefined
  #tick = 0
  #tickTimer: NodeJS.Timeout | null = null
  #unrefed = false
  #listening: Promise<void> | null = null
  #isBound = false
  #bootstrapping: Promise<BootstrapResult> | null = null
  #refreshing: Promise<void> | null = null
  /** Upkeep rounds run every tick before this tick: the last ones removed contacts (churn). */
  #churnCheckUntil = 0
  #ready: Promise<BootstrapResult> | null = null
  #bootstrapped = false
  #bootstrapResult: BootstrapResult | null = null
  #destroyed = false
  #closed: Promise<void> | null = null
  /** Queries running now (`null` while none: most of a node's life). */
  #queries: Set<Query<unknown>> | null = null
  #userQueries = 0
  /** `host:port` of contacts being verified by a ping (a request with an id but no token). */
  #verifying = new SparseSet()
  /** Hosts and addresses we sent requests to, with when (bounded). */
  #contacted = new Contacted()
  /** Holepunch relays, per source and in all: created by the first relay. */
  #relayPerSource: RateLimiter | null = null
  #relayTotal: RateLimiter | null = null
  #relayFilter: ((to: Peer) => boolean) | null = null
  /** Per-source rate limits and amplification budgets. */
  #guard: SourceGuard
  /** Tokens others issued us, sent back as `proof` in our queries to them. */
  #proofs = new ProofCache()
  /** Round trips of our requests, for adaptive query timeouts. */
  #rtt = new RttEstimator()
  readonly #timeout: number
  readonly #adaptive: boolean
  readonly #punchOurReferrals: boolean
  /** Table contacts being checked by a ping after a query request to them timed out. */
  #checking = new SparseSet()
  #rebootstrapTimer: NodeJS.Timeout | null = null
  #rebootstrapDelay = REBOOTSTRAP_FIRST_RETRY
  #log: Logger | null

  constructor (opts: DHTOptions = {}) {
    super()
    if (opts.id !== undefined && !validId(opts.id)) {
      throw DHTError.INVALID_ARGUMENT(`id must be ${ID_LENGTH} bytes`)
    }
    this.concurrency = positiveInteger(opts.concurrency ?? DEFAULT_CONCURRENCY, 'concurrency')
    this.maxInflight = positiveInteger(opts.maxInflight ?? DEFAULT_MAX_INFLIGHT, 'maxInflight')
    this.maxValueSize = positiveInteger(opts.maxValueSize ?? MAX_VALUE_SIZE, 'maxValueSize')
    const maxQueue = opts.maxQueue ?? DEFAULT_MAX_QUEUE
    if (!Number.isInteger(maxQueue) || maxQueue < 0) throw DHTError.INVALID_ARGUMENT('maxQueue must be a non-negative integer')

    this.id = opts.id ?? new Uint8Array(randomBytes(ID_LENGTH))
    this.#ephemeral = !!opts.ephemeral
    this.#codec = new AddressCodec(opts.ipv6 ? 6 : 4)
    this.#queryLane = new FlowQueue(this.maxInflight, maxQueue)
    this.#pingLane = new FlowQueue(PING_CONCURRENCY, PING_MAX_QUEUE)
    this.#table = new RoutingTable(this.id, K, opts.diversity)
    this.#bootstrapInput = opts.bootstrap === undefined ? [] : Array.isArray(opts.bootstrap) ? opts.bootstrap : [opts.bootstrap]
    this.#defaultPort = opts.port
    this.#defaultHost = opts.host
    this.#log = opts.logger ?? null

    this.#timeout = opts.timeout ?? DEFAULT_TIMEOUT
    this.#adaptive = opts.adaptiveTimeouts !== false
    if (opts.holepunchPolicy != null && opts.holepunchPolicy !== 'always' && opts.holepunchPolicy !== 'reference-referrers') {
      throw DHTError.INVALID_ARGUMENT("holepunchPolicy must be 'always' or 'reference-referrers'")
    }
    this.#punchOurReferrals = opts.holepunchPolicy !== 'reference-referrers'
    this.#guard = new SourceGuard({ rateLimit: opts.rateLimit, amplification: opts.amplification })
    const guard = this.#guard
    this.#tokens = new Tokens()
    this.#io = new UDPRequest<RequestMessage, ResponseMessage>({
      socket: opts.socket,
      requestEncoding,
      responseEncoding,
      timeout: this.#timeout,
      ipv6: !!opts.ipv6,
      logger: opts.logger,
      // A host we sent requests to recently is rate limited but never banned: a referrer we
      // announced on relays other peers' holepunches to us, so a few requesters could otherwise
      // make us ignore it for minutes (and spoofing its address could too).
      admit: guard.rate === null && guard.amplification === null
        ? undefined
        : (host, bytes) => {
            const now = performance.now()
            return guard.admit(host, bytes, now, !this.#contactedHost(host, now))
          }
    })
    this.#io.on('request', this.#onrequest)
    // udp-request builds a warning only when someone listens: we do only while someone listens to us
    forwardWhileListened(this, this.#io, 'warning', this.#onwarning)
    this.#io.on('error', this.#onsocketerror)
    this.#io.on('close', () => { if (!this.#destroyed) void this.destroy() })

    this.#context = new NodeContext(this, this.#io, this.#table, this.#tokens, this.#codec, this.#stats, this.#commands)
    this.#table.listener = this.#context

    // Trusted input (a saved table, a test): no verification.
    for (const n of opts.nodes ?? []) {
      if (n && validId(n.id) && typeof n.host === 'string' && Number.isInteger(n.port)) this.#table.add(n.id, n, 0)
    }
  }

  /** Whether we withhold our id (client mode). Settable at run time; takes effect on the next message. */
  get ephemeral (): boolean {
    return this.#ephemeral
  }

  set ephemeral (value: boolean) {
    this.#ephemeral = !!value
  }

  /** True once the first bootstrap finished (successful or not: see {@link bootstrapResult}). */
  get bootstrapped (): boolean {
    return this.#bootstrapped
  }

  /** The outcome of the latest bootstrap, `null` until the first one finished. */
  get bootstrapResult (): BootstrapResult | null {
    return this.#bootstrapResult
  }

  get destroyed (): boolean {
    return this.#destroyed
  }

  /** Queries running now. */
  get inflightQueries (): number {
    return this.#queries?.size ?? 0
  }

  /** The IP family this node speaks (4, or 6 with `ipv6: true`). */
  get family (): 4 | 6 {
    return this.#codec.family
  }

  /** Contacts in the routing table (cheap: no copy). */
  get tableSize (): number {
    return this.#table.count()
  }

  /** A snapshot of the counters. */
  get stats (): DHTStats {
    return this.#stats.snapshot([this.#queryLane, this.#pingLane], this.#io.stats, this.#table, {
      ...this.#guard.stats,
      sources: this.#guard.sources,
      banned: this.#guard.banned(performance.now())
    })
  }

  /** Binds the socket (port/host default to the constructor's options), then starts bootstrapping. */
  listen (port?: number, host?: string): Promise<void> {
    if (this.#destroyed) return Promise.reject(DHTError.DESTROYED())
    if (this.#listening) return Promise.reject(DHTError.INVALID_ARGUMENT('already listening'))
    const p = this.#io.listen(port ?? this.#defaultPort ?? 0, host ?? this.#defaultHost).then(() => {
      this.#isBound = true
      this.#startTimers()
      this.emit('listening')
      this.#ready = this.#bootstrap()
    })
    this.#listening = p
    p.catch(() => { if (this.#listening === p) this.#listening = null })
    return p
  }

  /**
   * Resolves once the first bootstrap finished, with the outcome of the latest bootstrap; binds a
   * random port first if `listen()` was not called. It also resolves when no bootstrap node
   * answered (the first node of a network must start): check `error` in the result.
   */
  async ready (): Promise<BootstrapResult> {
    await this.#ensureListening()
    const first = await this.#ready!
    return this.#bootstrapResult ?? first
  }

  /** The bound address. */
  address (): { host: string, port: number, family: string } {
    return this.#io.address()
  }

  /** Registers the handlers of an application command. */
  command (name: string, handlers: CommandHandlers): this {
    if (typeof name !== 'string' || name === '') throw DHTError.INVALID_ARGUMENT('command name must be a non-empty string')
    if (name === PING || name === FIND_NODE) throw DHTError.INVALID_ARGUMENT(`${name} is built in`)
    this.#commands.set(name, handlers)
    return this
  }

  /**
   * Unregisters an application command: its requests are dropped as unknown from now on. With
   * `handlers`, only if those are the ones registered (a later registration stays). Returns
   * whether a command was removed.
   */
  removeCommand (name: string, handlers?: CommandHandlers): boolean {
    const current = this.#commands.get(name)
    if (current === undefined || (handlers !== undefined && current !== handlers)) return false
    this.#commands.delete(name)
    return true
  }

  /** Walks the DHT towards `target`, sending `command` to the closest nodes; see {@link Query}. */
  query<T = QueryResult> (msg: QueryMessage, opts: QueryOptions<T> = {}): Query<T> {
    if (this.#destroyed) throw DHTError.DESTROYED()
    this.#checkValue(msg?.value)
    return new Query<T>(this.#context, msg, opts)
  }

  /** Runs the query, then commits `command` to the k closest nodes with their roundtrip tokens. Resolves with the commit results (and query results with `query: true`). */
  async update<T = QueryResult> (msg: QueryMessage, opts: UpdateOptions<T> = {}): Promise<T[]> {
    if (this.#destroyed) throw DHTError.DESTROYED()
    this.#checkValue(msg?.value)
    const q = new Query<T>(this.#context, msg, { ...opts, commit: true, verbose: !!opts.query })
    return await q.toArray()
  }

  /** Pings a node; resolves with our address as it saw us. */
  ping (peer: string | number | Peer, opts: SignalOptions = {}): Promise<PingResult> {
    let to: Peer
    try {
      to = toPeer(peer)
    } catch (err) {
      return Promise.reject(err)
    }
    // an address on a bound socket (the usual case) costs no async frame and no extra promise
    if (!this.#bound() || addressFamily(to.host) === 0) return this.#pingResolving(to, opts)
    const options = opts.signal === undefined ? PING_REQUEST : { signal: opts.signal, lane: 'ping' as const }
    return this.#request({ command: PING, id: this.queryId }, to, options, this.#toPingResult)
  }

  async #pingResolving (peer: Peer, opts: SignalOptions): Promise<PingResult> {
    const to = addressFamily(peer.host) === 0 ? await resolvePeer(peer, this.#codec.family) : peer
    if (!this.#bound()) await this.#ensureListening()
    return await this.#request({ command: PING, id: this.queryId }, to, { signal: opts.signal, lane: 'ping' }, this.#toPingResult)
  }

  #toPingResult = ({ value, peer }: Answer): PingResult => {
    const address = this.#codec.decodePeer(value.value)
    // the answer matched our request's tid and address: `peer` is the node we pinged
    if (!address) throw DHTError.INVALID_RESPONSE('invalid _ping response', { host: peer.host, port: peer.port })
    return { address, node: { id: validId(value.id) ? value.id : null, host: peer.host, port: peer.port } }
  }

  /**
   * Asks `referrer` to relay a `_ping` to `peer`, which answers us directly (opening the path
   * through both NATs). Resolves with the node that answered.
   */
  async holepunch (peer: string | number | Peer, referrer: string | number | Peer, opts: SignalOptions = {}): Promise<NodeInfo> {
    const to = await resolvePeer(toPeer(peer), this.#codec.family)
    const via = await resolvePeer(toPeer(referrer), this.#codec.family)
    await this.#ensureListening()
    return await this.#holepunch(to, via, opts.signal)
  }

  /**
   * Sends one request to one node (no walk): a routing command needs a 32-byte `target`, a
   * point-to-point one (registered with `routing: false`) need not. Resolves with the answer's
   * value; rejects with `REQUEST_TIMEOUT` (and the other request errors) naming the node.
   */
  async request (msg: DirectRequest, to: Peer, opts: DirectRequestOptions = {}): Promise<DirectResponse> {
    if (this.#destroyed) throw DHTError.DESTROYED()
    if (typeof msg?.command !== 'string' || msg.command === '') throw DHTError.INVALID_ARGUMENT('command must be a non-empty string')
    if (msg.target != null && !(msg.target instanceof Uint8Array)) throw DHTError.INVALID_ARGUMENT('target must be a Uint8Array')
    if (msg.value != null && !(msg.value instanceof Uint8Array)) throw DHTError.INVALID_ARGUMENT('value must be a Uint8Array')
    this.#checkValue(msg.value)
    const peer = toPeer(to)
    if (!this.#bound()) await this.#ensureListening()
    const { value, peer: from } = await this.#request({ command: msg.command, id: this.queryId, target: msg.target ?? null, value: msg.value ?? null, roundtripToken: opts.token ?? null },
      peer, { signal: opts.signal, lane: 'ping', retry: opts.retry, timeout: opts.timeout })
    return { value: value.value ?? null, node: { id: validId(value.id) ? value.id : null, host: from.host, port: from.port }, to: this.#codec.decodePeer(value.to) }
  }

  /**
   * Lets another protocol share our socket (punched connections): `fn` sees every datagram first
   * and consumes those it returns `true` for. `null` removes it. One interceptor at a time.
   */
  interceptDatagrams (fn: Interceptor | null): void {
    this.#io.intercept(fn)
  }

  /** Sends raw bytes from our socket (punch probes, connection frames). A failed send is a `warning`. */
  sendDatagram (bytes: Uint8Array, to: Peer): void {
    this.#io.send(bytes, to)
  }

  /**
   * Whom we relay holepunch `_ping`s to, besides the contacts of our routing table: hyperdht
   * allows the peers announced on us (the case the protocol exists for). `null`: table only.
   */
  set relayFilter (fn: ((to: Peer) => boolean) | null) {
    this.#relayFilter = fn
  }

  /** Whether we sent a request to exactly `peer` (host and port) in the last few minutes. */
  hasContacted (peer: Peer): boolean {
    return this.#contacted.hasAddress(peer.host, peer.port, contactTime(performance.now()))
  }

  /** The routing table. */
  toArray (): Node[] {
    return this.#table.toArray().map((n) => ({ id: n.id, host: n.host, port: n.port }))
  }

  /** A node of the routing table by id, or `null`. */
  findLocal (id: Uint8Array): Node | null {
    const n = this.#table.get(id)
    return n ? { id: n.id, host: n.host, port: n.port } : null
  }

  /** Per-bucket fill and address diversity of the routing table. */
  routingTableStats (): RoutingTableStats {
    return this.#table.stats()
  }

  /** Re-runs the bootstrap query (a `_find_node` for our own id); resolves with its outcome. */
  async bootstrap (): Promise<BootstrapResult> {
    await this.#ensureListening()
    return await this.#bootstrap()
  }

  /**
   * Lets the process exit while this node is open (as `UDPRequest#unref`): its socket and
   * timers no longer keep the event loop alive.
   */
  unref (): this {
    this.#unrefed = true
    this.#io.unref()
    this.#tickTimer?.unref()
    this.#rebootstrapTimer?.unref()
    return this
  }

  /** Stops everything: queries, timers, pending requests, the socket. Idempotent. */
  destroy (): Promise<void> {
    if (this.#closed) return this.#closed
    this.#destroyed = true
    this.#stopTimers()
    for (const q of [...this.#queries ?? []]) q.destroy(DHTError.DESTROYED())
    this.#queryLane.clear(DHTError.DESTROYED())
    this.#pingLane.clear(DHTError.DESTROYED())
    this.#closed = this.#io.destroy().then(() => { this.emit('close') })
    return this.#closed
  }

  // ---- internals ----

  /** The id we send: `null` while ephemeral. */
  get queryId (): Uint8Array | null {
    return this.#ephemeral ? null : this.id
  }

  async #ensureListening (): Promise<void> {
    if (this.#destroyed) throw DHTError.DESTROYED()
    if (!this.#listening) await this.listen()
    else await this.#listening
  }

  /**
   * True once the socket is bound (and not destroyed): requests can go out without waiting. A
   * method, not a getter: V8 (Node 20) does not inline private accessors, and every ping asks.
   */
  #bound (): boolean {
    return this.#isBound && !this.#destroyed
  }

  #checkValue (value: unknown): void {
    if (value instanceof Uint8Array && value.byteLength > this.maxValueSize) throw DHTError.VALUE_TOO_LARGE(value.byteLength, this.maxValueSize)
  }

  #bootstrap (): Promise<BootstrapResult> {
    if (this.#bootstrapping) return this.#bootstrapping
    const run = async (): Promise<BootstrapResult> => {
      this.#log?.info?.('dht-rpc: bootstrap started', { bootstrap: this.#bootstrapInput.length, nodes: this.#table.count() })
      const { peers, errors } = await this.#resolveBootstrap()
      let responses = 0
      if (peers.length > 0 || this.#table.count() > 0) {
        const q = new Query(this.#context, { command: FIND_NODE, target: this.id }, { background: true })
        try {
          await q.toArray()
        } catch {}
        responses = q.responses
        await this.#refreshBuckets()
      }
      let error: DHTError | null = null
      if (this.#bootstrapInput.length > 0 && responses === 0 && !this.#destroyed) {
        error = DHTError.BOOTSTRAP_FAILED(peers.length > 0 ? DHTError.NO_NODES_RESPONDED() : resolveFailure(errors))
      }
      const nodes = this.#table.count()
      if (this.#log !== null && !this.#destroyed) {
        const unresolved = errors.map(errorMessage)
        if (error) this.#log.warn?.('dht-rpc: bootstrap failed', { nodes, cause: errorMessage(error.cause), unresolved })
        else this.#log.info?.('dht-rpc: bootstrap finished', { nodes, responses, unresolved })
      }
      return { nodes, responses, error }
    }
    const p = run().catch((err: unknown) => {
      // not expected (every step catches): report it as the outcome rather than lose it
      return { nodes: this.#table.count(), responses: 0, error: DHTError.BOOTSTRAP_FAILED(err) }
    }).then((result) => {
      this.#bootstrapping = null
      const failedBefore = this.#bootstrapResult?.error != null
      this.#bootstrapResult = result
      this.#scheduleRebootstrap(result)
      // One warning per run of failures: retries that fail again stay quiet (see bootstrapResult).
      if (result.error && !failedBefore && !this.#destroyed) this.emit('warning', result.error)
      if (!this.#bootstrapped && !this.#destroyed) {
        this.#bootstrapped = true
        this.emit('ready', result)
      }
      return result
    })
    this.#bootstrapping = p
    return p
  }

  /**
   * A bootstrap nobody answered (lost datagrams, the bootstrap nodes restarting) is tried again
   * soon, doubling the wait up to the periodic re-bootstrap, so that a joining node is not left
   * alone for a minute by bad luck.
   */
  #scheduleRebootstrap (result: BootstrapResult): void {
    if (this.#rebootstrapTimer !== null) clearTimeout(this.#rebootstrapTimer)
    this.#rebootstrapTimer = null
    if (this.#destroyed || result.responses > 0 || this.#bootstrapInput.length === 0) {
      this.#rebootstrapDelay = REBOOTSTRAP_FIRST_RETRY
      return
    }
    const delay = this.#rebootstrapDelay
    if (delay >= REBOOTSTRAP_TICKS * TICK_INTERVAL) return // the periodic tick takes over
    this.#rebootstrapDelay = delay * 2
    this.#rebootstrapTimer = setTimeout(() => {
      this.#rebootstrapTimer = null
      if (!this.#destroyed && this.#table.count() === 0) this.#bootstrap().catch(() => {})
    }, delay)
    if (this.#unrefed) this.#rebootstrapTimer.unref()
  }

  /**
   * Kademlia's bucket refresh (see `RoutingTable.refreshTargets`): a lookup for a random id in
   * each far range holding fewer than `REFRESH_MIN_NODES` of our nodes, farthest first, each
   * range once, stopped once the range holds that many (a lookup can fill the next ranges too,
   * which are then skipped). The bootstrap nodes are asked too: the nodes we know may all share
   * our blind spot.
   */
  async #refreshBuckets (): Promise<void> {
    const done = new Set<number>()
    for (;;) {
      if (this.#destroyed) return
      const next = this.#table.refreshTargets(REFRESH_MIN_NODES).find((t) => !done.has(t.cpl))
      if (!next) {
        this.#log?.debug?.('dht-rpc: bucket refresh finished', { lookups: done.size, nodes: this.#table.count() })
        return
      }
      done.add(next.cpl)
      this.#stats.refreshes++
      const q = new Query(this.#context, { command: FIND_NODE, target: next.target },
        { concurrency: REFRESH_CONCURRENCY, askBootstrap: true, background: true })
      try {
        // every answer adds its sender to the table: stop once the range holds enough
        for await (const _ of q) if (this.#table.rangeSize(next.cpl) >= REFRESH_MIN_NODES) break
      } catch {}
    }
  }

  #bootstrapPeers (): Promise<Peer[]> {
    return this.#resolveBootstrap().then((r) => r.peers)
  }

  /** The bootstrap addresses, resolved, and the errors of those that did not resolve. */
  #resolveBootstrap (): Promise<ResolvedBootstrap> {
    // IP addresses (the usual case) are parsed again at each use: nothing kept per node
    const literal = this.#bootstrapResolved === null ? literalPeers(this.#bootstrapInput) : null
    if (literal !== null) return Promise.resolve({ peers: literal, errors: [] })
    if (!this.#bootstrapResolved) {
      const family = this.#codec.family
      const errors: unknown[] = []
      const resolved = Promise.all(this.#bootstrapInput.map(async (b) => {
        try {
          return await resolvePeer(toPeer(b), family)
        } catch (err) {
          errors.push(err)
          return null
        }
      })).then((list) => ({ peers: list.filter((p): p is Peer => p !== null), errors }))
      this.#bootstrapResolved = resolved
      // A failed lookup is retried on the next bootstrap.
      resolved.then((r) => {
        if (r.errors.length > 0 && this.#bootstrapResolved === resolved) this.#bootstrapResolved = null
      }, () => {})
    }
    return this.#bootstrapResolved
  }

  /**
   * Sends one request through its lane. A response that answered it (tid and sender matched)
   * and carries a valid id is the proof that the sender is at that address: only then does it
   * enter the routing table. Errors are `DHTError`s naming the node.
   */
  #request (msg: RequestMessage, to: Peer, opts?: RequestOptions): Promise<Answer>
  #request<T> (msg: RequestMessage, to: Peer, opts: RequestOptions, map: (answer: Answer) => T): Promise<T>
  #request (msg: RequestMessage, to: Peer, opts: RequestOptions = NO_REQUEST_OPTIONS, map: ((answer: Answer) => unknown) | null = null): Promise<unknown> {
    if (this.#destroyed) return Promise.reject(DHTError.DESTROYED())
    const lane = opts.lane === 'ping' ? this.#pingLane : this.#queryLane
    // the common case, a free slot and nobody waiting, costs no queue closure and no promise
    // beyond the request's own (this is the path of every request a node sends)
    if (opts.signal?.aborted !== true && lane.tryAcquire()) return this.#sendRequest(msg, to, opts, lane, map)
    return lane.run(() => this.#sendRequest(msg, to, opts, null, map), opts.signal, to)
  }

  /**
   * Sends a request now; `lane`, if given, is the slot to release when it settles. `map`, if
   * given, turns the answer into the result in the same step. The request is udp-request's
   * handler itself (`sendRequest`): one promise per request, no closures, and the answer reaches
   * the caller one microtask after it arrived.
   */
  #sendRequest (msg: RequestMessage, to: Peer, opts: RequestOptions, lane: FlowQueue | null, map: ((answer: Answer) => unknown) | null): Promise<unknown> {
    const forwarded = opts.forwarded === true
    const cmd = this.#stats.command(msg.command)
    cmd.requestsOut++
    this.#stats.requestsOut++
    // one clock read (about 50 ns on a VM) for the contact time and the RTT
    const sentAt = performance.now()
    if (opts.verification !== true) this.#noteContacted(to.host, to.port, sentAt)
    // a query carries the token that node gave us last, to prove our address (not an update)
    if (msg.roundtripToken == null && !forwarded) msg.proof = this.#proofs.get(to.host)
    // a host that gave us a token (the one an update carries, or a proof) answered lately: the
    // send goes unchecked on a dgram socket (udp-request's knownRoute), sparing a tick
    const knownRoute = !forwarded && (msg.roundtripToken != null || msg.proof != null)
    const settle = withResolvers<unknown>()
    const req = new SentRequest(this, msg.command, cmd, to, opts, lane, map, sentAt, settle)
    // our options are a superset of udp-request's (signal, forwarded, retry, timeout)
    this.#io.sendRequest(msg, to, knownRoute ? withKnownRoute(opts) : opts, req)
    return settle.promise
  }

  /**
   * udp-request calls this inside the socket's `message` event: whatever throws here (a listener
   * of `add-node` or `observed-address`, `map`) rejects the request, as it did in a `.then()`,
   * instead of escaping into the socket.
   */
  #answered (req: SentRequest, res: Answer): void {
    req.lane?.release()
    req.cmd.responsesIn++
    this.#stats.responsesIn++
    let result: unknown = res
    try {
      if (req.opts.forwarded !== true) {
        if (req.opts.retry !== true) this.#rtt.update(performance.now() - req.sentAt)
        if (res.value.roundtripToken != null) this.#proofs.set(res.peer.host, res.value.roundtripToken)
        if (validId(res.value.id)) this.#table.add(res.value.id, res.peer, this.#tick)
        if (this.listenerCount('observed-address') > 0) this.#observed(req.command, res.value, res.peer)
      }
      if (req.map !== null) result = req.map(res)
    } catch (err) {
      return req.settle.reject(err instanceof Error ? err : new Error(String(err)))
    }
    req.settle.resolve(result)
  }

  #failed (req: SentRequest, err: Error): void {
    req.lane?.release()
    req.settle.reject(this.#requestError(req, err))
  }

  #requestError ({ to, opts, cmd }: SentRequest, err: Error): DHTError {
    const peer = { host: to.host, port: to.port }
    if (UDPRequestError.isInstance(err)) {
      if (err.code === 'REQUEST_TIMEOUT') {
        cmd.timeouts++
        this.#stats.timeouts++
        return DHTError.REQUEST_TIMEOUT(err, peer)
      }
      this.#stats.failures++
      if (err.code === 'DESTROYED') return DHTError.DESTROYED()
      if (err.code === 'REQUEST_CANCELLED') return opts.signal?.aborted === true ? DHTError.ABORTED(opts.signal.reason) : DHTError.REQUEST_CANCELLED(err, peer)
      return DHTError.REQUEST_FAILED(err, peer)
    }
    this.#stats.failures++
    return DHTError.REQUEST_FAILED(err, peer)
  }

  /** The timeout of a query request: adaptive (see `MIN_ADAPTIVE_TIMEOUT`), or the node's. */
  #queryTimeout (): number | undefined {
    if (!this.#adaptive) return undefined
    const t = this.#rtt.timeout(MIN_ADAPTIVE_TIMEOUT, this.#timeout)
    return t >= this.#timeout ? undefined : t
  }

  /**
   * A contact of our table timed out in a query. One that keeps timing out is dropped (re-added
   * when heard from again); the first timeout also gets it a ping with the full timeout, and
   * failing that it goes at once, so that dead contacts do not stay for many lookups. Timeouts
   * while that ping is out count for nothing: a contact slow for a moment (past the adaptive
   * timeout) times out in every query in flight at once, and that is one piece of evidence.
   */
  #onQueryTimeout (id: Uint8Array, peer: Peer): void {
    if (this.#checking.has(peer.host + ':' + peer.port) || this.#table.failed(id, peer)) return
    this.#checkContact(id, peer)
  }

  /**
   * Pings a node that went silent (with the full timeout); a contact of our table that stays so
   * is removed. Also for a contact whose overdue answer a walk ended without: no timeout of its
   * request will come, and a contact that merely was slow answers the ping.
   */
  #checkContact (id: Uint8Array, peer: Peer): void {
    const key = peer.host + ':' + peer.port
    if (this.#checking.has(key) || this.#checking.size >= MAX_VERIFYING || this.#destroyed) return
    this.#checking.add(key)
    this.#request({ command: PING, id: this.queryId }, peer, { lane: 'ping' }).then(() => {}, (err: unknown) => {
      if (!notAnswering(err)) return
      if (this.#table.knownAt(id, peer) === true) this.#table.remove(id)
    }).finally(() => this.#checking.delete(key))
  }

  #noteContacted (host: string, port: number, now: number): void {
    // a host decoded from a message: keep the process-wide copy of its string
    this.#contacted.note(internHost(host), port, contactTime(now))
  }

  #contactedHost (host: string, now: number): boolean {
    return this.#contacted.hasHost(host, contactTime(now))
  }

  /** Our address as `from` saw it: the `to` field (our nodes), or a `_ping`'s value (any node). */
  #observed (command: string, res: ResponseMessage, from: Peer): void {
    const address = this.#codec.decodePeer(res.to) ?? (command === PING ? this.#codec.decodePeer(res.value) : null)
    if (address !== null) this.emit('observed-address', address, { host: from.host, port: from.port })
  }

  async #holepunch (to: Peer, referrer: Peer, signal?: AbortSignal): Promise<NodeInfo> {
    this.#stats.holepunches.requested++
    this.#log?.debug?.('dht-rpc: holepunch requested', { host: to.host, port: to.port, referrer: `${referrer.host}:${referrer.port}` })
    // The answer comes from the punched node, not from the referrer we send to: match on tid alone.
    const msg = { command: PING, id: this.queryId, forwardRequest: this.#codec.encodePeer(to) }
    const { value, peer } = await this.#request(msg, referrer, { signal, forwarded: true })
    return { id: validId(value.id) ? value.id : null, host: peer.host, port: peer.port }
  }

  /**
   * A request carried an id. With a roundtrip token we issued to its host, its address is
   * proven: it enters (or refreshes) the table. Without one, the sender may be spoofed: it is
   * refreshed only if the table already holds that id at that address, else pinged, and the
   * answer (a matched response) adds it.
   */
  #learn (id: Uint8Array, peer: RequestPeer, verified: boolean): void {
    if (bytesEqual(id, this.id)) return
    if (verified) {
      this.#table.add(id, peer, this.#tick)
      return
    }
    const known = this.#table.knownAt(id, peer)
    if (known !== null) {
      if (known) this.#table.add(id, peer, this.#tick)
      return
    }
    const key = peer.host + ':' + peer.port
    if (this.#verifying.has(key) || this.#verifying.size >= MAX_VERIFYING || !this.#bound()) return
    // a full bucket of fresh contacts would turn it away after the ping: spare the ping (after
    // the checks above: this one scans the table, and a flood of ids must not pay for it)
    if (!this.#table.admits(id, peer.host, this.#tick, FRESH_TICKS)) {
      this.#stats.verificationsSkipped++
      return
    }
    this.#verifying.add(key)
    this.#stats.verifications++
    this.#request({ command: PING, id: this.queryId }, peer, { lane: 'ping', verification: true })
      .catch(() => {})
      .finally(() => this.#verifying.delete(key))
  }

  /** A contact of our routing table at exactly this address. */
  #knows (peer: Peer): boolean {
    return this.#table.hasAddress(peer.host, peer.port)
  }

  /**
   * One upkeep round. One that removed contacts while some answer reached us (so our own link
   * works: offline, every ping fails, and rounds every tick would empty the table in minutes)
   * keeps the rounds coming every tick (`CHURN_CHECK_TICKS`).
   */
  #pingSome (count: number): void {
    const heard = this.#stats.responsesIn
    pingSome(this.#context, count).then((removed) => {
      if (removed > 0 && this.#stats.responsesIn > heard) this.#churnCheckUntil = this.#tick + CHURN_CHECK_TICKS
    }, () => {})
  }

  #startTimers (): void {
    this.#tickTimer = setInterval(this.#ontick, TICK_INTERVAL)
    if (this.#unrefed) this.#tickTimer.unref()
  }

  #stopTimers (): void {
    if (this.#tickTimer) clearInterval(this.#tickTimer)
    if (this.#rebootstrapTimer) clearTimeout(this.#rebootstrapTimer)
    this.#tickTimer = this.#rebootstrapTimer = null
  }

  #ontick = (): void => {
    this.#tick++
    // the token secret rotates on the maintenance tick (one timer a node, not two)
    if (this.#tick % SECRET_ROTATE_TICKS === 0) this.#tokens.rotate()
    if (this.#tick < this.#churnCheckUntil) this.#pingSome(CHURN_CHECK_PINGS)
    else if (this.#tick % PING_EVERY_TICKS === 0) this.#pingSome(UPKEEP_PINGS)
    if (this.#tick % REBOOTSTRAP_TICKS === 0 && this.#bootstrapped && this.#table.count() < this.#table.k &&
      this.#bootstrapInput.length > 0) {
      this.#bootstrap().catch(() => {})
    } else if (this.#tick % REFRESH_TICKS === 0 && this.#bootstrapped && !this.#bootstrapping && !this.#refreshing) {
      this.#refreshing = this.#refreshBuckets().catch(() => {}).finally(() => { this.#refreshing = null })
    }
  }

  #onrequest = (req: RequestMessage, peer: RequestPeer): void => {
    if (this.#destroyed) return
    this.#stats.requestsIn++
    const known = req.command === PING || req.command === FIND_NODE || this.#commands.has(req.command)
    this.#stats.command(known ? req.command : '*').requestsIn++
    if (req.value != null && req.value.length > this.maxValueSize) {
      this.#context.drop('tooLarge', peer, req.command)
      return
    }
    try {
      const update = this.#tokens.verify(req.roundtripToken, peer.host)
      if (!update) req.roundtripToken = null
      // proven: a token of ours came back, as an update or as a query's `proof`
      const proven = update || (req.proof != null && this.#tokens.verify(req.proof, peer.host))
      // Forwarded requests carry the requester's id but the referrer's address: don't learn from those.
      if (validId(req.id) && !req.forwardResponse && !req.forwardRequest) this.#learn(req.id, peer, update)
      handleRequest(this.#context, req, peer, update, proven)
    } catch (err) {
      this.#log?.warn?.('dht-rpc: request failed', { command: req.command, host: peer.host, port: peer.port, error: errorMessage(err) })
      this.emit('warning', err instanceof Error ? err : new Error(String(err)))
    }
  }

  #onwarning = (err: UDPRequestError): void => {
    this.emit('warning', err)
  }

  /** udp-request reports only fatal socket errors here (transient ones are warnings). */
  #onsocketerror = (err: Error): void => {
    if (this.#destroyed) return
    const error = DHTError.SOCKET_ERROR(err)
    this.#log?.warn?.('dht-rpc: socket failed, destroying the node', { error: errorMessage(err) })
    void this.destroy()
    if (this.listenerCount('error') > 0) this.emit('error', error)
  }

  #respond (command: string, res: ResponseMessage, to: RequestPeer, proven: boolean): void {
    if (this.#destroyed) return
    // every answer tells the requester the address we see it at (our extension: NAT sampling);
    // a `_ping`'s value already is that address
    if (command !== PING) res.to = this.#codec.encodePeerOrNull(to)
    if (!proven && !this.#withinBudget(res, to.host)) return
    this.#stats.responsesOut++
    const known = command === PING || command === FIND_NODE || this.#commands.has(command)
    this.#stats.command(known ? command : '*').responsesOut++
    try {
      this.#io.response(res, to)
    } catch (err) {
      this.#log?.warn?.('dht-rpc: response failed', { command, host: to.host, port: to.port, error: errorMessage(err) })
      if (this.listenerCount('warning') > 0) this.emit('warning', err instanceof Error ? err : new Error(String(err)))
    }
  }

  /**
   * An answer to an address that has not proven it receives there (no roundtrip token): at most
   * its amplification budget. Over it, the answer is cut down (nodes first, then the value: large
   * answers go to token holders) or, if even that does not fit, not sent. Charges what is sent.
   */
  #withinBudget (res: ResponseMessage, host: string): boolean {
    const guard = this.#guard
    if (guard.amplification === null) return true
    const now = performance.now()
    const allowance = guard.allowance(host, now)
    let size = HEADER_BYTES + responseEncoding.encodingLength(res)
    if (size > allowance) {
      const nodes = res.nodes
      if (nodes != null && nodes.byteLength > 0) {
        const per = this.#codec.nodeBytes
        const keep = Math.max(0, Math.floor((allowance - (size - nodes.byteLength) - 3) / per))
        res.nodes = keep > 0 ? nodes.subarray(0, keep * per) : null
        size = HEADER_BYTES + responseEncoding.encodingLength(res)
      }
      if (size > allowance && res.value != null) {
        res.value = null
        size = HEADER_BYTES + responseEncoding.encodingLength(res)
      }
      if (size > allowance) {
        guard.stats.refused++
        this.#stats.drop('amplification')
        return false
      }
      guard.stats.trimmed++
    }
    guard.charge(host, size, now)
    return true
  }

  static {
    internal = {
      ephemeral: (d) => d.#ephemeral,
      destroyed: (d) => d.#destroyed,
      userQueries: (d) => d.#userQueries,
      tick: (d) => d.#tick,
      bootstrapped: (d) => d.#bootstrapped,
      inflightQueries: (d) => d.#queries?.size ?? 0,
      respond: (d, command, res, to, proven) => d.#respond(command, res, to, proven),
      drop: (d, reason, peer, command, err) => d.#drop(reason, peer, command, err),
      onholepunch: (d, from, to) => {
        d.#log?.debug?.('dht-rpc: holepunch relayed', { host: from.host, port: from.port, to: `${to.host}:${to.port}` })
        d.emit('holepunch', from, to)
      },
      mayRelay: (d, from, to) => {
        if (!d.#knows(to) && d.#relayFilter?.(to) !== true) return false
        const now = performance.now()
        d.#relayPerSource ??= new RateLimiter({ rate: RELAY_RATE, burst: RELAY_BURST })
        d.#relayTotal ??= new RateLimiter({ rate: RELAY_TOTAL_RATE, burst: RELAY_TOTAL_BURST, maxKeys: 1 })
        return d.#relayPerSource.take(from.host, now) && d.#relayTotal.take('', now)
      },
      acceptsRelayFrom: (d, referrer) => d.hasContacted(referrer) || d.#knows(referrer),
      bootstrapPeers: (d) => d.#bootstrapPeers(),
      request: (d, msg, to, signal, kind) => {
        // (see RequestKind) the adaptive timeout makes a silent node cost about what answers take
        // here; a commit's copies go out on that timeout's schedule (with a 200 ms one: at 0,
        // 300, 550 and 1000 ms, given up at 1650 ms)
        const opts: RequestOptions = kind === 'walk'
          ? { signal, timeout: d.#queryTimeout() }
          : kind === 'commit' ? { signal, retry: true, timeout: d.#queryTimeout() } : { signal, retry: true }
        return d.#bound() ? d.#request(msg, to, opts) : d.#ensureListening().then(() => d.#request(msg, to, opts))
      },
      holepunch: (d, to, referrer, signal) => d.#holepunch(to, referrer, signal),
      // (see MIN_OVERDUE: where srtt + 4 rttvar exceeds the timeout, the timeout comes first)
      overdueAfter: (d) => d.#adaptive ? d.#rtt.bound(MIN_OVERDUE) : null,
      // only a contact of ours: that is what the check may remove
      requestOverdue: (d, c) => { if (c.id !== null && d.#table.knownAt(c.id, c) === true) d.#checkContact(c.id, c) },
      // see DHTOptions.holepunchPolicy: with 'reference-referrers', our nodes' referrals are
      // table contacts, reachable servers, so one that is silent is gone rather than NATed
      shouldHolepunch: (d, c) => d.#punchOurReferrals || c.referredByOurs !== true,
      requestFailed: (d, c, err) => {
        if (c.id === null || err.code !== 'REQUEST_TIMEOUT') return
        d.#onQueryTimeout(c.id, c)
      },
      queryStarted: (d, q) => {
        ;(d.#queries ??= new Set()).add(q)
        if (!q.background) d.#userQueries++
      },
      queryEnded: (d, q) => {
        const queries = d.#queries
        if (queries === null || !queries.delete(q)) return
        if (!q.background) d.#userQueries--
        if (queries.size === 0) d.#queries = null
      },
      // upkeep's pings are retransmitted (as a bootstrap request is: copies at 0, 1.5, 2.75 and
      // 5 s): one lost datagram must not cost a live contact its place (under 10% loss, 1 check
      // in 5 would); a dead contact goes after ~8 s instead of ~1 s, which upkeep can afford
      ping: (d, node) => d.#request({ command: PING, id: d.queryId }, node, { lane: 'ping', retry: true }),
      nodeAdded: (d, node) => {
        d.#log?.debug?.('dht-rpc: node added', { id: toHex(node.id), host: node.host, port: node.port })
        d.emit('add-node', node)
      },
      nodeRemoved: (d, node) => {
        d.#log?.debug?.('dht-rpc: node removed', { id: toHex(node.id), host: node.host, port: node.port })
        d.emit('remove-node', node)
      },
      answered: (d, req, res) => { d.#answered(req, res) },
      failed: (d, req, err) => { d.#failed(req, err) }
    }
  }

  #drop (reason: DropReason, peer: Peer, command: string, err?: unknown): void {
    this.#stats.drop(reason)
    if (reason === 'handlerError') {
      this.#log?.warn?.('dht-rpc: command handler failed', { command, host: peer.host, port: peer.port, error: errorMessage(err) })
    } else {
      this.#log?.debug?.('dht-rpc: request dropped', { reason, command, host: peer.host, port: peer.port })
    }
  }

  /**
   * What request handlers, queries and table upkeep see of this node: one object for the three,
   * made in the constructor. A field, not a getter: V8 (Node 20) does not inline private
   * accessors, and the handlers' context is read for every request received.
   */
  #context!: NodeContext
}

/** An emitter whose events can be forwarded (see {@link forwardWhileListened}). */
export interface ForwardSource {
  on (e: string | symbol, f: (...a: never[]) => void): unknown
  off (e: string | symbol, f: (...a: never[]) => void): unknown
}

/**
 * Listens to `source`'s `event` with `handler` only while `target` itself has listeners for it,
 * so that a source which builds its event lazily (udp-request's warnings) builds nothing when
 * nobody would see it.
 *
 * `forwardWhileListened(target, sourceOf)`: the same for every event `sourceOf(event)` names a
 * source for, re-emitted on `target` under the same name (with one pair of listeners on `target`
 * for them all, and a forwarder made only while that event is listened to).
 */
export function forwardWhileListened (target: EventEmitter, sourceOf: (event: string | symbol) => ForwardSource | null): void
export function forwardWhileListened (target: EventEmitter, source: ForwardSource, event: string, handler: (...a: never[]) => void): void
export function forwardWhileListened (target: EventEmitter, source: ForwardSource | ((event: string | symbol) => ForwardSource | null), event?: string, handler?: (...a: never[]) => void): void {
  if (typeof source !== 'function') {
    let attached = false
    target.on('newListener', (name: string | symbol) => {
      if (name !== event || attached) return
      attached = true
      source.on(event, handler!)
    })
    target.on('removeListener', (name: string | symbol) => {
      if (name !== event || !attached || target.listenerCount(event) > 0) return
      attached = false
      source.off(event, handler!)
    })
    return
  }
  let forwarders: Map<string | symbol, (...a: never[]) => void> | null = null
  target.on('newListener', (name: string | symbol) => {
    if (forwarders?.has(name) === true) return
    const from = source(name)
    if (from === null) return
    const forward = (...args: never[]): boolean => target.emit(name, ...args)
    ;(forwarders ??= new Map()).set(name, forward)
    from.on(name, forward)
  })
  target.on('removeListener', (name: string | symbol) => {
    const forward = forwarders?.get(name)
    if (forward === undefined || target.listenerCount(name) > 0) return
    forwarders!.delete(name)
    source(name)?.off(name, forward)
  })
}

/** An address option (`'host:port'`, `':port'`, `'[v6]:port'`, a port, `{ host, port }`) as a peer, via ip-encoding's `parseAddress`. */
function toPeer (addr: string | number | Peer): Peer {
  try {
    return parseAddress(addr, DEFAULT_PORT)
  } catch (err) {
    throw DHTError.INVALID_ARGUMENT(`invalid address ${typeof addr === 'object' ? JSON.stringify(addr) : String(addr)}`, err)
  }
}

function positiveInteger (value: number, name: string): number {
  if (!Number.isInteger(value) || value < 1) throw DHTError.INVALID_ARGUMENT(`${name} must be a positive integer`)
  return value
}

interface ResolvedBootstrap {
  peers: Peer[]
  errors: unknown[]
}

/** Why no bootstrap address resolved: the one error, or all of them. */
function resolveFailure (errors: unknown[]): unknown {
  return errors.length === 1 ? errors[0] : new AggregateError(errors, 'No bootstrap host resolved')
}

/** The bootstrap addresses as peers if every one is an IP address (no DNS), else `null`. */
function literalPeers (input: Array<string | number | Peer>): Peer[] | null {
  const peers: Peer[] = []
  for (const b of input) {
    let peer: Peer
    try {
      peer = toPeer(b)
    } catch {
      return null
    }
    if (addressFamily(peer.host) === 0) return null
    peers.push(peer)
  }
  return peers
}

async function resolvePeer (peer: Peer, family: 4 | 6): Promise<Peer> {
  if (addressFamily(peer.host) !== 0) return peer
  const { address } = await lookup(peer.host, { family })
  return { host: address, port: peer.port }
}

/**
 * The context of a DHT's request handlers, queries and table upkeep, in one object: what they read
 * of the DHT's state is read live, what they do calls into the DHT, all through methods on this
 * prototype (a context of closures cost ~1 KB a node).
 */
class NodeContext implements HandlerContext, QueryContext, UpkeepContext, RoutingTableListener {
  readonly id: Uint8Array
  readonly concurrency: number
  constructor (
    readonly owner: DHT,
    readonly io: UDPRequest<RequestMessage, ResponseMessage>,
    readonly table: RoutingTable,
    readonly tokens: Tokens,
    readonly codec: AddressCodec,
    readonly stats: Stats,
    readonly commands: Map<string, CommandHandlers>
  ) {
    this.id = owner.id
    this.concurrency = owner.concurrency
  }

  get queryId (): Uint8Array | null { return this.owner.queryId }
  get ephemeral (): boolean { return internal.ephemeral(this.owner) }
  get destroyed (): boolean { return internal.destroyed(this.owner) }
  get userQueries (): number { return internal.userQueries(this.owner) }
  get tick (): number { return internal.tick(this.owner) }
  get bootstrapped (): boolean { return internal.bootstrapped(this.owner) }
  get inflightQueries (): number { return internal.inflightQueries(this.owner) }

  respond (command: string, res: ResponseMessage, to: RequestPeer, proven: boolean): void { internal.respond(this.owner, command, res, to, proven) }
  drop (reason: DropReason, peer: Peer, command: string, err?: unknown): void { internal.drop(this.owner, reason, peer, command, err) }
  onholepunch (from: Peer, to: Peer): void { internal.onholepunch(this.owner, from, to) }
  mayRelay (from: Peer, to: Peer): boolean { return internal.mayRelay(this.owner, from, to) }
  acceptsRelayFrom (referrer: Peer): boolean { return internal.acceptsRelayFrom(this.owner, referrer) }

  bootstrapPeers (): Promise<Peer[]> { return internal.bootstrapPeers(this.owner) }
  request (msg: RequestMessage, to: Peer, signal: AbortSignal, kind: RequestKind): Promise<{ value: ResponseMessage, peer: RequestPeer }> {
    return internal.request(this.owner, msg, to, signal, kind)
  }

  holepunch (to: Peer, referrer: Peer, signal: AbortSignal): Promise<NodeInfo> { return internal.holepunch(this.owner, to, referrer, signal) }
  shouldHolepunch (c: Candidate): boolean { return internal.shouldHolepunch(this.owner, c) }
  overdueAfter (): number | null { return internal.overdueAfter(this.owner) }
  requestOverdue (c: Candidate): void { internal.requestOverdue(this.owner, c) }
  requestFailed (c: Candidate, err: DHTError): void { internal.requestFailed(this.owner, c, err) }
  queryStarted (q: Query<unknown>): void { internal.queryStarted(this.owner, q) }
  queryEnded (q: Query<unknown>): void { internal.queryEnded(this.owner, q) }

  ping (node: TableNode): Promise<unknown> { return internal.ping(this.owner, node) }

  nodeAdded (node: TableNode): void { internal.nodeAdded(this.owner, node) }
  nodeRemoved (node: TableNode): void { internal.nodeRemoved(this.owner, node) }
  bucketFull (oldContacts: TableNode[], newContact: TableNode): void { onBucketFull(this, oldContacts, newContact) }
}

/** A set of strings that keeps no `Set` while it is empty (most of a node's life). */
class SparseSet {
  #set: Set<string> | null = null

  get size (): number {
    return this.#set?.size ?? 0
  }

  has (key: string): boolean {
    return this.#set?.has(key) === true
  }

  add (key: string): void {
    (this.#set ??= new Set()).add(key)
  }

  delete (key: string): void {
    if (this.#set?.delete(key) === true && this.#set.size === 0) this.#set = null
  }
}

/** Ticks between two rotations of the token secret. */
const SECRET_ROTATE_TICKS = Math.max(1, Math.round(SECRET_ROTATE_INTERVAL / TICK_INTERVAL))

/**
 * Contact times are whole ms of `performance.now()` (the guard's times are its unrounded ms):
 * small integers, exact also when packed with a port (see `Contacted`), and monotonic, as the
 * rate limits' times are (a wall clock set back would stall their refill).
 */
function contactTime (now: number): number {
  return Math.floor(now)
}
