import { describe, expect, it } from 'vitest'
import { MemoryNetwork, type MemorySocket } from './memory.js'

function bound (net: MemoryNetwork, host: string, opts: { nat?: boolean } = {}): Promise<MemorySocket> {
  const s = net.createSocket(opts)
  return new Promise((resolve, reject) => {
    s.once('error', reject)
    s.bind(0, host, () => resolve(s))
  })
}

function next (s: MemorySocket, ms = 100): Promise<{ msg: Buffer, from: { address: string, port: number } } | null> {
  return new Promise((resolve) => {
    const t = setTimeout(() => { s.off('message', on); resolve(null) }, ms)
    const on = (msg: Buffer, from: { address: string, port: number }): void => { clearTimeout(t); resolve({ msg, from }) }
    s.once('message', on)
  })
}

describe('MemoryNetwork', () => {
  it('delivers datagrams with the sender address, copies the bytes, and refuses a taken port', async () => {
    const net = new MemoryNetwork()
    const a = await bound(net, '10.0.0.1')
    const b = await bound(net, '10.0.0.2')
    const buf = Buffer.from('hello')
    const got = next(b)
    a.send(buf, b.address().port, '10.0.0.2')
    buf.fill(0)
    const r = await got
    expect(r!.msg.toString()).toBe('hello')
    expect(r!.from).toMatchObject({ address: '10.0.0.1', port: a.address().port })
    const c = net.createSocket()
    const err = await new Promise<Error>((resolve) => { c.once('error', resolve); c.bind(a.address().port, '10.0.0.1') })
    expect((err as NodeJS.ErrnoException).code).toBe('EADDRINUSE')
    a.close(); b.close(); c.close()
    net.destroy()
  })

  it('loses datagrams with probability `loss` and delays them by `latency`', async () => {
    const lossy = new MemoryNetwork({ loss: 1 })
    const a = await bound(lossy, '10.0.0.1')
    const b = await bound(lossy, '10.0.0.2')
    a.send(Buffer.from('x'), b.address().port, '10.0.0.2')
    expect(await next(b, 50)).toBeNull()
    expect(lossy.stats.lost).toBe(1)
    a.close(); b.close()

    const slow = new MemoryNetwork({ latency: 60 })
    const c = await bound(slow, '10.0.0.1')
    const d = await bound(slow, '10.0.0.2')
    const early = next(d, 20)
    c.send(Buffer.from('y'), d.address().port, '10.0.0.2')
    expect(await early).toBeNull()
    expect((await next(d, 200))!.msg.toString()).toBe('y')
    c.close(); d.close()
    slow.destroy()
  })

  it('a NATed socket only hears from addresses it sent to', async () => {
    const net = new MemoryNetwork()
    const inside = await bound(net, '192.168.0.2', { nat: true })
    const outside = await bound(net, '10.0.0.1')
    outside.send(Buffer.from('knock'), inside.address().port, '192.168.0.2')
    expect(await next(inside, 50)).toBeNull()
    expect(net.stats.filtered).toBe(1)
    inside.send(Buffer.from('out'), outside.address().port, '10.0.0.1')
    await next(outside)
    const got = next(inside)
    outside.send(Buffer.from('reply'), inside.address().port, '192.168.0.2')
    expect((await got)!.msg.toString()).toBe('reply')
    inside.close(); outside.close()
  })
})
