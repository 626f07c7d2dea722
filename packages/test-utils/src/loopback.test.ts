import { createSocket } from 'node:dgram'
import { once } from 'node:events'
import { describe, expect, it } from 'vitest'
import { loopbackHost } from './loopback.js'

describe('loopbackHost', () => {
  it('gives one address per /16 of 127/8', () => {
    expect(loopbackHost(0)).toBe('127.0.0.1')
    expect(loopbackHost(1)).toBe('127.1.0.1')
    expect(loopbackHost(255)).toBe('127.255.0.1')
  })

  it('refuses what is not an octet', () => {
    for (const i of [-1, 256, 1.5, Number.NaN]) expect(() => loopbackHost(i)).toThrow(RangeError)
  })

  it.runIf(process.platform === 'linux')('on Linux, the addresses can be bound and reached without setup', async () => {
    const a = createSocket('udp4')
    const b = createSocket('udp4')
    try {
      a.bind(0, loopbackHost(1))
      b.bind(0, loopbackHost(2))
      await Promise.all([once(a, 'listening'), once(b, 'listening')])
      const received = once(b, 'message')
      a.send(Uint8Array.of(1), b.address().port, loopbackHost(2))
      const [, rinfo] = await received as [Buffer, { address: string }]
      expect(rinfo.address).toBe(loopbackHost(1))
    } finally {
      a.close()
      b.close()
    }
  })
})
