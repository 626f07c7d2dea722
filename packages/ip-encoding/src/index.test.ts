import { describe, expect, it } from 'vitest'
import * as api from './index'

describe('public surface', () => {
  it('exports exactly the documented names', () => {
    expect(Object.keys(api).sort()).toStrictEqual([
      'IPV4_PEER_BYTES', 'IPV6_PEER_BYTES', 'IpEncodingError', 'LAN_PEER_BYTES',
      'addressFamily', 'formatAddress', 'hostKey', 'ipv4Peers', 'ipv4Text', 'ipv4Value', 'ipv6Peers', 'lanPeer', 'nodeCodec',
      'normalizeHost', 'parseAddress', 'peerCodec', 'prefix16', 'prefix24'
    ])
  })

  it('codecs have the contract of ARCHITECTURE.md', () => {
    for (const codec of [api.ipv4Peers, api.ipv6Peers, api.nodeCodec({ idLength: 32 }), api.nodeCodec({ idLength: 20, family: 6 })]) {
      expect(typeof codec.bytesPerEntry).toBe('number')
      for (const m of ['encode', 'decode', 'encodingLength', 'encodeOne', 'decodeOne', 'encodeInto'] as const) {
        expect(typeof codec[m]).toBe('function')
      }
    }
    expect([api.IPV4_PEER_BYTES, api.IPV6_PEER_BYTES, api.LAN_PEER_BYTES]).toStrictEqual([6, 18, 4])
  })
})
