import type { Peer } from '@hyperdht-ts/ip-encoding'
import type { DatagramSocket, Logger } from '@hyperdht-ts/udp-request'
import type { DHTError } from './errors.js'
import type { DiversityLimits } from './routing/table.js'
import type { AmplificationOptions, RateLimitOptions } from './io/guard.js'

/** A UDP endpoint `{ host, port }` (ip-encoding's `Peer`, the one type of the whole stack). */
export type { Peer }

/** A node of the DHT: an endpoint and (unless it is ephemeral) its 32-byte id. */
export interface NodeInfo extends Peer {
  id: Uint8Array | null
}

/** A node with a known id (what the routing table and query results hold). */
export interface Node extends Peer {
  id: Uint8Array
}

/** What a command handler receives. */
export interface CommandRequest {
  /** The sender: its id is `null` when it is ephemeral. */
  node: NodeInfo
  command: string
  /** The 32-byte target of the request. */
  target: Uint8Array
  value: Uint8Array | null
}

/**
 * A handler's answer: bytes to put in the response's `value`, nothing (a response without a
 * value), or `false` (no response at all, on purpose: not counted as a handler error).
 */
export type CommandReply = Uint8Array | null | undefined | void | false

/** Handlers of one application command. A handler that throws (or rejects) sends no response. */
/**
 * The handlers of a command, called as methods of this object (`this` is it), so that one object,
 * a class instance say, can serve several commands (`q.command` tells which).
 */
export interface CommandHandlers {
  /** Called for requests without a valid roundtrip token. */
  query?: (q: CommandRequest) => CommandReply | Promise<CommandReply>
  /** Called for requests carrying a roundtrip token this node issued to the sender's host. */
  update?: (q: CommandRequest) => CommandReply | Promise<CommandReply>
  /**
   * Also answered in client mode (`ephemeral`), where a node answers nothing but `_ping` and
   * these (signalling a client must receive, such as holepunch coordination). @default false
   */
  client?: boolean
  /**
   * A routing command takes a 32-byte `target` and answers with our closest `nodes` to it, so
   * that queries walk through us. `false`: a point-to-point command, `target` optional (up to 64
   * bytes, `q.target` empty when absent), no `nodes` in the answer. @default true
   */
  routing?: boolean
}

/** One response of a query or update. */
export interface QueryResult {
  node: Node
  value: Uint8Array | null
  /** The roundtrip token the node issued us: send it back (`dht.request(..., { token })`) to prove our address. */
  token: Uint8Array | null
}

/** What `dht.query()` / `dht.update()` send. */
export interface QueryMessage {
  command: string
  /** 32 bytes. */
  target: Uint8Array
  value?: Uint8Array | null
}

export interface QueryOptions<T = QueryResult> {
  /** Ask exactly these nodes instead of walking the DHT towards the target. */
  nodes?: Array<Peer & { id?: Uint8Array | null, roundtripToken?: Uint8Array | null }>
  /** Stops the query; it then ends with an `ABORTED` error. */
  signal?: AbortSignal
  /** Requests in flight for this query. @default the DHT's `concurrency` */
  concurrency?: number
  /**
   * Requests in flight of a walk while it converges: until the closest nodes it knows answered,
   * a candidate that is not near enough to be among the k closest waits while this many are in
   * flight. At most `concurrency`; set it to `concurrency` to ask every candidate as soon as a
   * slot is free (more requests, the same number of round trips). @default 3
   */
  alpha?: number
  /**
   * Transform (or drop, by returning `null`/`undefined`) each result before it is yielded. If it
   * throws, the query ends with `QUERY_FAILED` (the thrown error as `cause`).
   */
  map?: (result: QueryResult) => T | null | undefined
  /** Punch through the referrer when a node learnt from it times out, then ask it again. @default true */
  holepunching?: boolean
}

export interface UpdateOptions<T = QueryResult> extends QueryOptions<T> {
  /** Also yield (resolve with) the results of the query phase, not only the commits. @default false */
  query?: boolean
}

export interface DHTOptions {
  /** 32-byte node id. @default random */
  id?: Uint8Array
  /** Never send our id, so that nobody adds us to a routing table. Switchable at run time. @default false */
  ephemeral?: boolean
  /** Nodes to bootstrap from: `'host:port'`, `':port'` (localhost), a port number, or `{ host, port }`. Host names are resolved. */
  bootstrap?: Array<string | number | Peer> | string | Peer
  /** Requests in flight per query (each query's own cap; `query()` may override it). @default 16 */
  concurrency?: number
  /**
   * Node-wide window of query requests in flight, all queries together (further requests queue).
   * Pings (user pings, table upkeep) have a lane of their own and never wait behind queries.
   * @default 128
   */
  maxInflight?: number
  /**
   * Largest request `value` in bytes: larger incoming requests are dropped (and counted), larger
   * outgoing ones refused with `VALUE_TOO_LARGE`. @default 16384
   */
  maxValueSize?: number
  /** A socket to use instead of a new `dgram` one (e.g. the in-memory transport of `./testnet`). */
  socket?: DatagramSocket
  /** Port `listen()` / `ready()` bind when none is given. @default 0 (random) */
  port?: number
  /** Host `listen()` / `ready()` bind when none is given. @default all interfaces */
  host?: string
  /** Speak IPv6 encodings (18-byte peers, 50-byte nodes) on a udp6 socket. @default false */
  ipv6?: boolean
  /**
   * IP diversity limits of the routing table: at most `maxPer24PerBucket` contacts of one /24
   * per bucket (default 2) and `maxPer16` of one /16 in the whole table (default 10); IPv6 uses
   * /48 and /32. Keeps Sybils on few addresses out. On loopback test networks give every node
   * its own 127.x.y.z address (Linux routes all of 127/8) rather than loosening these.
   */
  diversity?: Partial<DiversityLimits>
  /**
   * Per-source-IP rate limit of incoming requests (libtorrent's defaults: 5 a second sustained,
   * a burst of 50; a source that keeps sending past it is ignored for 5 minutes). Excess
   * requests are dropped before decoding and counted (`stats.dropped.rateLimited`). `false`
   * turns it off (a benchmark of raw capacity; never on the internet).
   */
  rateLimit?: Partial<RateLimitOptions> | false
  /**
   * Bound on what we send an address that has not proven it receives there (no roundtrip token):
   * `factor` (3) times what it sent us plus a small budget (2048 bytes, refilling 512 a second).
   * Over it, answers are trimmed (nodes, then value) or not sent (`stats.dropped.amplification`).
   * `false` turns it off.
   */
  amplification?: Partial<AmplificationOptions> | false
  /** Nodes to put in the routing table at start (trusted: not verified, but diversity limits apply). */
  nodes?: Node[]
  /** Request timeout in ms (udp-request ticks at a quarter of it). @default 1000 */
  timeout?: number
  /**
   * Query requests time out after `srtt + 4 * rttvar` of this node's measured round trips (at
   * least 200 ms, at most `timeout`) instead of always `timeout`: a silent or lost node costs a
   * lookup about what answers take. Pings (table upkeep) always get the full `timeout`.
   * @default true
   */
  adaptiveTimeouts?: boolean
  /**
   * When a node learnt during a query times out, whom to punch through its referrer for:
   * `'always'` (the reference behaviour: any referrer's table may hold nodes behind NATs), or
   * `'reference-referrers'`: only nodes referred by reference nodes, since ours (answers carrying
   * the `to` field) refer only servers of their tables, so that a silent one is gone, not NATed.
   * HyperDHT, whose nodes keep NATed peers out of tables, uses the latter. @default 'always'
   */
  holepunchPolicy?: 'always' | 'reference-referrers'
  /** Query requests that may wait behind the node-wide window before `QUEUE_FULL` is thrown. @default 16384 */
  maxQueue?: number
  /**
   * Where to log (the library never prints): bootstrap start and outcome (info, warn on failure),
   * nodes added and removed, bucket refreshes, holepunches, dropped requests (debug), handler
   * errors (warn), and udp-request's entries (dropped datagrams, failed sends), to which it is
   * passed. `console` fits. @default none: nothing is logged
   */
  logger?: Logger
}

/** The outcome of a bootstrap: what `ready()` and `bootstrap()` resolve to, and `node.bootstrapResult`. */
export interface BootstrapResult {
  /** Nodes in the routing table when the bootstrap finished. */
  nodes: number
  /** Nodes that answered the bootstrap lookup (0 when there was nobody to ask). */
  responses: number
  /**
   * `BOOTSTRAP_FAILED` when bootstrap nodes were configured and none answered or none resolved
   * (`cause`: the DNS error, or `NO_NODES_RESPONDED`); `null` otherwise, also for the first node of
   * a network (no bootstrap nodes). The node keeps running and retries about every minute.
   */
  error: DHTError | null
}
