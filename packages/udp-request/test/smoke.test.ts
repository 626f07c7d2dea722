import { createSocket } from 'node:dgram'
import { expect, test } from 'vitest'
import { UDPRequest, type DatagramSocket } from '../src/index.js'

test('a dgram socket is a DatagramSocket', () => {
  const s = createSocket('udp4')
  const d: DatagramSocket = s
  expect(typeof d.send).toBe('function')
  s.close()
})

test('echo over loopback', async () => {
  const server = new UDPRequest()
  server.on('request', (value, peer) => server.response(value, peer))
  await server.listen(0, '127.0.0.1')
  const client = new UDPRequest()
  const { port } = server.address()
  const { value, peer } = await client.request(new TextEncoder().encode('hello'), { host: '127.0.0.1', port })
  expect(new TextDecoder().decode(value)).toBe('hello')
  expect(peer.port).toBe(port)
  await Promise.all([client.destroy(), server.destroy()])
})
