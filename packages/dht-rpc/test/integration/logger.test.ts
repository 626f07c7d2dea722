// The optional logger over real loopback UDP: a recording logger gets the entries an operator
// wants, and a node without one prints nothing.
import { randomBytes } from 'node:crypto'
import { createSocket, type Socket } from 'node:dgram'
import { once } from 'node:events'
import { afterEach, describe, expect, it, vi } from 'vitest'
import { recordingLogger, spyOnOutput, waitFor } from '@hyperdht-ts/test-utils'
import { DHT, requestEncoding } from '../../src/index.js'

const cleanup: Array<() => Promise<unknown>> = []
afterEach(async () => {
  vi.restoreAllMocks()
  await Promise.all(cleanup.splice(0).map(async (fn) => await fn()))
})

async function udpSocket (): Promise<Socket> {
  const socket = createSocket('udp4')
  socket.bind(0, '127.0.0.1')
  await once(socket, 'listening')
  cleanup.push(async () => { await new Promise<void>((resolve) => socket.close(() => resolve())) })
  return socket
}

async function send (socket: Socket, msg: Uint8Array, port: number): Promise<void> {
  await new Promise<void>((resolve, reject) => socket.send(msg, port, '127.0.0.1', (err) => err ? reject(err) : resolve()))
}

/** A dht-rpc request datagram: the udp-request header (request bit + tid 1), then the protobuf. */
function request (msg: Parameters<typeof requestEncoding.encode>[0]): Uint8Array {
  const body = requestEncoding.encode(msg)
  const out = new Uint8Array(2 + body.length)
  out[0] = 0x80
  out[1] = 1
  out.set(body, 2)
  return out
}

/** Sends garbage, a request with a bad target and a request whose handler throws. */
async function abuse (node: DHT, target: DHT): Promise<void> {
  const port = node.address().port
  const attacker = await udpSocket()
  await send(attacker, Uint8Array.of(0x80), port) // shorter than the header
  await send(attacker, request({ command: '_find_node', target: Uint8Array.of(1, 2, 3) }), port) // target not 32 bytes
  await expect(target.query({ command: 'boom', target: randomBytes(32) }, { nodes: [{ host: '127.0.0.1', port }] }).toArray())
    .rejects.toMatchObject({ code: 'NO_NODES_RESPONDED' })
}

describe('logger', () => {
  it('gets the bootstrap failure (warn), dropped datagrams and requests (debug), handler errors (warn), added nodes (debug)', async () => {
    const dead = await udpSocket() // a bootstrap node that never answers
    const logger = recordingLogger()
    const node = new DHT({ bootstrap: [`127.0.0.1:${dead.address().port}`], timeout: 200, logger })
    const client = new DHT({ ephemeral: true, timeout: 200 })
    cleanup.push(async () => { await Promise.all([node.destroy(), client.destroy()]) })
    node.on('warning', () => {})
    node.command('boom', { query: () => { throw new Error('boom') } })
    await node.listen(0, '127.0.0.1')
    const result = await node.ready()
    expect(result.error?.code).toBe('BOOTSTRAP_FAILED')
    expect(logger.find('dht-rpc: bootstrap started')).toEqual({ level: 'info', msg: 'dht-rpc: bootstrap started', fields: { bootstrap: 1, nodes: 0 } })
    expect(logger.find('dht-rpc: bootstrap failed')).toEqual({
      level: 'warn', msg: 'dht-rpc: bootstrap failed', fields: { nodes: 0, cause: 'No nodes responded', unresolved: [] }
    })

    await client.listen(0, '127.0.0.1')
    await abuse(node, client)
    await waitFor(() => logger.find('dht-rpc: request dropped') !== undefined && logger.find('udp-request: datagram dropped') !== undefined)
    expect(logger.find('udp-request: datagram dropped')).toMatchObject({ level: 'debug', fields: { code: 'MESSAGE_TOO_SHORT', host: '127.0.0.1' } })
    expect(logger.find('dht-rpc: request dropped')).toMatchObject({ level: 'debug', fields: { reason: 'invalidTarget', command: '_find_node' } })
    expect(logger.find('dht-rpc: command handler failed')).toMatchObject({
      level: 'warn', fields: { command: 'boom', port: client.address().port, error: 'boom' }
    })

    // a node that answers is added to the table
    const other = new DHT()
    cleanup.push(async () => { await other.destroy() })
    await other.listen(0, '127.0.0.1')
    await node.ping(`127.0.0.1:${other.address().port}`)
    expect(logger.find('dht-rpc: node added')).toMatchObject({
      level: 'debug', fields: { id: Buffer.from(other.id).toString('hex'), port: other.address().port }
    })
    expect(logger.entries.every((e) => e.msg.startsWith('dht-rpc: ') || e.msg.startsWith('udp-request: '))).toBe(true)
  })

  it('a node without a logger prints nothing', async () => {
    const output = spyOnOutput()
    const dead = await udpSocket()
    const node = new DHT({ bootstrap: [`127.0.0.1:${dead.address().port}`, 'no-such-host.invalid:1'], timeout: 200 })
    const client = new DHT({ ephemeral: true, timeout: 200 })
    cleanup.push(async () => { await Promise.all([node.destroy(), client.destroy()]) })
    const warnings: string[] = []
    node.on('warning', (err) => warnings.push((err as Error & { code: string }).code))
    node.command('boom', { query: () => { throw new Error('boom') } })
    await node.listen(0, '127.0.0.1')
    expect((await node.ready()).error?.code).toBe('BOOTSTRAP_FAILED')
    await client.listen(0, '127.0.0.1')
    await abuse(node, client)
    await waitFor(() => node.stats.dropped.total >= 3)
    expect(warnings).toContain('MESSAGE_TOO_SHORT') // the same things happened
    expect(output.printed()).toEqual([])
  })
})
