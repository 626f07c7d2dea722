import { createSocket, type Socket } from 'node:dgram'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { DHT, requestEncoding, responseEncoding, type RequestMessage, type ResponseMessage } from '../../src/index.js'
import { hex, randomId } from '../helpers.js'

// Raw datagrams at a live node; each case checks the exact answer (or silence) and the counter.
describe('bad input over UDP', () => {
  let node: DHT
  let sock: Socket
  let port: number
  let tid = 1
  const replies = new Map<number, ResponseMessage>()

  beforeAll(async () => {
    node = new DHT()
    node.command('kv', { query: () => new Uint8Array([7]) })
    await node.listen(0, '127.0.0.1')
    port = node.address().port
    sock = createSocket('udp4')
    sock.on('message', (m) => {
      if (m.length >= 2 && !(m[0]! & 0x80)) replies.set(m.readUInt16BE(0), responseEncoding.decode(m.subarray(2)))
    })
    await new Promise<void>((resolve) => sock.bind(0, '127.0.0.1', resolve))
  })

  afterAll(async () => {
    sock.close()
    await node.destroy()
  })

  async function send (raw: Uint8Array, wait = 150): Promise<ResponseMessage | null> {
    const id = tid++
    const msg = Buffer.concat([Buffer.from([0x80 | (id >> 8), id & 0xff]), raw])
    sock.send(msg, port, '127.0.0.1')
    for (let i = 0; i < wait / 10; i++) {
      await new Promise((resolve) => setTimeout(resolve, 10))
      if (replies.has(id)) return replies.get(id)!
    }
    return null
  }
  const request = (m: RequestMessage): Promise<ResponseMessage | null> => send(requestEncoding.encode(m))

  it('_find_node with a target that is not 32 bytes: no answer, counted', async () => {
    const before = node.stats.dropped.invalidTarget
    expect(await request({ command: '_find_node', target: randomId().subarray(0, 31) })).toBeNull()
    expect(await request({ command: '_find_node' })).toBeNull()
    expect(node.stats.dropped.invalidTarget).toBe(before + 2)
  })

  it('an application command with a bad target: no answer', async () => {
    expect(await request({ command: 'kv', target: Buffer.alloc(33) })).toBeNull()
    expect(await request({ command: 'nobody-knows', target: Buffer.alloc(5) })).toBeNull()
  })

  it('an unknown command with a good target is answered with nodes, a token and no value', async () => {
    const res = await request({ command: 'nobody-knows', target: randomId() })
    expect(res).not.toBeNull()
    expect(hex(res!.id)).toBe(hex(node.id))
    expect(res!.value).toBeNull()
    expect(res!.roundtripToken?.byteLength).toBe(32)
    expect(res!.nodes).not.toBeUndefined()
  })

  it('a wrong-length id is answered but never enters the routing table', async () => {
    const id = Buffer.alloc(33, 1)
    const res = await request({ command: 'kv', id, target: randomId() })
    expect([...res!.value!]).toEqual([7])
    expect(node.toArray().length).toBe(0)
    await request({ command: '_ping', id: Buffer.alloc(31, 2) })
    expect(node.toArray().length).toBe(0)
  })

  it('a valid id without a token enters the table only once a verification ping is answered (the node itself never does)', async () => {
    await request({ command: '_ping', id: node.id })
    expect(node.toArray().length).toBe(0)
    const id = randomId()
    const pings: Array<{ tid: number }> = []
    const onPing = (m: Buffer): void => {
      if (m.length >= 2 && (m[0]! & 0x80) && requestEncoding.decode(m.subarray(2)).command === '_ping') pings.push({ tid: m.readUInt16BE(0) & 0x7fff })
    }
    sock.on('message', onPing)
    try {
      await request({ command: '_ping', id })
      // not yet: anybody can put any id in a request from a spoofed address
      expect(node.findLocal(id)).toBeNull()
      for (let i = 0; i < 50 && pings.length === 0; i++) await new Promise((resolve) => setTimeout(resolve, 10))
      expect(pings).toHaveLength(1)
      const answer = responseEncoding.encode({ id, value: Buffer.from([127, 0, 0, 1, 0, 1]) })
      sock.send(Buffer.concat([Buffer.from([pings[0]!.tid >> 8, pings[0]!.tid & 0xff]), answer]), port, '127.0.0.1')
      for (let i = 0; i < 50 && node.findLocal(id) === null; i++) await new Promise((resolve) => setTimeout(resolve, 10))
      expect(hex(node.findLocal(id)?.id)).toBe(hex(id))
      expect(node.stats.verifications).toBe(1)
    } finally {
      sock.off('message', onPing)
    }
  })

  it('a valid id with a roundtrip token we issued enters the table at once', async () => {
    const token = (await request({ command: '_ping' }))!.roundtripToken!
    const id = randomId()
    await request({ command: '_ping', id, roundtripToken: token })
    expect(hex(node.findLocal(id)?.id)).toBe(hex(id))
  })

  it('forward fields that are not one peer, or on another command than _ping: dropped', async () => {
    const before = node.stats.dropped.invalidForward
    expect(await request({ command: '_ping', forwardRequest: Buffer.alloc(5) })).toBeNull()
    expect(await request({ command: '_ping', forwardResponse: Buffer.alloc(12) })).toBeNull()
    expect(await request({ command: 'kv', target: randomId(), forwardRequest: Buffer.from([127, 0, 0, 1, 0, 9]) })).toBeNull()
    expect(node.stats.holepunches.forwarded).toBe(0)
    expect(node.stats.dropped.invalidForward).toBe(before + 3)
  })

  it('truncated, undecodable and header-only datagrams are dropped and counted', async () => {
    const before = node.stats.dropped
    sock.send(Buffer.from([0x80]), port, '127.0.0.1')
    expect(await send(Buffer.from([0xff, 0xff, 0xff]))).toBeNull()
    expect(await send(Buffer.alloc(0))).toBeNull() // a request without the required command
    const after = node.stats.dropped
    expect(after.tooShort).toBe(before.tooShort + 1)
    expect(after.undecodable).toBe(before.undecodable + 2)
    // a response nobody asked for
    sock.send(Buffer.concat([Buffer.from([0x00, 0x05]), responseEncoding.encode({ value: Buffer.from([1]) })]), port, '127.0.0.1')
    await new Promise((resolve) => setTimeout(resolve, 50))
    expect(node.stats.dropped.unmatched).toBe(before.unmatched + 1)
  })

  it('still answers _ping with the reflexive address afterwards', async () => {
    const res = await request({ command: '_ping' })
    expect(res!.value?.byteLength).toBe(6)
    expect(Buffer.from(res!.value!).readUInt16BE(4)).toBe(sock.address().port)
  })
})

describe('unsolicited responses', () => {
  it('25 responses with valid ids that answer nothing of ours are counted as dropped and never enter the table', async () => {
    const victim = new DHT()
    const sock = createSocket('udp4')
    try {
      await victim.listen(0, '127.0.0.1')
      await new Promise<void>((resolve) => sock.bind(0, '127.0.0.1', resolve))
      const before = victim.stats.dropped.unmatched
      for (let i = 0; i < 25; i++) {
        const body = responseEncoding.encode({ id: randomId(), roundtripToken: randomId(), nodes: null })
        sock.send(Buffer.concat([Buffer.from([0x00, i + 1]), body]), victim.address().port, '127.0.0.1')
      }
      for (let i = 0; i < 100 && victim.stats.dropped.unmatched < before + 25; i++) await new Promise((resolve) => setTimeout(resolve, 10))
      expect(victim.stats.dropped.unmatched).toBe(before + 25)
      expect(victim.toArray()).toHaveLength(0)
    } finally {
      sock.close()
      await victim.destroy()
    }
  })
})
