import { DHT } from '@hyperdht-ts/dht-rpc'
import { describe, expect, it } from 'vitest'
import { createMetrics, type MetricsSnapshot } from './metrics.js'

// the counters of a real node, so that this follows the library's DHTStats as it grows
const base = new DHT().stats

function snapshot (requests: number): MetricsSnapshot {
  const zero = { requestsIn: 0, responsesOut: 0, requestsOut: 0, responsesIn: 0, timeouts: 0 }
  return {
    stats: {
      ...base,
      commands: { _ping: { ...zero, requestsIn: requests, responsesOut: requests }, peers: { ...zero, timeouts: 2 } },
      requestsIn: requests, responsesOut: requests, timeouts: 2, refreshes: 1,
      dropped: { ...base.dropped, total: 10, tooShort: 1, undecodable: 2, rateLimited: 7 },
      guard: { ...base.guard, rateLimited: 7, bans: 1, banned: 1, sources: 3 },
      inflight: 1
    },
    table: { size: 4, k: 20, buckets: [{ depth: 0, prefix: '', size: 4, fill: 0.2 }], diversity: { prefixes24: 3, prefixes16: 2, largest24: { prefix: '10.0.0', count: 2, share: 0.5 }, largest16: null } },
    store: { peers: { peers: 5, keys: 2, hosts: 3 }, values: { values: 1, hosts: 1, bytes: 10 }, evictedPeers: 0, evictedValues: 0 },
    up: true,
    stateSaves: { ok: 1, failed: 0 }
  }
}

describe('createMetrics', () => {
  it('mirrors the library totals at each scrape', async () => {
    let requests = 10
    const reg = createMetrics(() => snapshot(requests))
    let text = await reg.metrics()
    expect(text).toContain('# TYPE hyperdht_requests_received_total counter')
    expect(text).toContain('hyperdht_requests_received_total{command="_ping"} 10')
    expect(text).toContain('hyperdht_request_timeouts_total{command="peers"} 2')
    expect(text).toContain('hyperdht_dropped_datagrams_total{reason="undecodable"} 2')
    expect(text).toContain('hyperdht_rate_limited_requests_total 7')
    expect(text).toContain('hyperdht_dropped_datagrams_total{reason="rateLimited"} 7')
    expect(text).toContain('hyperdht_rate_limit_bans_total 1')
    expect(text).toContain('# TYPE hyperdht_rate_limited_sources gauge')
    expect(text).toContain('hyperdht_rate_limited_sources 1')
    expect(text).toContain('hyperdht_rate_limit_tracked_sources 3')
    expect(text).toContain('hyperdht_routing_table_nodes 4')
    expect(text).toContain('hyperdht_routing_table_prefixes{prefix="16"} 2')
    expect(text).toContain('hyperdht_routing_table_largest_prefix_share{prefix="24"} 0.5')
    expect(text).toContain('hyperdht_stored_announces 5')
    expect(text).toContain('hyperdht_up 1')
    expect(text).toContain('# TYPE nodejs_eventloop_lag_seconds gauge')
    // the next scrape shows the new total, not the sum of both
    requests = 25
    await new Promise((resolve) => setTimeout(resolve, 150))
    text = await reg.metrics()
    expect(text).toContain('hyperdht_requests_received_total{command="_ping"} 25')
  })
})
