import { describe, expect, it } from 'vitest'
import { CapLog } from './cap-log.js'
import type { LogFields } from '@hyperdht-ts/dht-rpc'

const limits = { maxPeers: 10, maxPeerKeys: 9, maxPeersPerKey: 2, maxPeersPerHost: 3, maxPeerBytes: 1e6, maxValues: 4, maxValuesPerHost: 5, maxValueBytes: 2e6 }

describe('CapLog', () => {
  it('logs a cap at most once per interval, with the hits left unlogged since the previous entry', () => {
    const entries: Array<[string, LogFields | undefined]> = []
    const log = new CapLog({ warn: (msg, fields) => { entries.push([msg, fields]) } }, limits, 1000)
    log.hit('maxPeersPerHost', '10.0.0.1', 0)
    log.hit('maxPeersPerHost', '10.0.0.2', 10)
    log.hit('maxPeersPerHost', '10.0.0.3', 999)
    log.hit('maxValueBytes', '10.0.0.4', 500) // another cap: its own interval
    log.hit('maxPeersPerHost', '10.0.0.5', 1000)
    expect(entries).toEqual([
      ['hyperdht: store cap reached', { cap: 'maxPeersPerHost', limit: 3, action: 'refusing', host: '10.0.0.1', unlogged: 0 }],
      ['hyperdht: store cap reached', { cap: 'maxValueBytes', limit: 2e6, action: 'evicting from the largest prefix', host: '10.0.0.4', unlogged: 0 }],
      ['hyperdht: store cap reached', { cap: 'maxPeersPerHost', limit: 3, action: 'refusing', host: '10.0.0.5', unlogged: 2 }]
    ])
  })

  it('a logger without warn is fine', () => {
    expect(() => new CapLog({ debug: () => {} }, limits).hit('maxPeers', 'h', 0)).not.toThrow()
  })
})
