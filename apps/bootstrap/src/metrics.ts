import type { DHTStats, RoutingTableStats } from '@hyperdht-ts/dht-rpc'
import { collectDefaultMetrics, Counter, Gauge, Registry } from 'prom-client'

/** What the metrics read from the server at each scrape. */
export interface MetricsSnapshot {
  stats: DHTStats
  table: RoutingTableStats
  store: {
    peers: { peers: number, keys: number, hosts: number }
    values: { values: number, hosts: number, bytes: number }
    evictedPeers: number
    evictedValues: number
  }
  /** The node's socket is bound and it is not shutting down. */
  up: boolean
  stateSaves: { ok: number, failed: number }
}

/**
 * A prom-client registry whose metrics read the library's counters at scrape time (the library
 * keeps the totals; `collect` copies them in), plus Node's default metrics (event-loop lag,
 * heap, CPU, handles). Metric names are documented in the README.
 */
export function createMetrics (read: () => MetricsSnapshot): Registry {
  const register = new Registry()
  collectDefaultMetrics({ register })

  // one snapshot per scrape, shared by every metric's collect()
  let cached: { at: number, snap: MetricsSnapshot } | null = null
  const snap = (): MetricsSnapshot => {
    const now = Date.now()
    if (cached === null || now - cached.at > 100) cached = { at: now, snap: read() }
    return cached.snap
  }

  /** A counter mirroring a library total (reset + inc: the library's value is the truth). */
  const counter = (name: string, help: string, labelNames: string[], values: () => Array<[Record<string, string>, number]>): void => {
    new Counter({
      name,
      help,
      labelNames,
      registers: [register],
      collect () {
        this.reset()
        for (const [labels, v] of values()) this.inc(labels, v)
      }
    })
  }
  const gauge = (name: string, help: string, labelNames: string[], values: () => Array<[Record<string, string>, number]>): void => {
    new Gauge({
      name,
      help,
      labelNames,
      registers: [register],
      collect () {
        this.reset()
        for (const [labels, v] of values()) this.set(labels, v)
      }
    })
  }
  const perCommand = (field: 'requestsIn' | 'responsesOut' | 'requestsOut' | 'responsesIn' | 'timeouts') => () =>
    Object.entries(snap().stats.commands).map(([command, s]): [Record<string, string>, number] => [{ command }, s[field]])

  counter('hyperdht_requests_received_total', 'Requests received, by command (unknown commands under "*")', ['command'], perCommand('requestsIn'))
  counter('hyperdht_responses_sent_total', 'Responses sent, by command', ['command'], perCommand('responsesOut'))
  counter('hyperdht_requests_sent_total', 'Requests sent (our own queries, upkeep pings), by command', ['command'], perCommand('requestsOut'))
  counter('hyperdht_responses_received_total', 'Responses received to our requests, by command', ['command'], perCommand('responsesIn'))
  counter('hyperdht_request_timeouts_total', 'Our requests that timed out, by command', ['command'], perCommand('timeouts'))
  counter('hyperdht_request_failures_total', 'Our requests that failed otherwise (cancelled, send error)', [], () => [[{}, snap().stats.failures]])
  counter('hyperdht_dropped_datagrams_total', 'Incoming datagrams dropped, by reason', ['reason'], () => {
    const { total: _total, ...reasons } = snap().stats.dropped
    return Object.entries(reasons).map(([reason, v]): [Record<string, string>, number] => [{ reason }, v])
  })
  counter('hyperdht_rate_limited_requests_total', 'Requests dropped by the per-source-IP rate limit, before decoding (banned sources included)', [], () => [[{}, snap().stats.dropped.rateLimited]])
  counter('hyperdht_rate_limit_bans_total', 'Sources banned for sending past their rate limit', [], () => [[{}, snap().stats.guard.bans]])
  counter('hyperdht_queue_full_total', 'Requests refused because the send queue was full', [], () => [[{}, snap().stats.queueFull]])
  counter('hyperdht_holepunches_total', 'Holepunch pings: forwarded as referrer, requested, answered', ['kind'], () =>
    Object.entries(snap().stats.holepunches).map(([kind, v]): [Record<string, string>, number] => [{ kind }, v]))
  counter('hyperdht_bucket_refreshes_total', 'Bucket-refresh lookups run', [], () => [[{}, snap().stats.refreshes]])
  counter('hyperdht_store_evictions_total', 'Stored entries evicted because a store was full', ['store'], () => [
    [{ store: 'peers' }, snap().store.evictedPeers], [{ store: 'values' }, snap().store.evictedValues]
  ])
  counter('hyperdht_state_saves_total', 'Writes of the state file, by outcome', ['outcome'], () => [
    [{ outcome: 'ok' }, snap().stateSaves.ok], [{ outcome: 'failed' }, snap().stateSaves.failed]
  ])

  gauge('hyperdht_up', '1 while the DHT socket is bound and the server is not shutting down', [], () => [[{}, snap().up ? 1 : 0]])
  gauge('hyperdht_routing_table_nodes', 'Contacts in the routing table', [], () => [[{}, snap().table.size]])
  gauge('hyperdht_routing_table_buckets', 'Buckets of the routing table', [], () => [[{}, snap().table.buckets.length]])
  gauge('hyperdht_routing_table_prefixes', 'Distinct address prefixes in the routing table (/24 and /16; IPv6 /48 and /32)', ['prefix'], () => [
    [{ prefix: '24' }, snap().table.diversity.prefixes24], [{ prefix: '16' }, snap().table.diversity.prefixes16]
  ])
  gauge('hyperdht_routing_table_largest_prefix_share', 'Share of the table held by its most common prefix (0..1)', ['prefix'], () => [
    [{ prefix: '24' }, snap().table.diversity.largest24?.share ?? 0], [{ prefix: '16' }, snap().table.diversity.largest16?.share ?? 0]
  ])
  gauge('hyperdht_stored_announces', 'Announces stored for others', [], () => [[{}, snap().store.peers.peers]])
  gauge('hyperdht_stored_announce_keys', 'Keys with stored announces', [], () => [[{}, snap().store.peers.keys]])
  gauge('hyperdht_stored_values', 'Immutable and mutable values stored for others', [], () => [[{}, snap().store.values.values]])
  gauge('hyperdht_stored_value_bytes', 'Bytes of stored values', [], () => [[{}, snap().store.values.bytes]])
  gauge('hyperdht_rate_limited_sources', 'Source IPs within their rate-limit ban now (all their requests dropped)', [], () => [[{}, snap().stats.guard.banned]])
  gauge('hyperdht_rate_limit_tracked_sources', 'Source IPs whose request budget is tracked now (bounded by the library)', [], () => [[{}, snap().stats.guard.sources]])
  gauge('hyperdht_queued_requests', 'Our requests waiting behind the in-flight window, and in flight', ['state'], () => [
    [{ state: 'queued' }, snap().stats.queued], [{ state: 'inflight' }, snap().stats.inflight]
  ])
  return register
}
