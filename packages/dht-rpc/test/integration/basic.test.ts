import { afterEach, describe, expect, it } from 'vitest'
import { DHT, DHTError } from '../../src/index.js'
import { hex, network, randomId, testnetHost, waitFor } from '../helpers.js'

const cleanup: Array<() => Promise<void>> = []
afterEach(async () => {
  while (cleanup.length) await cleanup.pop()!()
})

/** Two nodes bound on loopback, destroyed after the test. */
async function listeningPair (): Promise<[DHT, DHT]> {
  const a = new DHT()
  const b = new DHT()
  cleanup.push(() => a.destroy(), () => b.destroy())
  await a.listen(0, '127.0.0.1')
  await b.listen(0, '127.0.0.1')
  return [a, b]
}

describe('DHT over loopback UDP', () => {
  it('queries a custom command across a small network', async () => {
    const net = await network(8)
    cleanup.push(net.destroy)
    for (const n of net.nodes) {
      n.command('echo', { query: (q) => Buffer.concat([Buffer.from('echo:'), q.value ?? Buffer.alloc(0)]) })
    }
    const client = new DHT({ bootstrap: [net.bootstrap], ephemeral: true })
    cleanup.push(() => client.destroy())
    await client.ready()
    const q = client.query({ command: 'echo', target: randomId(), value: Buffer.from('hi') })
    const results = await q.toArray()
    expect(results.length).toBe(8)
    for (const r of results) expect(Buffer.from(r.value!).toString()).toBe('echo:hi')
    expect(new Set(results.map((r) => hex(r.node.id))).size).toBe(8)
    expect(q.requests).toBeGreaterThanOrEqual(8)
    expect(q.responses).toBe(8)
    // the ephemeral client is in nobody's table
    for (const n of net.nodes) expect(n.findLocal(client.id)).toBeNull()
  })

  it('removeCommand: a removed command is answered as unknown; only the registered handlers are removed', async () => {
    const net = await network(3)
    cleanup.push(net.destroy)
    const mine = { query: () => Buffer.from('mine') }
    for (const n of net.nodes) n.command('echo', mine)
    const client = new DHT({ bootstrap: [net.bootstrap], ephemeral: true })
    cleanup.push(() => client.destroy())
    await client.ready()
    const node = net.nodes[1]!
    const to = { host: node.address().host, port: node.address().port }
    expect(Buffer.from((await client.request({ command: 'echo', target: randomId() }, to)).value!).toString()).toBe('mine')
    expect(node.removeCommand('echo', { query: () => null })).toBe(false) // not the registered handlers
    expect(node.removeCommand('echo', mine)).toBe(true)
    expect(node.removeCommand('echo')).toBe(false) // already gone
    expect((await client.request({ command: 'echo', target: randomId() }, to)).value).toBeNull()
  })

  it('updates reach update handlers with valid tokens only', async () => {
    const net = await network(6)
    cleanup.push(net.destroy)
    const stored = new Map<string, string>()
    for (const n of net.nodes) {
      n.command('kv', {
        query: (q) => { const v = stored.get(hex(n.id) + hex(q.target)); return v ? Buffer.from(v) : null },
        update: (q) => { stored.set(hex(n.id) + hex(q.target), Buffer.from(q.value!).toString()) }
      })
    }
    const client = new DHT({ bootstrap: [net.bootstrap] })
    cleanup.push(() => client.destroy())
    await client.ready()
    const target = randomId()
    const commits = await client.update({ command: 'kv', target, value: Buffer.from('v1') })
    expect(commits.length).toBeGreaterThanOrEqual(6)
    expect(stored.size).toBe(6)
    const values = (await client.query({ command: 'kv', target }).toArray()).map((r) => r.value && Buffer.from(r.value).toString())
    expect(values.filter((v) => v === 'v1').length).toBe(6)

    // { query: true }: the query-phase results come first, then the commits
    const both = await client.update({ command: 'kv', target, value: Buffer.from('v2') }, { query: true })
    expect(both.length).toBe(12)
    expect(both.slice(0, 6).map((r) => r.value && Buffer.from(r.value).toString())).toEqual(Array(6).fill('v1'))
    expect(stored.size).toBe(6)
    expect([...stored.values()]).toEqual(Array(6).fill('v2'))
  })

  it('ping returns our reflexive address', async () => {
    const [a, b] = await listeningPair()
    const res = await a.ping({ host: '127.0.0.1', port: b.address().port })
    expect(res.address).toEqual({ host: '127.0.0.1', port: a.address().port })
    expect(hex(res.node.id)).toBe(hex(b.id))
    // b verified a's address with a ping of its own before adding it
    await waitFor(() => b.findLocal(a.id) !== null)
    expect(hex(b.findLocal(a.id)?.id)).toBe(hex(a.id))
  })

  it('a listener that throws on the answer rejects that request and leaves the node working', async () => {
    const [a, b] = await listeningPair()
    const to = { host: '127.0.0.1', port: b.address().port }
    const boom = new Error('listener failed')
    const thrower = (): void => { throw boom }
    a.once('add-node', thrower) // runs inside the socket's message event: it must not escape there
    await expect(a.ping(to)).rejects.toBe(boom)
    a.on('observed-address', thrower)
    await expect(a.ping(to)).rejects.toBe(boom)
    a.off('observed-address', thrower)
    const res = await a.ping(to)
    expect(res.address).toEqual({ host: '127.0.0.1', port: a.address().port })
    expect(a.destroyed).toBe(false)
  })

  it('fails with NO_NODES_RESPONDED when nobody answers', async () => {
    const a = new DHT({ bootstrap: ['127.0.0.1:1'], timeout: 200 })
    cleanup.push(() => a.destroy())
    await a.ready()
    const err = await a.query({ command: 'x', target: randomId() }).toArray().catch((e) => e)
    expect(DHTError.isInstance(err)).toBe(true)
    expect(err.code).toBe('NO_NODES_RESPONDED')
  })
})

describe('bootstrap addresses', () => {
  it('accepts host names (resolved), { host, port } and numbers', async () => {
    // the bootstrap node on 127.0.0.1 (what `localhost` and a bare port mean), two more nodes
    const boot = new DHT()
    cleanup.push(() => boot.destroy())
    await boot.listen(0, '127.0.0.1')
    const port = boot.address().port
    for (let i = 1; i <= 2; i++) {
      const n = new DHT({ bootstrap: [`127.0.0.1:${port}`] })
      cleanup.push(() => n.destroy())
      await n.listen(0, testnetHost(i))
      await n.ready()
    }
    let i = 10
    for (const bootstrap of [[`localhost:${port}`], [{ host: '127.0.0.1', port }], [port]]) {
      const d = new DHT({ bootstrap, ephemeral: true })
      cleanup.push(() => d.destroy())
      await d.listen(0, testnetHost(i++))
      await d.ready()
      expect(d.toArray().length).toBe(3)
    }
  })
})
