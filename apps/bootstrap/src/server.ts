import type { Server } from 'node:http'
import { monitorEventLoopDelay, type IntervalHistogram } from 'node:perf_hooks'
import { DEFAULT_RATE_LIMIT, type DHTStats, type Peer, type RateLimitOptions } from '@hyperdht-ts/dht-rpc'
import { HyperDHT } from '@hyperdht-ts/hyperdht'
import type { Logger } from 'pino'
import { RATE_SAMPLES } from './constants.js'
import { BootstrapError } from './errors.js'
import { HealthProbe, type HealthVerdict } from './health.js'
import { startAdmin, stopAdmin } from './http.js'
import { libraryLogger } from './logger.js'
import { createMetrics, type MetricsSnapshot } from './metrics.js'
import { RateHistory } from './rate-history.js'
import { readStateFile, writeStateFile } from './state-file.js'
import { statusPage } from './status-page.js'
import { udxSocket } from './transport.js'

export interface ServerOptions {
  /** UDP port and address of the DHT node. */
  port: number
  host: string
  /** HTTP admin endpoint; off when undefined. */
  httpPort?: number
  httpHost: string
  /** Where the routing table is kept across restarts; none when undefined. */
  stateFile?: string
  /** Seconds between state-file writes. */
  saveInterval: number
  /** Milliseconds per sample of the request-rate chart. */
  rateInterval: number
  /**
   * Per-source-IP limit of incoming requests (the library's token bucket: `rate` a second
   * sustained, `burst` at once; its ban settings stay the library's), or `false` for none.
   */
  rateLimit: { rate: number, burst: number } | false
  /** Other bootstrap nodes to join through (optional: a first server has none). */
  bootstrap: string[]
  /** The UDP implementation: Node's dgram (the default) or udx-native. */
  transport?: 'dgram' | 'udx'
  log: Logger
}

/**
 * A hyperdht-ts node in server mode plus what an operator needs around it: persisted routing
 * table, health, metrics, stats and a status page. Everything DHT is the library's; this class
 * only wires it up and reports.
 */
export class BootstrapServer {
  readonly node: HyperDHT
  readonly #opts: ServerOptions
  readonly #log: Logger
  readonly #started = Date.now()
  readonly #rate = new RateHistory(RATE_SAMPLES)
  readonly #loop: IntervalHistogram = monitorEventLoopDelay({ resolution: 20 })
  readonly #probe: HealthProbe
  #http: Server | null = null
  #timers: NodeJS.Timeout[] = []
  #closing = false
  #stopped: Promise<void> | null = null
  #saves = { ok: 0, failed: 0 }
  #saving: Promise<void> = Promise.resolve()
  #lastSave: { at: number, nodes: number } | null = null
  #lastSaveError: string | null = null
  #loaded: { nodes: number, problem: string | null }

  private constructor (opts: ServerOptions, node: HyperDHT, loaded: { nodes: number, problem: string | null }) {
    this.#opts = opts
    this.#log = opts.log
    this.node = node
    this.#loaded = loaded
    this.#probe = new HealthProbe(() => this.#healthTarget())
  }

  /** Reads the state file, binds the node, starts the admin endpoint and joins the network. */
  static async start (opts: ServerOptions): Promise<BootstrapServer> {
    const log = opts.log
    let id: Uint8Array | undefined
    let nodes: Array<{ id: Uint8Array, host: string, port: number }> = []
    let problem: string | null = null
    if (opts.stateFile !== undefined) {
      const read = await readStateFile(opts.stateFile)
      if (read.ok) {
        id = read.state.id
        nodes = read.state.nodes
        log.info({ file: opts.stateFile, nodes: nodes.length, skipped: read.skipped }, 'state file loaded: rejoining through its contacts')
      } else if (read.missing === true) {
        log.info({ file: opts.stateFile }, 'no state file yet: it is written once the routing table has contacts')
      } else {
        problem = read.problem
        log.warn({ file: opts.stateFile, problem }, 'state file ignored: starting without it')
      }
    }
    const socket = opts.transport === 'udx' ? await udxSocket() : undefined
    const node = new HyperDHT({
      ...(socket === undefined ? {} : { socket }),
      mode: 'server',
      bootstrap: opts.bootstrap,
      nodes,
      ...(id === undefined ? {} : { id }),
      rateLimit: opts.rateLimit,
      logger: libraryLogger(log)
    })
    node.dht.on('error', (err) => log.error({ err }, 'socket error'))
    const server = new BootstrapServer(opts, node, { nodes: nodes.length, problem })
    try {
      try {
        await node.listen(opts.port, opts.host)
      } catch (err) {
        const code = (err as { code?: string }).code
        if (code === 'ADDRESS_IN_USE') throw BootstrapError.ADDRESS_IN_USE('UDP', opts.host, opts.port, err)
        const cause = (err as { cause?: { code?: string, message?: string } }).cause
        throw BootstrapError.LISTEN_FAILED(opts.host, opts.port, cause?.code === 'EADDRNOTAVAIL' ? 'that address is not on this machine' : cause?.message ?? (err as Error).message, err)
      }
      const addr = node.address()
      log.info({ host: addr.host, port: addr.port, id: Buffer.from(node.id).toString('hex'), rateLimit: server.#rateLimit(), transport: opts.transport ?? 'dgram' }, 'DHT node listening (server mode)')
      if (opts.rateLimit === false) log.warn('rate limiting is off: any source may make this node answer as fast as it sends (private networks only)')
      if (opts.httpPort !== undefined) {
        server.#http = await startAdmin(opts.httpHost, opts.httpPort, server.#routes(), log)
        const a = server.#http.address()
        log.info({ host: opts.httpHost, port: typeof a === 'object' && a !== null ? a.port : opts.httpPort }, 'HTTP admin endpoint listening (/, /health, /metrics, /stats)')
      }
      server.#startTimers()
      const joined = await node.ready()
      if (joined.error !== null) log.warn({ bootstrap: opts.bootstrap, nodes: joined.nodes }, 'no bootstrap node answered: serving alone until one does')
      else log.info({ nodes: joined.nodes, responses: joined.responses }, 'bootstrapped')
      return server
    } catch (err) {
      await server.stop()
      throw err
    }
  }

  /** The HTTP admin endpoint's port, when it runs. */
  get httpPort (): number | null {
    const a = this.#http?.address()
    return typeof a === 'object' && a !== null ? a.port : null
  }

  /**
   * Graceful stop: `/health` turns 503, the node stops answering (its socket closes), the
   * routing table as it was is written to the state file, then HTTP closes. Idempotent.
   */
  async stop (): Promise<void> {
    this.#stopped ??= this.#stop()
    return await this.#stopped
  }

  async #stop (): Promise<void> {
    this.#closing = true
    this.#probe.invalidate()
    for (const t of this.#timers) clearInterval(t)
    this.#timers = []
    const table = this.node.dht.toArray()
    await this.node.destroy()
    if (this.#opts.stateFile !== undefined) await this.#save(table)
    if (this.#http !== null) await stopAdmin(this.#http)
    await this.#probe.destroy()
    this.#loop.disable()
  }

  /** Everything `/stats` shows (and the status page draws). */
  async stats (): Promise<Record<string, unknown>> {
    const health = await this.#health()
    const addr = this.#address()
    const ms = (ns: number): number => Math.round(ns / 1e4) / 100
    const stats = this.node.dht.stats
    return {
      generatedAt: Date.now(),
      id: Buffer.from(this.node.id).toString('hex'),
      address: addr,
      startedAt: new Date(this.#started).toISOString(),
      uptime: Math.floor((Date.now() - this.#started) / 1000),
      mode: 'server',
      closing: this.#closing,
      health,
      routingTable: this.node.dht.routingTableStats(),
      stats,
      store: this.#store(),
      requestRate: { interval: this.#opts.rateInterval, capacity: this.#rate.capacity, samples: this.#rate.samples() },
      eventLoop: {
        mean: Number.isNaN(this.#loop.mean) ? 0 : ms(this.#loop.mean),
        p50: ms(this.#loop.percentile(50)),
        p99: ms(this.#loop.percentile(99)),
        max: ms(this.#loop.max)
      },
      state: {
        file: this.#opts.stateFile ?? null,
        loadedNodes: this.#loaded.nodes,
        loadProblem: this.#loaded.problem,
        lastSavedAt: this.#lastSave === null ? null : new Date(this.#lastSave.at).toISOString(),
        lastSavedNodes: this.#lastSave?.nodes ?? null,
        lastSaveError: this.#lastSaveError
      },
      rateLimit: this.#rateLimitStats(stats)
    }
  }

  /** The limit in force: ours merged over the library's defaults, as the library does. */
  #rateLimit (): Readonly<RateLimitOptions> | false {
    return this.#opts.rateLimit === false ? false : { ...DEFAULT_RATE_LIMIT, ...this.#opts.rateLimit }
  }

  /** The limit and what it did, from the library's counters (`stats.dropped`, `stats.guard`). */
  #rateLimitStats ({ dropped, guard }: DHTStats): { limit: Readonly<RateLimitOptions> | false, dropped: number, bans: number, bannedSources: number, trackedSources: number } {
    return { limit: this.#rateLimit(), dropped: dropped.rateLimited, bans: guard.bans, bannedSources: guard.banned, trackedSources: guard.sources }
  }

  #routes (): Parameters<typeof startAdmin>[2] {
    const registry = createMetrics(() => this.#metricsSnapshot())
    return {
      health: async () => {
        const v = await this.#health()
        return { ok: v.ok, body: { status: v.ok ? 'ok' : 'unavailable', ...v } }
      },
      metrics: async () => ({ contentType: registry.contentType, body: await registry.metrics() }),
      stats: async () => await this.stats(),
      page: async () => statusPage(await this.stats(), Math.min(this.#opts.rateInterval, 5000))
    }
  }

  async #health (): Promise<HealthVerdict & { closing: boolean }> {
    if (this.#closing) return { ok: false, rtt: null, reason: 'shutting down', checkedAt: Date.now(), closing: true }
    return { ...(await this.#probe.check()), closing: false }
  }

  #healthTarget (): Peer | null {
    if (this.#closing || this.node.destroyed) return null
    let addr
    try {
      addr = this.node.address()
    } catch {
      return null
    }
    const host = addr.host === '0.0.0.0' ? '127.0.0.1' : addr.host === '::' ? '::1' : addr.host
    return { host, port: addr.port }
  }

  #address (): { host: string, port: number } | null {
    try {
      const a = this.node.address()
      return { host: a.host, port: a.port }
    } catch {
      return null
    }
  }

  #store (): MetricsSnapshot['store'] {
    return {
      peers: this.node.peerStore.stats(),
      values: this.node.valueStore.stats(),
      evictedPeers: this.node.peerStore.evicted,
      evictedValues: this.node.valueStore.evicted
    }
  }

  #metricsSnapshot (): MetricsSnapshot {
    return {
      stats: this.node.dht.stats,
      table: this.node.dht.routingTableStats(),
      store: this.#store(),
      up: !this.#closing && !this.node.destroyed && this.#address() !== null,
      stateSaves: { ...this.#saves }
    }
  }

  #startTimers (): void {
    this.#loop.enable()
    this.#rate.record(this.node.dht.stats.requestsIn, Date.now())
    const sample = setInterval(() => this.#rate.record(this.node.dht.stats.requestsIn, Date.now()), this.#opts.rateInterval)
    this.#timers.push(sample)
    if (this.#opts.stateFile !== undefined) {
      const save = setInterval(() => { void this.#save(this.node.dht.toArray()) }, this.#opts.saveInterval * 1000)
      this.#timers.push(save)
    }
    for (const t of this.#timers) t.unref()
  }

  /** Writes the state file, one write at a time (a periodic save may still run at shutdown). */
  async #save (nodes: Array<{ id: Uint8Array, host: string, port: number }>): Promise<void> {
    const next = this.#saving.then(async () => await this.#write(nodes))
    this.#saving = next
    await next
  }

  /** An empty table is not written: it would erase a useful older state. */
  async #write (nodes: Array<{ id: Uint8Array, host: string, port: number }>): Promise<void> {
    const file = this.#opts.stateFile
    if (file === undefined) return
    if (nodes.length === 0) {
      this.#log.debug({ file }, 'state not written: the routing table is empty')
      return
    }
    try {
      await writeStateFile(file, { id: this.node.id, nodes })
      this.#saves.ok++
      this.#lastSave = { at: Date.now(), nodes: nodes.length }
      this.#lastSaveError = null
      this.#log.debug({ file, nodes: nodes.length }, 'state written')
    } catch (err) {
      this.#saves.failed++
      this.#lastSaveError = (err as Error).message
      this.#log.warn({ file, err: (err as Error).message }, 'state file could not be written')
    }
  }
}
