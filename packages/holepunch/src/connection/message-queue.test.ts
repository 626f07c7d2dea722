import { describe, expect, it } from 'vitest'
import { HolepunchError } from '../errors'
import { MessageQueue } from './message-queue'

describe('MessageQueue', () => {
  it('buffers pushed values until they are read, in order', async () => {
    const q = new MessageQueue<number>(() => {})
    q.push(1)
    q.push(2)
    expect(q.buffered).toBe(2)
    expect(await q.next()).toEqual({ value: 1, done: false })
    expect(q.buffered).toBe(1)
    expect(await q.next()).toEqual({ value: 2, done: false })
    expect(q.buffered).toBe(0)
  })

  it('hands a pushed value straight to a waiting reader', async () => {
    const q = new MessageQueue<string>(() => {})
    const waiting = q.next()
    q.push('x')
    expect(await waiting).toEqual({ value: 'x', done: false })
    expect(q.buffered).toBe(0)
  })

  it('end(error): the buffered values first, then the error once, then the end', async () => {
    let done = 0
    const q = new MessageQueue<number>(() => { done++ })
    q.push(1)
    q.end(new Error('lost'))
    q.end(new Error('again')) // only the first end counts
    q.push(2) // ignored after the end
    expect(await q.next()).toEqual({ value: 1, done: false })
    await expect(q.next()).rejects.toThrow('lost')
    expect(await q.next()).toEqual({ value: undefined, done: true })
    expect(done).toBe(1)
  })

  it('end(error) rejects the readers waiting, and only the first of them', async () => {
    const q = new MessageQueue<number>(() => {})
    const first = q.next()
    const second = q.next()
    q.end(new Error('gone'))
    await expect(first).rejects.toThrow('gone')
    expect(await second).toEqual({ value: undefined, done: true })
  })

  it('return() (a break out of for await) drops the buffer, ends waiting readers and calls onDone', async () => {
    let done = 0
    const q = new MessageQueue<number>(() => { done++ })
    q.push(1)
    q.push(2)
    const seen: number[] = []
    for await (const v of q) {
      seen.push(v)
      break
    }
    expect(seen).toEqual([1])
    expect(done).toBe(1)
    expect(q.buffered).toBe(0)
    expect(await q.next()).toEqual({ value: undefined, done: true })
    expect(done).toBe(1) // once
  })

  it('an abort ends the iteration with ABORTED, dropping what was buffered', async () => {
    let done = 0
    const ac = new AbortController()
    const q = new MessageQueue<number>(() => { done++ }, ac.signal)
    q.push(1)
    const reading = (async () => { const seen: number[] = []; for await (const v of q) seen.push(v); return seen })()
    await new Promise((resolve) => setTimeout(resolve, 10))
    ac.abort(new Error('enough'))
    const err = await reading.then(() => null, (e: unknown) => e)
    expect(HolepunchError.isInstance(err)).toBe(true)
    expect((err as HolepunchError).code).toBe('ABORTED')
    expect(((err as HolepunchError).cause as Error).message).toBe('enough')
    expect(done).toBe(1)
  })

  it('an already aborted signal ends it (on the next microtask) with ABORTED', async () => {
    let done = 0
    const ac = new AbortController()
    ac.abort()
    const q = new MessageQueue<number>(() => { done++ }, ac.signal)
    const err = await q.next().then(() => null, (e: unknown) => e)
    expect(HolepunchError.isInstance(err)).toBe(true)
    expect((err as HolepunchError).code).toBe('ABORTED')
    expect(await q.next()).toEqual({ value: undefined, done: true })
    expect(done).toBe(1)
  })
})
