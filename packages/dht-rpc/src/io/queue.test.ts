import { describe, expect, it } from 'vitest'
import { DHTError } from '../errors.js'
import { FlowQueue } from './queue.js'

function deferred (): { promise: Promise<void>, resolve: () => void } {
  let resolve!: () => void
  const promise = new Promise<void>((r) => { resolve = r })
  return { promise, resolve }
}

describe('FlowQueue', () => {
  it('runs at most `concurrency` tasks and queues the rest in order', async () => {
    const q = new FlowQueue(2, 10)
    const gates = Array.from({ length: 5 }, deferred)
    const order: number[] = []
    const runs = gates.map((g, i) => q.run(async () => { order.push(i); await g.promise }))
    expect(q.inflight).toBe(2)
    expect(q.queued).toBe(3)
    gates[0]!.resolve()
    await runs[0]
    await Promise.resolve()
    expect(order).toEqual([0, 1, 2])
    for (const g of gates) g.resolve()
    await Promise.all(runs)
    expect(order).toEqual([0, 1, 2, 3, 4])
    expect(q.inflight).toBe(0)
  })

  it('refuses beyond maxQueue with QUEUE_FULL', async () => {
    const q = new FlowQueue(1, 1)
    const g = deferred()
    const a = q.run(() => g.promise)
    const b = q.run(async () => {})
    const err = await q.run(async () => {}).catch((e) => e)
    expect(DHTError.isInstance(err)).toBe(true)
    expect(err.code).toBe('QUEUE_FULL')
    expect(q.rejected).toBe(1)
    g.resolve()
    await Promise.all([a, b])
  })

  it('an aborted waiting task leaves the queue; clear() rejects the waiting ones', async () => {
    const q = new FlowQueue(1, 10)
    const g = deferred()
    const a = q.run(() => g.promise)
    const ac = new AbortController()
    const b = q.run(async () => 'b', ac.signal)
    const c = q.run(async () => 'c')
    ac.abort()
    await expect(b).rejects.toMatchObject({ code: 'ABORTED' })
    expect(q.queued).toBe(1)
    q.clear(DHTError.DESTROYED())
    await expect(c).rejects.toMatchObject({ code: 'DESTROYED' })
    g.resolve()
    await a
  })
})

describe('FlowQueue fast path', () => {
  it('tryAcquire takes a free slot only when nobody waits; release starts the next waiting task', async () => {
    const q = new FlowQueue(1, 10)
    expect(q.tryAcquire()).toBe(true)
    expect(q.tryAcquire()).toBe(false) // no slot left
    const started: string[] = []
    const waiting = q.run(async () => { started.push('queued') })
    expect(q.queued).toBe(1)
    q.release()
    await waiting
    expect(started).toEqual(['queued'])
    expect(q.inflight).toBe(0)
    expect(q.tryAcquire()).toBe(true)
    q.release()
  })

  it('a QUEUE_FULL refusal names the peer it was for', async () => {
    const q = new FlowQueue(1, 0)
    expect(q.tryAcquire()).toBe(true)
    const err = await q.run(async () => {}, undefined, { host: '10.1.2.3', port: 7 }).catch((e: unknown) => e) as DHTError
    expect(err.code).toBe('QUEUE_FULL')
    expect(err.peer).toEqual({ host: '10.1.2.3', port: 7 })
  })
})
