// Both kinds of port over loopback UDP: the DHT's socket shared with dht-rpc, and an extra socket.
import { createSocket } from 'node:dgram'
import { DHT } from '@hyperdht-ts/dht-rpc'
import { testnetHost } from '@hyperdht-ts/dht-rpc/testnet'
import { waitFor } from '@hyperdht-ts/test-utils'
import { afterEach, describe, expect, it } from 'vitest'
import { encodeFrame, FRAME_TYPE } from '../connection/frame'
import type { Peer } from '../types'
import { DhtPort, SocketPort } from './port'

const cleanup: Array<() => Promise<unknown> | unknown> = []
afterEach(async () => {
  while (cleanup.length > 0) await cleanup.pop()!()
})

const probe = (id: number): Uint8Array => encodeFrame({ type: FRAME_TYPE.PROBE, id, seq: 0, ack: 0 })

/** A plain socket that records what arrives. */
async function recorder (host: string): Promise<{ address: Peer, got: Array<{ bytes: Buffer, from: Peer }>, send: (b: Uint8Array, to: Peer) => void }> {
  const socket = createSocket('udp4')
  const got: Array<{ bytes: Buffer, from: Peer }> = []
  socket.on('message', (bytes, rinfo) => got.push({ bytes, from: { host: rinfo.address, port: rinfo.port } }))
  await new Promise<void>((resolve) => socket.bind(0, host, resolve))
  cleanup.push(() => { socket.close() })
  return { address: { host, port: socket.address().port }, got, send: (b, to) => socket.send(b, to.port, to.host) }
}

describe('DhtPort', () => {
  it('takes the frames out of the DHT socket\'s datagrams and sends from that socket, until closed', async () => {
    const dht = new DHT({ bootstrap: [] })
    cleanup.push(async () => await dht.destroy())
    await dht.listen(0, testnetHost(250))
    const received: Array<{ from: Peer }> = []
    const port = new DhtPort(dht, (_bytes, from) => received.push({ from }))
    const other = await recorder(testnetHost(251))

    other.send(probe(1), dht.address())
    await waitFor(() => received.length === 1)
    expect(received[0]!.from).toEqual(other.address)

    port.send(probe(2), other.address)
    await waitFor(() => other.got.length === 1)
    expect(other.got[0]!.from).toEqual({ host: dht.address().host, port: dht.address().port })
    port.send(probe(3), { host: 'not an address', port: 1 }) // a lost datagram, not an exception

    port.close()
    port.close() // idempotent
    port.send(probe(4), other.address)
    other.send(probe(5), dht.address())
    await new Promise((resolve) => setTimeout(resolve, 100))
    expect(received).toHaveLength(1)
    expect(other.got.filter((g) => g.bytes.equals(Buffer.from(probe(4))))).toHaveLength(0)
  })

  it('sends nothing once its DHT is destroyed, and closes quietly after it', async () => {
    const dht = new DHT({ bootstrap: [] })
    await dht.listen(0, testnetHost(252))
    const port = new DhtPort(dht, () => {})
    const other = await recorder(testnetHost(253))
    await dht.destroy()
    port.send(probe(1), other.address)
    port.close()
    await new Promise((resolve) => setTimeout(resolve, 100))
    expect(other.got).toHaveLength(0)
  })
})

describe('SocketPort', () => {
  it('delivers frames only, sends from its own address, and stops both when closed', async () => {
    const received: Peer[] = []
    const port = await SocketPort.open(testnetHost(254), 4, (_bytes, from) => received.push(from))
    cleanup.push(() => { port.close() })
    const other = await recorder(testnetHost(255))
    other.send(new Uint8Array([1, 2, 3]), port.address()) // not a frame
    other.send(probe(1), port.address())
    await waitFor(() => received.length === 1)
    expect(received[0]).toEqual(other.address)

    port.send(probe(2), other.address)
    await waitFor(() => other.got.length === 1)
    expect(other.got[0]!.from).toEqual(port.address())

    port.close()
    port.close() // idempotent
    port.send(probe(3), other.address) // closed: nothing, and no throw
    await new Promise((resolve) => setTimeout(resolve, 100))
    expect(other.got).toHaveLength(1)
  })

  it('rejects when the bind fails', async () => {
    await expect(SocketPort.open('192.0.2.1', 4, () => {})).rejects.toThrow() // TEST-NET-1: not an address of ours
  })
})
