// The outcome of a bootstrap over real loopback UDP: `ready()` still resolves when nobody
// answers (the first node of a network must start), but the failure is visible.
import { createSocket, type Socket } from 'node:dgram'
import { once } from 'node:events'
import { afterEach, describe, expect, it } from 'vitest'
import { DHT, DHTError } from '../../src/index.js'

const cleanup: Array<() => Promise<unknown>> = []
afterEach(async () => {
  await Promise.all(cleanup.splice(0).map(async (fn) => await fn()))
})

function track (node: DHT): DHT {
  cleanup.push(async () => { await node.destroy() })
  return node
}

/** A UDP socket on loopback that receives everything and never answers. */
async function silent (): Promise<{ socket: Socket, port: number, received: () => number, close: () => Promise<void> }> {
  const socket = createSocket('udp4')
  let count = 0
  socket.on('message', () => { count++ })
  socket.bind(0, '127.0.0.1')
  await once(socket, 'listening')
  let closed = false
  const close = async (): Promise<void> => {
    if (closed) return
    closed = true
    await new Promise<void>((resolve) => socket.close(() => resolve()))
  }
  cleanup.push(close)
  return { socket, port: socket.address().port, received: () => count, close }
}

function warnings (node: DHT): DHTError[] {
  const out: DHTError[] = []
  node.on('warning', (err) => { if (DHTError.isInstance(err)) out.push(err) })
  return out
}

describe('bootstrap outcome', () => {
  it('no bootstrap node answers: ready() resolves with BOOTSTRAP_FAILED (cause NO_NODES_RESPONDED), emitted once as a warning', async () => {
    const dead = await silent()
    const node = track(new DHT({ bootstrap: [`127.0.0.1:${dead.port}`], timeout: 200 }))
    const seen = warnings(node)
    let readyEvent: unknown = null
    node.on('ready', (result) => { readyEvent = result })
    await node.listen(0, '127.0.0.1')
    const result = await node.ready()

    expect(dead.received()).toBeGreaterThan(0) // it did try
    expect(result.nodes).toBe(0)
    expect(result.responses).toBe(0)
    expect(result.error?.code).toBe('BOOTSTRAP_FAILED')
    expect(DHTError.isInstance(result.error!.cause) && result.error!.cause.code).toBe('NO_NODES_RESPONDED')
    expect(seen.map((e) => e.code)).toEqual(['BOOTSTRAP_FAILED'])
    expect(node.bootstrapResult).toBe(result)
    expect(readyEvent).toBe(result)
    expect(node.bootstrapped).toBe(true) // finished, not successful

    // a retry that fails again updates the outcome without a second warning
    const again = await node.bootstrap()
    expect(again.error?.code).toBe('BOOTSTRAP_FAILED')
    expect(node.bootstrapResult).toBe(again)
    expect(seen.length).toBe(1)

    // the bootstrap node comes up on that port: the next bootstrap succeeds
    await dead.close()
    const boot = track(new DHT())
    await boot.listen(dead.port, '127.0.0.1')
    const ok = await node.bootstrap()
    expect(ok.error).toBeNull()
    expect(ok.responses).toBeGreaterThan(0)
    expect(ok.nodes).toBe(1)
    expect(await node.ready()).toBe(ok) // ready() reports the latest outcome
    expect(seen.length).toBe(1)
  })

  it('a bootstrap host that does not resolve: BOOTSTRAP_FAILED with the DNS error as cause', async () => {
    const node = track(new DHT({ bootstrap: ['no-such-host.invalid:1234'] }))
    const seen = warnings(node)
    await node.listen(0, '127.0.0.1')
    const result = await node.ready()
    expect(result.error?.code).toBe('BOOTSTRAP_FAILED')
    const cause = result.error!.cause as NodeJS.ErrnoException & { hostname?: string }
    expect(cause).toBeInstanceOf(Error)
    expect(DHTError.isInstance(cause)).toBe(false)
    expect(cause.hostname).toBe('no-such-host.invalid')
    expect(result).toMatchObject({ nodes: 0, responses: 0 })
    expect(seen.map((e) => e.code)).toEqual(['BOOTSTRAP_FAILED'])
  })

  it('one unresolvable and one live bootstrap node, and the first node of a network: no error, no warning', async () => {
    const first = track(new DHT())
    const firstWarnings = warnings(first)
    await first.listen(0, '127.0.0.1')
    const alone = await first.ready()
    expect(alone).toEqual({ nodes: 0, responses: 0, error: null })

    const node = track(new DHT({ bootstrap: ['no-such-host.invalid:1234', `127.0.0.1:${first.address().port}`] }))
    const seen = warnings(node)
    await node.listen(0, '127.0.0.1')
    const result = await node.ready()
    expect(result.error).toBeNull()
    expect(result.responses).toBeGreaterThan(0)
    expect(result.nodes).toBe(1)
    expect(seen).toEqual([])
    expect(firstWarnings).toEqual([])
  })
})
