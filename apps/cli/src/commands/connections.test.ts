import { describe, expect, it } from 'vitest'
import { parseConnectionArgs } from './connections.js'

describe('listen/connect/chat arguments (the commands wait for the holepunch work)', () => {
  it('hashes a topic, shares the LAN address by default, opts out with --no-local-address', () => {
    expect(parseConnectionArgs('room', {})).toMatchObject({ key: { hashed: true, input: 'room' }, localAddress: undefined })
    expect(parseConnectionArgs('room', { localAddress: false }).localAddress).toBe(false)
    expect(parseConnectionArgs('room', { localAddress: '192.168.1.5:0' }).localAddress).toEqual({ host: '192.168.1.5', port: 0 })
    expect(() => parseConnectionArgs('room', { localAddress: 'lan' })).toThrow(/port is missing/)
  })
})
