import { describe, expect, it } from 'vitest'
import { sleep, waitFor } from './wait.js'

describe('waitFor', () => {
  it('resolves once the check turns true, polling it again meanwhile', async () => {
    let calls = 0
    await waitFor(() => ++calls === 3)
    expect(calls).toBe(3)
  })

  it('accepts an async check', async () => {
    let calls = 0
    await waitFor(async () => { await sleep(1); return ++calls === 2 })
    expect(calls).toBe(2)
  })

  it('rejects after the timeout, naming the condition', async () => {
    await expect(waitFor(() => false, 20)).rejects.toThrow(/still false after 20 ms: \(\) => false/)
  })

  it('rejects when the check throws', async () => {
    await expect(waitFor(() => { throw new Error('bad check') })).rejects.toThrow('bad check')
  })
})

describe('sleep', () => {
  it('resolves after at least the given time', async () => {
    const start = performance.now()
    await sleep(20)
    expect(performance.now() - start).toBeGreaterThanOrEqual(19) // timers may fire up to 1 ms early
  })
})
