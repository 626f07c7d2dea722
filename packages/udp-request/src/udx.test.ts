// The optional udx-native transport behind the DatagramSocket interface, over real loopback UDP.
import { createSocket } from 'node:dgram'
import { afterEach, describe, expect, test } from 'vitest'
import { UDPRequest, UDPRequestError } from './index.js'
import { createUdxSocket } from './udx.js'

const cleanup: Array<() => Promise<unknown>> = []
afterEach(async () => {
  await Promise.all(cleanup.splice(0).map(async (fn) => await fn()))
})

function track (rpc: UDPRequest): UDPRequest {
  cleanup.push(async () => { await rpc.destroy() })
  return rpc
}

describe('createUdxSocket', () => {
  test('requests and responses between a udx node and a dgram node, both ways', async () => {
    const udx = track(new UDPRequest({ socket: createUdxSocket(), timeout: 500 }))
    const plain = track(new UDPRequest({ timeout: 500 }))
    for (const rpc of [udx, plain]) rpc.on('request', (value, peer) => rpc.response(Uint8Array.from([...value, 0xff]), peer))
    await udx.listen(0, '127.0.0.1')
    await plain.listen(0, '127.0.0.1')
    expect(udx.address()).toMatchObject({ host: '127.0.0.1', port: expect.any(Number) })
    const a = await udx.request(Uint8Array.of(1, 2), { host: '127.0.0.1', port: plain.address().port })
    expect([...a.value]).toEqual([1, 2, 0xff])
    expect(a.peer.port).toBe(plain.address().port)
    const b = await plain.request(Uint8Array.of(3), { host: '127.0.0.1', port: udx.address().port })
    expect([...b.value]).toEqual([3, 0xff])
    // many in flight at once: answers are not mixed up (views into udx's receive slab)
    const answers = await Promise.all(Array.from({ length: 200 }, async (_, i) => await udx.request(Uint8Array.of(i & 0xff, i >> 8), { host: '127.0.0.1', port: plain.address().port })))
    answers.forEach((r, i) => expect([...r.value]).toEqual([i & 0xff, i >> 8, 0xff]))
  })

  test('a busy port is ADDRESS_IN_USE, as on dgram', async () => {
    const taken = createSocket('udp4')
    await new Promise<void>((resolve) => taken.bind(0, '127.0.0.1', resolve))
    cleanup.push(async () => await new Promise<void>((resolve) => taken.close(() => resolve())))
    const rpc = track(new UDPRequest({ socket: createUdxSocket() }))
    const err = await rpc.listen(taken.address().port, '127.0.0.1').then(() => null, (e: unknown) => e)
    expect(UDPRequestError.isInstance(err)).toBe(true)
    expect((err as UDPRequestError).code).toBe('ADDRESS_IN_USE')
  })

  test('a request to an address that does not answer times out; destroy closes the socket', async () => {
    const rpc = track(new UDPRequest({ socket: createUdxSocket(), timeout: 100 }))
    await rpc.listen(0, '127.0.0.1')
    const silent = createSocket('udp4')
    await new Promise<void>((resolve) => silent.bind(0, '127.0.0.1', resolve))
    cleanup.push(async () => await new Promise<void>((resolve) => silent.close(() => resolve())))
    const err = await rpc.request(Uint8Array.of(1), { host: '127.0.0.1', port: silent.address().port }).then(() => null, (e: unknown) => e)
    expect((err as UDPRequestError).code).toBe('REQUEST_TIMEOUT')
    await rpc.destroy()
    expect(rpc.destroyed).toBe(true)
  })
})
