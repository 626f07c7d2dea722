// Hostile and broken inputs over real loopback sockets: wrong-host responses, malformed
// datagrams, busy ports, bad arguments, kernel send errors, and a non-dgram socket.
import { createSocket } from 'node:dgram'
import { EventEmitter, once } from 'node:events'
import { afterEach, describe, expect, test } from 'vitest'
import { UDPRequest, UDPRequestError, type DatagramSocket, type Encoding, type RemoteInfo } from '../src/index.js'
import { HOST, dec, enc, packet, rawServer, sendRaw, waitFor, type RawServer } from './helpers.js'

const cleanup: Array<() => Promise<unknown>> = []
afterEach(async () => {
  await Promise.all(cleanup.splice(0).map(async (fn) => await fn()))
})

function track<T extends { destroy: () => Promise<unknown> }> (rpc: T): T {
  cleanup.push(async () => { await rpc.destroy() })
  return rpc
}

async function raw (reply?: Parameters<typeof rawServer>[0], host = HOST, port = 0): Promise<RawServer> {
  const s = await rawServer(reply, host, port)
  cleanup.push(s.close)
  return s
}

async function rejection (p: Promise<unknown> | (() => unknown)): Promise<UDPRequestError> {
  try {
    await (typeof p === 'function' ? p() : p)
  } catch (err) {
    expect(UDPRequestError.isInstance(err)).toBe(true)
    return err as UDPRequestError
  }
  throw new Error('expected a rejection')
}

describe('response matching', () => {
  test('a response with the right tid from another host or port is ignored and counted', async () => {
    const server = await raw()
    const client = track(new UDPRequest({ timeout: 10_000 })) // must not time out on a loaded machine
    const warnings: UDPRequestError[] = []
    client.on('warning', (err) => warnings.push(err))
    const p = client.request(enc('q'), { host: HOST, port: server.port })
    await waitFor(() => server.received.length === 1)
    const { msg, rinfo } = server.received[0]!
    const tid = msg.readUInt16BE(0) & 0x7fff

    // Same port on another loopback address, then another port on the same address.
    const otherHost = await raw(undefined, '127.0.0.2', server.port)
    const otherPort = await raw()
    await sendRaw(otherHost.socket, packet(false, tid, enc('spoof-host')), rinfo.port)
    await sendRaw(otherPort.socket, packet(false, tid, enc('spoof-port')), rinfo.port)
    await waitFor(() => client.stats.dropped.wrongHost === 2)
    expect(client.inflight).toBe(1)
    expect(warnings.map((w) => w.code)).toEqual(['WRONG_HOST', 'WRONG_HOST'])

    await sendRaw(server.socket, packet(false, tid, enc('real')), rinfo.port)
    const { value, peer } = await p
    expect(dec(value)).toBe('real')
    expect(peer).toEqual({ host: HOST, port: server.port, tid })
  })

  test('a response from a third host is ignored unless the request is marked forwarded', async () => {
    const b = await raw()
    const f = await raw((msg, rinfo, socket) => {
      // F forwards the request to B and tells it where the requester is.
      const body = Buffer.concat([msg.subarray(2), Buffer.from('|' + String(rinfo.port))])
      socket.send(packet(true, msg.readUInt16BE(0) & 0x7fff, body), b.port, HOST)
    })
    b.socket.on('message', (msg) => {
      const [, port] = msg.subarray(2).toString().split('|')
      b.socket.send(packet(false, msg.readUInt16BE(0) & 0x7fff, enc('from B')), Number(port), HOST)
    })
    const client = track(new UDPRequest({ timeout: 40 }))
    client.on('warning', () => {})
    expect((await rejection(client.request(enc('strict'), { host: HOST, port: f.port }))).code).toBe('REQUEST_TIMEOUT')
    expect(client.stats.dropped.wrongHost).toBe(1)
    const { value, peer } = await client.request(enc('punch'), { host: HOST, port: f.port }, { forwarded: true })
    expect(dec(value)).toBe('from B')
    expect(peer.port).toBe(b.port)
  })

  test('a request sent to a host name is matched on port', async () => {
    const server = track(new UDPRequest())
    server.on('request', (v, peer) => server.response(v, peer))
    await server.listen(0, HOST)
    const client = track(new UDPRequest())
    const { value, peer } = await client.request(enc('hi'), { host: 'localhost', port: server.address().port })
    expect(dec(value)).toBe('hi')
    expect(peer.host).toBe(HOST)
  })
})

describe('malformed datagrams', () => {
  test('short and undecodable datagrams are counted, warned about and dropped; the socket keeps serving', async () => {
    const strict: Encoding<string> = {
      encode: (s) => enc(s),
      decode: (b) => {
        const s = dec(b)
        if (!s.startsWith('ok')) throw new Error('not ok')
        return s
      }
    }
    const server = track(new UDPRequest<string, string>({ requestEncoding: strict, responseEncoding: strict }))
    const warnings: string[] = []
    server.on('warning', (err) => warnings.push(err.code))
    server.on('request', (v, peer) => server.response(v + '!', peer))
    await server.listen(0, HOST)
    const port = server.address().port

    const attacker = await raw()
    await sendRaw(attacker.socket, new Uint8Array(0), port)
    await sendRaw(attacker.socket, Uint8Array.of(0x80), port)
    await sendRaw(attacker.socket, packet(true, 1, enc('garbage')), port)
    await sendRaw(attacker.socket, packet(false, 2, enc('garbage')), port)
    await waitFor(() => warnings.length === 4)
    expect(warnings).toEqual(['MESSAGE_TOO_SHORT', 'MESSAGE_TOO_SHORT', 'DECODE_FAILED', 'DECODE_FAILED'])
    expect(server.stats.dropped).toEqual({ tooShort: 2, undecodable: 2, unmatchedResponse: 0, wrongHost: 0, refused: 0 })
    expect(server.stats.requestsReceived).toBe(0)

    const client = track(new UDPRequest<string, string>({ requestEncoding: strict, responseEncoding: strict }))
    expect((await client.request('ok go', { host: HOST, port })).value).toBe('ok go!')
  })

  test('an undecodable response does not settle the pending request', async () => {
    const server = await raw((msg, rinfo, socket) => {
      const tid = msg.readUInt16BE(0) & 0x7fff
      socket.send(packet(false, tid, enc('bad')), rinfo.port, rinfo.address)
      socket.send(packet(false, tid, enc('ok-good')), rinfo.port, rinfo.address)
    })
    const strict: Encoding<string> = { encode: enc, decode: (b) => { const s = dec(b); if (s === 'bad') throw new Error('bad'); return s } }
    const client = track(new UDPRequest<Uint8Array, string>({ responseEncoding: strict }))
    client.on('warning', () => {})
    expect((await client.request(enc('x'), { host: HOST, port: server.port })).value).toBe('ok-good')
    expect(client.stats.dropped.undecodable).toBe(1)
  })
})

describe('listen', () => {
  test('a busy port rejects with ADDRESS_IN_USE and no error event; the instance can listen elsewhere', async () => {
    const first = await raw()
    const rpc = track(new UDPRequest())
    let errors = 0
    rpc.on('error', () => { errors++ })
    const err = await rejection(rpc.listen(first.port, HOST))
    expect(err.code).toBe('ADDRESS_IN_USE')
    expect((err.cause as NodeJS.ErrnoException).code).toBe('EADDRINUSE')
    expect(errors).toBe(0)
    await rpc.listen(0, HOST)
    expect(rpc.address().port).not.toBe(first.port)
  })

  test('an address that is not local rejects with LISTEN_FAILED', async () => {
    const rpc = track(new UDPRequest())
    const err = await rejection(rpc.listen(0, '192.0.2.1'))
    expect(err.code).toBe('LISTEN_FAILED')
    expect((err.cause as NodeJS.ErrnoException).code).toBe('EADDRNOTAVAIL')
  })

  test('an unresolvable host rejects with LISTEN_FAILED', async () => {
    const rpc = track(new UDPRequest())
    const err = await rejection(rpc.listen(0, 'no-such-host.invalid'))
    expect(err.code).toBe('LISTEN_FAILED')
    expect(err.cause).toBeInstanceOf(Error)
  })

  test('listening twice rejects with LISTEN_FAILED', async () => {
    const rpc = track(new UDPRequest())
    const events: string[] = []
    rpc.on('listening', () => events.push('listening'))
    await rpc.listen(0, HOST)
    expect(events).toEqual(['listening'])
    expect((await rejection(rpc.listen(0, HOST))).code).toBe('LISTEN_FAILED')
  })

  test('address() before listening throws NOT_LISTENING', async () => {
    const rpc = track(new UDPRequest())
    expect((await rejection(() => rpc.address())).code).toBe('NOT_LISTENING')
  })
})

describe('invalid arguments', () => {
  test('bad ports, hosts and options give INVALID_ARGUMENT', async () => {
    const rpc = track(new UDPRequest())
    const bad = [
      { host: HOST, port: 0 },
      { host: HOST, port: 65536 },
      { host: HOST, port: 1.5 },
      { host: '', port: 1 },
      { port: 1 },
      null
    ]
    for (const to of bad) {
      expect((await rejection(rpc.request(enc('x'), to as never))).code).toBe('INVALID_ARGUMENT')
    }
    expect((await rejection(rpc.listen(-1))).code).toBe('INVALID_ARGUMENT')
    expect((await rejection(rpc.listen(0, ''))).code).toBe('INVALID_ARGUMENT')
    expect((await rejection(() => new UDPRequest({ timeout: 0 }))).code).toBe('INVALID_ARGUMENT')
    expect((await rejection(() => new UDPRequest({ firstTid: 32767 }))).code).toBe('INVALID_ARGUMENT')
    expect((await rejection(() => rpc.response(enc('x'), { host: HOST, port: 1, tid: -1 }))).code).toBe('INVALID_ARGUMENT')
    expect((await rejection(() => rpc.forwardRequest(enc('x'), { tid: 1 }, { host: HOST, port: 0 }))).code).toBe('INVALID_ARGUMENT')
    expect((await rejection(rpc.request('not bytes' as never, { host: HOST, port: 1 }))).code).toBe('ENCODE_FAILED')
    expect(rpc.inflight).toBe(0)
  })
})

describe('send errors', () => {
  test('a send the kernel refuses fails only that request', async () => {
    const server = track(new UDPRequest())
    server.on('request', (v, peer) => server.response(v, peer))
    await server.listen(0, HOST)
    const client = track(new UDPRequest())
    const to = { host: HOST, port: server.address().port }
    const err = await rejection(client.request(new Uint8Array(70_000), to)) // EMSGSIZE
    expect(err.code).toBe('SEND_FAILED')
    expect((err.cause as NodeJS.ErrnoException).code).toBe('EMSGSIZE')
    const broadcast = await rejection(client.request(enc('x'), { host: '255.255.255.255', port: 9 })) // EACCES
    expect(broadcast.code).toBe('SEND_FAILED')
    expect(client.stats.sendErrors).toBe(2)
    expect(client.inflight).toBe(0)
    expect(dec((await client.request(enc('still'), to)).value)).toBe('still')
  })

  test('a failed response send is a warning, not a crash', async () => {
    const server = track(new UDPRequest())
    const warnings: UDPRequestError[] = []
    server.on('warning', (err) => warnings.push(err))
    server.on('request', (_v, peer) => server.response(new Uint8Array(70_000), peer))
    await server.listen(0, HOST)
    const client = track(new UDPRequest({ timeout: 40 }))
    expect((await rejection(client.request(enc('x'), { host: HOST, port: server.address().port }))).code).toBe('REQUEST_TIMEOUT')
    await waitFor(() => warnings.length === 1)
    expect(warnings[0]!.code).toBe('SEND_FAILED')
    expect(server.stats.sendErrors).toBe(1)
  })

  test('responses on a dgram socket: the first and every 64th is checked, so a lasting failure still shows', async () => {
    // Unchecked responses spare Node's per-send callback tick; the sampled ones report (EACCES).
    const server = track(new UDPRequest())
    const warnings: UDPRequestError[] = []
    server.on('warning', (err) => warnings.push(err))
    await server.listen(0, HOST)
    const broadcast = { host: '255.255.255.255', port: 9, tid: 1 }
    for (let i = 0; i < 129; i++) server.response(enc('x'), broadcast)
    await waitFor(() => server.stats.sendErrors === 3)
    expect(warnings.map((w) => w.code)).toEqual(['SEND_FAILED', 'SEND_FAILED', 'SEND_FAILED'])
    expect(server.stats.responsesSent).toBe(129)
    // a response over 1,232 bytes is always checked (EMSGSIZE fails just that datagram)
    server.response(new Uint8Array(70_000), { host: HOST, port: 9, tid: 2 })
    await waitFor(() => server.stats.sendErrors === 4)
  })

  test('a knownRoute request goes unchecked but for the sampled ones: its send failure is then a timeout', async () => {
    const client = track(new UDPRequest({ timeout: 40 }))
    await client.listen(0, HOST)
    const broadcast = { host: '255.255.255.255', port: 9 } // EACCES
    expect((await rejection(client.request(enc('x'), broadcast, { knownRoute: true }))).code).toBe('SEND_FAILED') // the sampled first
    expect((await rejection(client.request(enc('x'), broadcast, { knownRoute: true }))).code).toBe('REQUEST_TIMEOUT')
    expect((await rejection(client.request(enc('x'), broadcast))).code).toBe('SEND_FAILED') // not marked: always checked
    expect(client.stats.sendErrors).toBe(2)
  })
})

describe('ipv6', () => {
  test('echo over ::1', async (ctx) => {
    const probe = createSocket('udp6')
    const ok = await new Promise<boolean>((resolve) => {
      probe.once('error', () => resolve(false))
      probe.bind(0, '::1', () => resolve(true))
    })
    probe.close()
    if (!ok) ctx.skip()
    const server = track(new UDPRequest({ ipv6: true }))
    server.on('request', (v, peer) => server.response(v, peer))
    await server.listen(0, '::1')
    expect(server.address().family).toBe('IPv6')
    const client = track(new UDPRequest({ ipv6: true }))
    const { value, peer } = await client.request(enc('six'), { host: '0:0:0:0:0:0:0:1', port: server.address().port })
    expect(dec(value)).toBe('six')
    expect(peer.host).toBe('::1')
  })
})

/** An in-memory datagram network: enough to show that any DatagramSocket-shaped object works. */
class MemorySocket extends EventEmitter {
  static net = new Map<string, MemorySocket>()
  #addr: { address: string, port: number, family: string } | null = null
  constructor (readonly host: string) { super() }
  send (msg: Uint8Array, port: number, address: string, cb?: (err: Error | null) => void): void {
    if (this.#addr === null) this.bind(0, undefined)
    const from: RemoteInfo = { address: this.#addr!.address, port: this.#addr!.port }
    const copy = Uint8Array.from(msg)
    setImmediate(() => {
      MemorySocket.net.get(`${address}:${port}`)?.emit('message', copy, from)
      cb?.(null)
    })
  }

  bind (port: number, _address: string | undefined): void {
    const p = port === 0 ? 40000 + MemorySocket.net.size : port
    if (MemorySocket.net.has(`${this.host}:${p}`)) {
      setImmediate(() => this.emit('error', Object.assign(new Error('in use'), { code: 'EADDRINUSE' })))
      return
    }
    this.#addr = { address: this.host, port: p, family: 'IPv4' }
    MemorySocket.net.set(`${this.host}:${p}`, this)
    setImmediate(() => this.emit('listening'))
  }

  address (): { address: string, port: number, family: string } {
    if (this.#addr === null) throw new Error('not bound')
    return this.#addr
  }

  close (): void {
    if (this.#addr !== null) MemorySocket.net.delete(`${this.#addr.address}:${this.#addr.port}`)
    setImmediate(() => this.emit('close'))
  }
}

describe('custom sockets', () => {
  test('works over any DatagramSocket, and reports its fatal errors as error events', async () => {
    const a: DatagramSocket = new MemorySocket('10.0.0.1')
    const b = new MemorySocket('10.0.0.2')
    const server = track(new UDPRequest({ socket: b }))
    server.on('request', (v, peer) => server.response(v, peer))
    await server.listen(5000)
    const client = track(new UDPRequest({ socket: a }))
    await client.listen(5000)
    const { value, peer } = await client.request(enc('mem'), { host: '10.0.0.2', port: 5000 })
    expect(dec(value)).toBe('mem')
    expect(peer).toMatchObject({ host: '10.0.0.2', port: 5000 })

    const busy = track(new UDPRequest({ socket: new MemorySocket('10.0.0.2') }))
    expect((await rejection(busy.listen(5000))).code).toBe('ADDRESS_IN_USE')

    const fatal = once(server, 'error')
    const warning = once(server, 'warning')
    b.emit('error', Object.assign(new Error('unreachable'), { code: 'EHOSTUNREACH' }))
    b.emit('error', new Error('socket exploded'))
    expect(((await warning)[0] as UDPRequestError).code).toBe('SOCKET_ERROR')
    expect(((await fatal)[0] as Error).message).toBe('socket exploded')
  })
})
