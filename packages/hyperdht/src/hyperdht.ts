import { EventEmitter } from 'node:events'
import { isIPv4 } from 'node:net'
import { networkInterfaces } from 'node:os'
import { DHT, forwardWhileListened, type BootstrapResult, type QueryResult } from '@hyperdht-ts/dht-rpc'
import { Holepuncher, type Connection, type Mode, type NatType, type PortMappingState, type Reachability } from '@hyperdht-ts/holepunch'
import { ipv4Peers, ipv6Peers, lanPeer } from '@hyperdht-ts/ip-encoding'
import { Announcer } from './announcer.js'
import { connectToPeers, Server } from './connections.js'
import { CapLog, type StoreCap } from './cap-log.js'
import {
  IMMUTABLE_COMMAND,
  KEY_LENGTH,
  MAX_SALT_SIZE,
  MAX_VALUE_SIZE,
  MUTABLE_COMMAND,
  PEERS_ANNOUNCE,
  PEERS_COMMAND,
  PEERS_LOOKUP,
  PEERS_UNANNOUNCE,
  PUBLIC_KEY_LENGTH,
  SECRET_KEY_LENGTH,
  SEED_LENGTH
} from './constants.js'
import { bytesEqual, toHex } from '@hyperdht-ts/dht-rpc'
import { createKeyPair, mutableTarget, sha256, signable, signDetached, verifyDetached, type KeyPair } from './crypto.js'
import { HyperDHTError } from './errors.js'
import { processPeers, StoreCommands, type StoreCommandsOptions } from './handlers.js'
import {
  immutablePut,
  immutableValue,
  lanAddressNumber,
  mutableRecord,
  mutableRequest,
  peersRequest,
  peersResponse,
  putResponse,
  PUT_SEQ_TOO_LOW,
  PUT_STORED,
  type PeersRequestMessage
} from './messages/index.js'
import type { PeerStore } from './store/peer-store.js'
import type { ValueStore } from './store/value-store.js'
import type {
  AnnounceOptions,
  AnnounceResult,
  AnnouncerOptions,
  HyperDHTEvents,
  HyperDHTOptions,
  ImmutableGetResult,
  ImmutablePutResult,
  LookupOptions,
  LookupResult,
  MutableGetOptions,
  MutableGetResult,
  MutablePutOptions,
  MutablePutResult,
  ConnectOptions,
  ListenOptions,
  NodeRef,
  Peer
} from './types.js'

/** The holepuncher's events a node re-emits. */
const FORWARDED = new Set<string | symbol>(['mode', 'nat', 'reachability', 'portmapping'])
/** Before `listen()`'s second try of a first announce that no node stored (dht-rpc's rate limit refills 5 requests a second). */
const LISTEN_RETRY_DELAY = 1000

/**
 * A DHT node that stores and finds peers under 32-byte keys (the `peers` command of
 * hyperdht@1.3.0) and stores verified values (the `immutable` and `mutable` extensions).
 */
export class HyperDHT extends EventEmitter<HyperDHTEvents> {
  /** The dht-rpc node underneath. */
  readonly dht: DHT
  /** NAT sampling, reachability, client/server mode, punching and connections. */
  readonly holepuncher: Holepuncher
  #now: () => number
  #ipv6: boolean
  /** Created by the first announcer. */
  #announcers: Set<Announcer> | null = null
  #destroyed = false
  #ctx: StoreCommands

  constructor (opts: HyperDHTOptions = {}) {
    super()
    // the store options (kept in `opts` for the stores, created on first use) are not dht-rpc's
    const {
      peerMaxAge: _1, maxPeers: _2, maxPeerKeys: _3, maxPeersPerKey: _4, maxPeersPerHost: _5, maxPeerBytes: _6,
      valueMaxAge: _7, maxValues: _8, maxValuesPerHost: _9, maxValueBytes: _10,
      now, mode, holepunch,
      ...dhtOpts
    } = opts
    // our nodes keep NATed peers out of their tables: a silent node one of them referred is gone
    this.dht = new DHT({ holepunchPolicy: 'reference-referrers', ...dhtOpts })
    // The dht-rpc node's warnings and readiness and the holepuncher's events are ours: forwarded
    // as they are while someone listens (one pair of listeners for them all, no forwarder per
    // event unheard)
    forwardWhileListened(this, (event) => event === 'warning' || event === 'ready' ? this.dht : FORWARDED.has(event) ? this.holepuncher : null)
    this.dht.on('error', (err) => this.#onerror(err))
    this.dht.on('close', () => this.#onclose())
    this.#now = now ?? Date.now
    this.#ipv6 = dhtOpts.ipv6 === true
    this.#ctx = new StoreCommands({
      stores: opts,
      now: this.#now,
      codec: this.#ipv6 ? ipv6Peers : ipv4Peers,
      emitter: this as unknown as StoreCommandsOptions['emitter'],
      ...(opts.logger === undefined ? {} : { capHit: (cap: StoreCap, host: string) => caps!.hit(cap, host, this.#now()) })
    })
    const caps = opts.logger === undefined
      ? null
      : new CapLog(opts.logger, {
        maxPeers: this.peerStore.maxSize,
        maxPeerKeys: this.peerStore.maxKeys,
        maxPeersPerKey: this.peerStore.maxPerKey,
        maxPeersPerHost: this.peerStore.maxPerHost,
        maxPeerBytes: this.peerStore.maxBytes,
        maxValues: this.valueStore.maxSize,
        maxValuesPerHost: this.valueStore.maxPerHost,
        maxValueBytes: this.valueStore.maxBytes
      })
    // one object for the three commands (called as its methods)
    for (const command of [PEERS_COMMAND, IMMUTABLE_COMMAND, MUTABLE_COMMAND]) this.dht.command(command, this.#ctx)

    // `mode` wins; else an explicit `ephemeral` fixes the role; else `auto`
    const setting = mode ?? (dhtOpts.ephemeral === undefined ? 'auto' : (dhtOpts.ephemeral ? 'client' : 'server'))
    this.holepuncher = new Holepuncher(this.dht, { ...holepunch, mode: setting, logger: holepunch?.logger ?? opts.logger })
    // as a referrer we relay offers (and classic holepunch pings) to the peers announced on us
    this.holepuncher.announced = (key, peer) => this.#ctx.peersIfAny?.hasPeer(toHex(key), peer.host, peer.port, this.#now()) === true
    this.dht.relayFilter = (to) => this.#ctx.peersIfAny?.hasAddress(to.host, to.port, this.#now()) === true
  }

  /** Announces this node stores for others (created on first use). */
  get peerStore (): PeerStore {
    return this.#ctx.peers
  }

  /** Values this node stores for others (created on first use). */
  get valueStore (): ValueStore {
    return this.#ctx.values
  }

  /** The role we play now: a `client` only uses the DHT (it is in nobody's table), a `server` serves it. */
  get mode (): Mode {
    return this.holepuncher.mode
  }

  /** Our NAT mapping type as remote nodes report it: `open`, `consistent`, `random` or `unknown`. */
  get natType (): NatType {
    return this.holepuncher.natType
  }

  /** Our public address, once remote nodes agree on it. */
  get publicAddress (): Peer | null {
    return this.holepuncher.publicAddress
  }

  /** With `holepunch.portMapping`: where the router's port mapping stands (`null` when off). */
  get portMapping (): PortMappingState | null {
    return this.holepuncher.portMapping
  }

  /** Whether strangers can reach us (reachability probes). */
  get reachability (): Reachability {
    return this.holepuncher.reachability
  }

  /** Creates an ed25519 key pair, from a 32-byte `seed` if given (same seed, same pair). */
  static keyPair (seed?: Uint8Array): KeyPair {
    if (seed !== undefined) checkBytes(seed, 'seed', SEED_LENGTH)
    return createKeyPair(seed)
  }

  /** Our node id (32 bytes). */
  get id (): Uint8Array {
    return this.dht.id
  }

  get destroyed (): boolean {
    return this.#destroyed
  }

  /**
   * `listen(key, [options])`: announces us under `key` (kept alive, with our LAN address unless
   * `localAddress: false`) and accepts connections on it; resolves with the {@link Server} once
   * the first announce is committed.
   *
   * `listen([port], [host])`: binds the socket (see dht-rpc).
   */
  listen (key: Uint8Array, opts?: ListenOptions): Promise<Server>
  listen (port?: number, host?: string): Promise<void>
  async listen (portOrKey?: number | Uint8Array, hostOrOpts?: string | ListenOptions): Promise<Server | void> {
    if (portOrKey instanceof Uint8Array) return await this.#listenOn(portOrKey, typeof hostOrOpts === 'object' ? hostOrOpts : {})
    await this.dht.listen(portOrKey, typeof hostOrOpts === 'string' ? hostOrOpts : undefined)
  }

  async #listenOn (key: Uint8Array, opts: ListenOptions): Promise<Server> {
    this.#check()
    checkKey(key)
    if (!this.dht.bootstrapped) await this.dht.ready()
    const localAddress = opts.localAddress === false ? undefined : (opts.localAddress ?? this.#lanAddress())
    const listener = this.holepuncher.listen(key)
    const announcer = this.announcer(key, { localAddress, interval: opts.interval })
    const server = new Server(key, listener, {
      holepuncher: this.holepuncher,
      announcer,
      ping: async (peer) => await this.dht.ping(peer),
      isClient: () => this.holepuncher.mode === 'client'
    })
    try {
      await announcer.refresh()
      // Nodes exist but none stored it: the burst was lost, or rate-limited (a small network's few
      // nodes all see a fresh node's bootstrap, NAT probes and announce from one address at once,
      // more so behind a NAT shared with other peers). One more try once their buckets refill.
      if (announcer.announces === 0 && this.dht.tableSize > 0) {
        await new Promise((resolve) => setTimeout(resolve, LISTEN_RETRY_DELAY))
        this.#check()
        await announcer.refresh()
      }
      if (announcer.announces === 0) throw HyperDHTError.NOT_STORED('announce')
    } catch (err) {
      await server.close().catch(() => {})
      throw HyperDHTError.from(err)
    }
    return server
  }

  /**
   * Connects to a peer listening on `key` (`dht.listen(key)`): looks it up, then punches a
   * two-way path through the node that stored its announce (directly when it is open, over its
   * LAN address when we share its NAT). Pass a lookup result instead of the key to skip the
   * lookup. Resolves with a {@link Connection} (`remoteAddress`, `path`, `rtt`, `send()`, messages);
   * rejects with `PEER_NOT_FOUND`, `HOLEPUNCH_FAILED`, `BOTH_NATS_RANDOM` or `ABORTED`.
   */
  async connect (target: Uint8Array | (LookupResult & { key: Uint8Array }), opts: ConnectOptions = {}): Promise<Connection> {
    this.#check()
    if (target instanceof Uint8Array) {
      checkKey(target)
      if (!this.dht.bootstrapped) await this.dht.ready()
      const localAddress = opts.localAddress === false ? undefined : (opts.localAddress ?? this.#lanAddress())
      return await connectToPeers(this.holepuncher, target, this.lookup(target, { signal: opts.signal, localAddress }), this.#ownAddress(), opts.signal)
    }
    checkKey(target.key)
    return await connectToPeers(this.holepuncher, target.key, single(target), this.#ownAddress(), opts.signal)
  }

  /** Our first LAN address (IPv4) with our port, to share with peers behind the same NAT. */
  #lanAddress (): Peer | undefined {
    const bound = this.holepuncher.publicAddress
    for (const a of this.#interfaceAddresses()) if (bound === null || a.host !== bound.host) return a
    return undefined
  }

  #interfaceAddresses (): Peer[] {
    let port = 0
    let host = '0.0.0.0'
    try {
      const a = this.dht.address()
      port = a.port
      host = a.host
    } catch {
      return []
    }
    if (host !== '0.0.0.0' && host !== '::') return isIPv4(host) ? [{ host, port }] : []
    const out: Peer[] = []
    for (const list of Object.values(networkInterfaces())) {
      for (const a of list ?? []) if (!a.internal && a.family === 'IPv4') out.push({ host: a.address, port })
    }
    return out
  }

  #ownAddress (): Peer | null {
    return this.holepuncher.publicAddress
  }

  /**
   * Resolves once the first bootstrap finished, with the outcome of the latest one (dht-rpc's
   * `ready()`): `error` is `BOOTSTRAP_FAILED` when bootstrap nodes were configured and none answered.
   */
  async ready (): Promise<BootstrapResult> {
    return await this.dht.ready()
  }

  address (): ReturnType<DHT['address']> {
    return this.dht.address()
  }

  /** Lets the process exit while this node is open (its socket and timers no longer hold it). */
  unref (): this {
    this.dht.unref()
    return this
  }

  /** Stops every announcer (without unannouncing), every connection and the DHT node. Idempotent. */
  async destroy (): Promise<void> {
    this.#halt()
    await this.holepuncher.destroy()
    await this.dht.destroy()
  }

  #halt (): void {
    if (this.#destroyed) return
    this.#destroyed = true
    if (this.#announcers !== null) for (const a of this.#announcers) a.halt()
    this.#announcers?.clear()
  }

  /** A fatal socket error: the dht-rpc node destroyed itself; `close` follows. */
  #onerror (err: Error): void {
    this.#halt()
    if (this.listenerCount('error') > 0) this.emit('error', HyperDHTError.from(err))
  }

  #onclose (): void {
    this.#halt()
    this.emit('close')
  }

  /**
   * Announces us under `key` on the closest nodes and resolves once the announce is committed.
   * Announces expire on the network (after ~6 minutes): use {@link announcer} to stay findable.
   */
  async announce (key: Uint8Array, opts: AnnounceOptions = {}): Promise<AnnounceResult> {
    this.#check()
    checkKey(key)
    const lan = encodeLocal(opts.localAddress)
    const req = { type: PEERS_ANNOUNCE, port: checkPort(opts.port), localAddress: lan === null ? null : lanAddressNumber(lan) }
    const value = peersRequest.encode(req)
    const decode = mapper(lan, this.#ipv6)
    const local = this.#localPeers(key, req, lan)
    const results = await this.#update(PEERS_COMMAND, key, value, opts.signal)
    const out: AnnounceResult = { committed: [], results: local === null ? [] : [local] }
    for (const r of results) {
      out.committed.push(r.node)
      const mapped = decode(r)
      if (mapped !== null) out.results.push(mapped)
    }
    return out
  }

  /** Removes our announce under `key` from the closest nodes. */
  async unannounce (key: Uint8Array, opts: AnnounceOptions = {}): Promise<void> {
    this.#check()
    checkKey(key)
    const lan = encodeLocal(opts.localAddress)
    const value = peersRequest.encode({ type: PEERS_UNANNOUNCE, port: checkPort(opts.port), localAddress: lan === null ? null : lanAddressNumber(lan) })
    await this.#update(PEERS_COMMAND, key, value, opts.signal)
  }

  /**
   * Finds peers announced under `key`: an async iterable of `{ node, peers, localPeers }`, one
   * per node that stores peers for it (our own store first). Breaking out stops the query.
   */
  lookup (key: Uint8Array, opts: LookupOptions = {}): Lookup {
    this.#check()
    checkKey(key)
    const lan = encodeLocal(opts.localAddress)
    const req = { type: PEERS_LOOKUP, port: 0, localAddress: lan === null ? null : lanAddressNumber(lan) }
    const value = peersRequest.encode(req)
    const query = this.dht.query({ command: PEERS_COMMAND, target: key, value }, { signal: opts.signal, map: mapper(lan, this.#ipv6) })
    const local = this.#localPeers(key, req, lan)
    return new Lookup(query, local)
  }

  /**
   * Keeps an announce of `key` alive: announces now, re-announces every `interval` and after the
   * network changed, and unannounces on `await handle.stop()`.
   */
  announcer (key: Uint8Array, opts: AnnouncerOptions = {}): Announcer {
    this.#check()
    checkKey(key)
    if (opts.port !== undefined) checkPort(opts.port)
    const announcers = this.#announcers ??= new Set()
    const a = new Announcer(this, key, opts, () => announcers.delete(a))
    announcers.add(a)
    a.start()
    return a
  }

  /** Stores `value` (at most 1000 bytes) on the closest nodes to sha256(value). */
  async immutablePut (value: Uint8Array, opts: { signal?: AbortSignal } = {}): Promise<ImmutablePutResult> {
    this.#check()
    checkValue(value)
    const hash = sha256(value)
    const results = await this.#update(IMMUTABLE_COMMAND, hash, immutablePut.encode(value), opts.signal)
    const stored: NodeRef[] = []
    for (const r of results) {
      if (putResponse.decode(r.value)?.status === PUT_STORED) stored.push(r.node)
    }
    if (stored.length === 0) throw HyperDHTError.NOT_STORED('immutable value')
    return { hash, stored }
  }

  /**
   * Gets the value whose sha256 is `hash`, or null. Values that do not hash to `hash` are
   * ignored and reported with a `tampered` event.
   */
  async immutableGet (hash: Uint8Array, opts: { signal?: AbortSignal } = {}): Promise<ImmutableGetResult | null> {
    this.#check()
    checkKey(hash, 'hash')
    const own = this.#ctx.valuesIfAny?.getImmutable(hash, this.#now()) ?? null
    if (own !== null) return { value: own, from: this.#self() }
    const query = this.dht.query({ command: IMMUTABLE_COMMAND, target: hash, value: null }, { signal: opts.signal })
    try {
      for await (const r of query) {
        if (r.value === null) continue
        const value = immutableValue.decode(r.value)
        if (value === null) {
          this.#tampered('immutable', hash, r.node, 'malformed')
          continue
        }
        if (!bytesEqual(sha256(value), hash)) {
          this.#tampered('immutable', hash, r.node, 'hash-mismatch')
          continue
        }
        return { value, from: r.node }
      }
    } catch (err) {
      throw HyperDHTError.from(err)
    }
    return null
  }

  /**
   * Signs `value` with `keyPair` and stores it with `seq` on the closest nodes to
   * sha256(publicKey || salt). Throws `SEQ_TOO_LOW` when the network holds a record with a higher
   * seq, or the same seq and another value.
   */
  async mutablePut (keyPair: KeyPair, value: Uint8Array, opts: MutablePutOptions): Promise<MutablePutResult> {
    this.#check()
    if (typeof keyPair !== 'object' || keyPair === null) throw HyperDHTError.INVALID_ARGUMENT('keyPair must be { publicKey, secretKey }')
    checkBytes(keyPair.publicKey, 'keyPair.publicKey', PUBLIC_KEY_LENGTH)
    checkBytes(keyPair.secretKey, 'keyPair.secretKey', SECRET_KEY_LENGTH)
    checkValue(value)
    const seq = checkSeq(opts?.seq, true)
    const salt = checkSalt(opts.salt)
    const signature = signDetached(signable(salt, seq, value), keyPair.secretKey)
    if (!verifyDetached(signable(salt, seq, value), signature, keyPair.publicKey)) {
      throw HyperDHTError.INVALID_SIGNATURE()
    }
    const target = mutableTarget(keyPair.publicKey, salt)
    const req = mutableRequest.encode({ publicKey: keyPair.publicKey, salt, seq, value, signature })
    const results = await this.#update(MUTABLE_COMMAND, target, req, opts.signal)
    const stored: NodeRef[] = []
    let newer: { seq: number } | null = null
    for (const r of results) {
      const res = putResponse.decode(r.value)
      if (res === null) continue
      if (res.status === PUT_STORED) stored.push(r.node)
      else if (res.status === PUT_SEQ_TOO_LOW && res.current !== null) {
        const cur = res.current
        const genuine = verifyDetached(signable(salt, cur.seq, cur.value), cur.signature, keyPair.publicKey)
        if (!genuine) this.#tampered('mutable', target, r.node, 'invalid-signature')
        else if (cur.seq > seq || (cur.seq === seq && !bytesEqual(cur.value, value))) {
          if (newer === null || cur.seq > newer.seq) newer = { seq: cur.seq }
        }
      }
    }
    if (newer !== null) throw HyperDHTError.SEQ_TOO_LOW(seq, newer.seq)
    if (stored.length === 0) throw HyperDHTError.NOT_STORED('mutable record')
    return { publicKey: keyPair.publicKey, salt, seq, signature, target, stored }
  }

  /**
   * Gets the record with the highest seq stored under `publicKey` (and `salt`), or null. Records
   * whose signature does not verify are ignored and reported with a `tampered` event.
   */
  async mutableGet (publicKey: Uint8Array, opts: MutableGetOptions = {}): Promise<MutableGetResult | null> {
    this.#check()
    checkBytes(publicKey, 'publicKey', PUBLIC_KEY_LENGTH)
    const salt = checkSalt(opts.salt)
    const minSeq = opts.seq === undefined ? 0 : checkSeq(opts.seq, false)
    const target = mutableTarget(publicKey, salt)
    let best: MutableGetResult | null = null
    const own = this.#ctx.valuesIfAny?.getMutable(target, this.#now()) ?? null
    if (own !== null && own.seq >= minSeq) best = { value: own.value, seq: own.seq, signature: own.signature, from: this.#self() }
    const value = mutableRequest.encode({ publicKey, salt, seq: minSeq, value: null, signature: null })
    const query = this.dht.query({ command: MUTABLE_COMMAND, target, value }, { signal: opts.signal })
    try {
      for await (const r of query) {
        if (r.value === null) continue
        const rec = mutableRecord.decode(r.value)
        if (rec === null || rec.value.length > MAX_VALUE_SIZE) {
          this.#tampered('mutable', target, r.node, 'malformed')
          continue
        }
        if (!verifyDetached(signable(salt, rec.seq, rec.value), rec.signature, publicKey)) {
          this.#tampered('mutable', target, r.node, 'invalid-signature')
          continue
        }
        if (rec.seq < minSeq) {
          this.#tampered('mutable', target, r.node, 'seq-too-low')
          continue
        }
        if (best === null || rec.seq > best.seq) best = { value: rec.value, seq: rec.seq, signature: rec.signature, from: r.node }
      }
    } catch (err) {
      const e = HyperDHTError.from(err)
      if (best !== null && (e.code === 'NO_NODES_RESPONDED')) return best
      throw e
    }
    return best
  }

  /** The peers our own store holds for `key`, as the reference's `_processPeersLocal`. */
  #localPeers (key: Uint8Array, req: PeersRequestMessage, lan: Uint8Array | null): LookupResult | null {
    if (this.#ctx.peersIfAny?.has(toHex(key), this.#now()) !== true) return null
    const node = this.#self()
    const res = processPeers(this.#ctx, req, node, key, false)
    if (res === null) return null
    return mapper(lan, this.#ipv6)({ node: { id: this.id, host: node.host, port: node.port }, value: res })
  }

  #self (): NodeRef {
    let port = 0
    try {
      port = this.dht.address().port
    } catch {}
    return { id: this.id, host: '127.0.0.1', port }
  }

  async #update (command: string, target: Uint8Array, value: Uint8Array, signal: AbortSignal | undefined): Promise<QueryResult[]> {
    try {
      return await this.dht.update({ command, target, value }, { signal })
    } catch (err) {
      throw HyperDHTError.from(err)
    }
  }

  #tampered (command: 'immutable' | 'mutable', target: Uint8Array, node: NodeRef, reason: 'hash-mismatch' | 'invalid-signature' | 'malformed' | 'seq-too-low'): void {
    this.emit('tampered', { command, target, node, reason })
  }

  #check (): void {
    if (this.#destroyed) throw HyperDHTError.DESTROYED()
  }
}

/** An in-progress lookup: iterate it with `for await`. Counters mirror the dht-rpc query. */
export class Lookup implements AsyncIterable<LookupResult> {
  readonly #query: AsyncIterable<LookupResult> & { requests?: number, responses?: number, errors?: number }
  readonly #local: LookupResult | null

  constructor (query: AsyncIterable<LookupResult>, local: LookupResult | null) {
    this.#query = query
    this.#local = local
  }

  /** Requests sent so far. */
  get requests (): number {
    return this.#query.requests ?? 0
  }

  /** Responses received so far. */
  get responses (): number {
    return this.#query.responses ?? 0
  }

  async * [Symbol.asyncIterator] (): AsyncIterator<LookupResult> {
    if (this.#local !== null) yield this.#local
    try {
      yield * this.#query
    } catch (err) {
      throw HyperDHTError.from(err)
    }
  }

  /** Runs the lookup to the end and resolves with every result. */
  async toArray (): Promise<LookupResult[]> {
    const out: LookupResult[] = []
    for await (const r of this) out.push(r)
    return out
  }
}

/** Turns a `peers` response into `{ node, peers, localPeers }`; null if it carries no peers. */
function mapper (localAddress: Uint8Array | null, ipv6: boolean): (r: QueryResult | { node: NodeRef, value: Uint8Array | null }) => LookupResult | null {
  return (r) => {
    const res = peersResponse.decode(r.value)
    if (res === null || res.peers === null) return null
    const peers = decodePeers(res.peers, ipv6)
    if (peers === null) return null
    return { node: r.node, token: 'token' in r ? r.token : null, peers, localPeers: decodeLocalPeers(res.localPeers, localAddress) }
  }
}

function decodePeers (bytes: Uint8Array, ipv6: boolean): Peer[] | null {
  const size = ipv6 ? 18 : 6
  if (bytes.length % size !== 0) return null
  const codec = ipv6 ? ipv6Peers : ipv4Peers
  const out: Peer[] = []
  for (let off = 0; off < bytes.length; off += size) {
    try {
      out.push(codec.decodeOne(bytes, off))
    } catch {}
  }
  return out
}

function decodeLocalPeers (bytes: Uint8Array | null, localAddress: Uint8Array | null): Peer[] {
  const out: Peer[] = []
  if (bytes === null || localAddress === null) return out
  for (let off = 0; off + 4 <= bytes.length; off += 4) {
    try {
      out.push(lanPeer.decodeOne(bytes, localAddress, off))
    } catch {}
  }
  return out
}

function encodeLocal (peer: Peer | undefined): Uint8Array | null {
  if (peer === undefined || peer === null) return null
  try {
    return ipv4Peers.encodeOne({ host: peer.host, port: peer.port === undefined || peer.port === 0 ? 0 : peer.port })
  } catch (err) {
    // ip-encoding refuses port 0; a LAN address with port 0 is fine here (the reference sends it)
    if (peer.port === undefined || peer.port === 0) {
      try {
        const b = ipv4Peers.encodeOne({ host: peer.host, port: 1 })
        b[4] = 0
        b[5] = 0
        return b
      } catch {}
    }
    throw HyperDHTError.INVALID_ARGUMENT('localAddress must be an IPv4 { host, port }', err)
  }
}

function checkKey (key: unknown, name = 'key'): asserts key is Uint8Array {
  checkBytes(key, name, KEY_LENGTH)
}

function checkBytes (value: unknown, name: string, length: number): asserts value is Uint8Array {
  if (!(value instanceof Uint8Array) || value.length !== length) {
    throw HyperDHTError.INVALID_ARGUMENT(`${name} must be a ${length}-byte Uint8Array`)
  }
}

function checkValue (value: unknown): asserts value is Uint8Array {
  if (!(value instanceof Uint8Array)) throw HyperDHTError.INVALID_ARGUMENT('value must be a Uint8Array')
  if (value.length > MAX_VALUE_SIZE) throw HyperDHTError.VALUE_TOO_LARGE(value.length, MAX_VALUE_SIZE)
}

function checkSalt (salt: unknown): Uint8Array | null {
  if (salt === undefined || salt === null) return null
  if (!(salt instanceof Uint8Array)) throw HyperDHTError.INVALID_ARGUMENT('salt must be a Uint8Array')
  if (salt.length > MAX_SALT_SIZE) throw HyperDHTError.VALUE_TOO_LARGE(salt.length, MAX_SALT_SIZE, 'salt')
  return salt.length === 0 ? null : salt
}

function checkSeq (seq: unknown, required: boolean): number {
  if (seq === undefined && !required) return 0
  if (typeof seq !== 'number' || !Number.isSafeInteger(seq) || seq < 0) {
    throw HyperDHTError.INVALID_ARGUMENT('seq must be a non-negative safe integer')
  }
  return seq
}

function checkPort (port: unknown): number {
  if (port === undefined || port === null) return 0
  if (typeof port !== 'number' || !Number.isInteger(port) || port < 0 || port > 65535) {
    throw HyperDHTError.INVALID_ARGUMENT('port must be an integer in 0..65535')
  }
  return port
}

async function * single (r: LookupResult): AsyncGenerator<LookupResult> {
  yield r
}
