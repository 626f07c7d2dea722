// `--transport udx`: the built binary serving on udx-native (an optional dependency, installed
// here), joined and pinged by a library node on Node's dgram, stopped by SIGTERM; its failures
// reported as with the default transport.
import { createSocket } from 'node:dgram'
import { HyperDHT } from '@hyperdht-ts/hyperdht'
import { describe, expect, it } from 'vitest'
import { freeUdpPort, runToEnd, Server } from './helpers.js'

const HOST = '127.120.0.1'

describe('--transport udx', () => {
  it('serves on udx-native: a dgram node joins through it and is answered; /health is 200; SIGTERM exits 0', async () => {
    const server = new Server(['--port', '0', '--host', HOST, '--http-port', '0', '--transport', 'udx'])
    const node = new HyperDHT({ bootstrap: [] })
    try {
      const { port, httpPort } = await server.started(true)
      expect(server.logs.find((l) => l.msg === 'DHT node listening (server mode)')).toMatchObject({ transport: 'udx', port })
      await node.listen(0, '127.121.0.1')
      const pong = await node.dht.ping({ host: HOST, port })
      expect(pong.address).toEqual({ host: '127.121.0.1', port: node.address().port })
      const health = await fetch(`http://127.0.0.1:${httpPort!}/health`)
      expect(health.status).toBe(200)
      await node.destroy()
      const { code, ms } = await server.stop('SIGTERM')
      expect(code).toBe(0)
      expect(ms).toBeLessThan(10_000)
      expect(server.logs.map((l) => l.msg)).toContain('stopped')
    } finally {
      await node.destroy()
      await server.stop('SIGKILL')
    }
  })

  it('a busy UDP port: the same one line on stderr as on dgram, exit 1', async () => {
    const p = await freeUdpPort(HOST)
    const sock = createSocket('udp4')
    await new Promise<void>((resolve) => sock.bind(p, HOST, () => resolve()))
    try {
      const r = await runToEnd(['--port', String(p), '--host', HOST, '--transport', 'udx'])
      expect(r.code).toBe(1)
      expect(r.stderr).toBe(`hyperdht-bootstrap: UDP port ${p} is already in use on ${HOST}\n`)
    } finally {
      sock.close()
    }
  })

  it('an unknown transport is a bad flag: one line on stderr, exit 2', async () => {
    const r = await runToEnd(['--transport', 'quic'])
    expect(r.code).toBe(2)
    expect(r.stderr.split('\n').filter(Boolean)).toHaveLength(1)
    expect(r.stderr).toMatch(/^hyperdht-bootstrap: .*--transport.*quic.*dgram, udx/)
  })
})
