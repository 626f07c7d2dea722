// A fatal socket error (not one datagram's: the socket itself) tears the node down and is
// reported: `error` (SOCKET_ERROR, the socket's error as cause), then `close`.
import { createSocket } from 'node:dgram'
import { once } from 'node:events'
import { describe, expect, it } from 'vitest'
import { DHT, DHTError } from '../../src/index.js'
import { randomId } from '../helpers.js'

function ebadf (): NodeJS.ErrnoException {
  return Object.assign(new Error('recvmsg EBADF'), { code: 'EBADF', errno: -9, syscall: 'recvmsg' })
}

describe('fatal socket errors', () => {
  it('destroy the node and are reported as error, then close; running work ends with DESTROYED', async () => {
    const socket = createSocket('udp4')
    const node = new DHT({ socket, timeout: 5000 })
    await node.listen(0, '127.0.0.1')
    const events: string[] = []
    let error: DHTError | null = null
    node.on('error', (err) => { events.push('error'); error = err })
    node.on('close', () => events.push('close'))
    const silent = createSocket('udp4')
    await new Promise<void>((resolve) => silent.bind(0, '127.0.0.1', resolve))
    const q = node.query({ command: 'x', target: randomId() }, { nodes: [{ host: '127.0.0.1', port: silent.address().port }] })
    const done = q.toArray().then(() => null, (e: DHTError) => e.code)
    await new Promise((resolve) => setTimeout(resolve, 20))
    const cause = ebadf()
    socket.emit('error', cause)
    await once(node, 'close')
    expect(events).toEqual(['error', 'close'])
    expect(error).toMatchObject({ code: 'SOCKET_ERROR', cause })
    expect(node.destroyed).toBe(true)
    expect(await done).toBe('DESTROYED')
    await expect(node.ping({ host: '127.0.0.1', port: 9 })).rejects.toMatchObject({ code: 'DESTROYED' })
    silent.close()
  })

  it('without an error listener the node still shuts down and closes, without throwing', async () => {
    const socket = createSocket('udp4')
    const node = new DHT({ socket })
    await node.listen(0, '127.0.0.1')
    // (not events.once: it would listen for 'error')
    const closed = new Promise((resolve) => node.on('close', () => resolve(null)))
    expect(node.listenerCount('error')).toBe(0)
    expect(() => socket.emit('error', ebadf())).not.toThrow()
    await closed
    expect(node.destroyed).toBe(true)
  })

  it('a socket closed from outside closes the node too', async () => {
    const socket = createSocket('udp4')
    const node = new DHT({ socket })
    await node.listen(0, '127.0.0.1')
    const closed = once(node, 'close')
    socket.close()
    await closed
    expect(node.destroyed).toBe(true)
  })

  it('unref() lets the process exit with the node open', async () => {
    const node = new DHT()
    await node.listen(0, '127.0.0.1')
    expect(node.unref()).toBe(node)
    await node.destroy()
  })
})
