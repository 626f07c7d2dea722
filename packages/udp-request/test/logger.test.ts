// The optional logger over real loopback sockets: what it receives, and that nothing is printed
// without one.
import { afterEach, describe, expect, test, vi } from 'vitest'
import { recordingLogger, spyOnOutput, waitFor } from '@hyperdht-ts/test-utils'
import { UDPRequest } from '../src/index.js'
import { HOST, rawServer, sendRaw } from './helpers.js'

const cleanup: Array<() => Promise<unknown>> = []
afterEach(async () => {
  vi.restoreAllMocks()
  await Promise.all(cleanup.splice(0).map(async (fn) => await fn()))
})

async function sendGarbage (port: number): Promise<number> {
  const attacker = await rawServer()
  cleanup.push(attacker.close)
  await sendRaw(attacker.socket, Uint8Array.of(0x80), port) // shorter than the header
  return attacker.port
}

describe('logger', () => {
  test('a dropped datagram is logged at debug with its reason and sender; a failed send at warn', async () => {
    const logger = recordingLogger()
    const rpc = new UDPRequest({ logger })
    cleanup.push(async () => { await rpc.destroy() })
    rpc.on('warning', () => {})
    await rpc.listen(0, HOST)
    const from = await sendGarbage(rpc.address().port)
    await waitFor(() => logger.entries.length === 1)
    expect(logger.entries[0]).toEqual({
      level: 'debug',
      msg: 'udp-request: datagram dropped',
      fields: expect.objectContaining({ code: 'MESSAGE_TOO_SHORT', host: HOST, port: from })
    })

    await expect(rpc.request(new Uint8Array(70_000), { host: HOST, port: from })).rejects.toThrow() // EMSGSIZE
    expect(logger.entries[1]).toEqual({
      level: 'warn',
      msg: 'udp-request: send failed',
      fields: expect.objectContaining({ code: 'SEND_FAILED', host: HOST, port: from, cause: expect.stringContaining('EMSGSIZE') })
    })
  })

  test('a logger with only some methods is fine; without a logger nothing is printed', async () => {
    const output = spyOnOutput()
    const infos: string[] = []
    for (const rpc of [new UDPRequest(), new UDPRequest({ logger: { info: (msg) => { infos.push(msg) } } })]) {
      cleanup.push(async () => { await rpc.destroy() })
      const warnings: string[] = []
      rpc.on('warning', (err) => warnings.push(err.code))
      await rpc.listen(0, HOST)
      await sendGarbage(rpc.address().port)
      await waitFor(() => warnings.length === 1)
      await expect(rpc.request(new Uint8Array(70_000), { host: HOST, port: 9 })).rejects.toThrow()
    }
    expect(infos).toEqual([])
    expect(output.printed()).toEqual([])
  })
})
