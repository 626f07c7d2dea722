// HyperDHT forwards the dht-rpc node's lifecycle: ready, error (a fatal socket error, with
// dht-rpc's code), close; and offers unref().
import { createSocket } from 'node:dgram'
import { describe, expect, it } from 'vitest'
import { HyperDHT, HyperDHTError } from '../../src/index.js'
import { randomKey } from '../helpers/network.js'

describe('HyperDHT lifecycle events', () => {
  it('emits ready with the bootstrap outcome', async () => {
    const node = new HyperDHT()
    try {
      const ready = new Promise((resolve) => node.on('ready', resolve))
      await node.listen(0, '127.0.0.1')
      expect(await ready).toMatchObject({ nodes: 0, responses: 0, error: null })
    } finally {
      await node.destroy()
    }
  })

  it('a fatal socket error: error (SOCKET_ERROR) then close; the node is destroyed and running work fails with DESTROYED', async () => {
    const socket = createSocket('udp4')
    const node = new HyperDHT({ socket, timeout: 5000 })
    await node.listen(0, '127.0.0.1')
    const events: string[] = []
    let error: HyperDHTError | null = null
    node.on('error', (err) => { events.push('error'); error = err })
    const closed = new Promise<void>((resolve) => node.on('close', () => { events.push('close'); resolve() }))
    const silent = createSocket('udp4')
    await new Promise<void>((resolve) => silent.bind(0, '127.0.0.1', resolve))
    node.dht.ping({ host: '127.0.0.1', port: silent.address().port }).catch(() => {})
    const lookup = node.lookup(randomKey()).toArray().then(() => null, (e: HyperDHTError) => e.code)
    socket.emit('error', Object.assign(new Error('recvmsg EBADF'), { code: 'EBADF' }))
    await closed
    expect(events).toEqual(['error', 'close'])
    expect(HyperDHTError.isInstance(error)).toBe(true)
    expect(error).toMatchObject({ code: 'SOCKET_ERROR' })
    expect(node.destroyed).toBe(true)
    expect(await lookup).toBe('DESTROYED')
    expect(() => node.lookup(randomKey())).toThrow(expect.objectContaining({ code: 'DESTROYED' }))
    silent.close()
  })

  it('unref() returns the node', async () => {
    const node = new HyperDHT()
    try {
      expect(node.unref()).toBe(node)
    } finally {
      await node.destroy()
    }
  })
})
