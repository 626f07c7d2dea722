// The optional logger over real loopback UDP: HyperDHT passes it to dht-rpc and logs store caps
// (once per cap per minute); without a logger nothing is printed.
import { afterEach, describe, expect, it, vi } from 'vitest'
import { recordingLogger, spyOnOutput } from '@hyperdht-ts/test-utils'
import { HyperDHT, type Logger } from '../../src/index.js'
import { randomKey } from '../helpers/network.js'

const cleanup: Array<() => Promise<unknown>> = []
afterEach(async () => {
  vi.restoreAllMocks()
  await Promise.all(cleanup.splice(0).map(async (fn) => await fn()))
})

/** A storing node with tiny caps and a client that bootstraps off it, on loopback UDP. */
async function pair (logger?: Logger): Promise<{ store: HyperDHT, client: HyperDHT }> {
  const store = new HyperDHT({ mode: 'server', maxPeersPerHost: 1, maxValuesPerHost: 1, ...(logger ? { logger } : {}) })
  cleanup.push(async () => { await store.destroy() })
  await store.listen(0, '127.0.0.1')
  await store.ready()
  const client = new HyperDHT({ bootstrap: [`127.0.0.1:${store.address().port}`] })
  cleanup.push(async () => { await client.destroy() })
  await client.listen(0, '127.0.0.1')
  await client.ready()
  return { store, client }
}

/** Fills the storing node's per-host caps, then hits them again. */
async function overflow (client: HyperDHT): Promise<void> {
  for (const port of [1000, 1001, 1002]) await client.announce(randomKey(), { port })
  await client.immutablePut(new TextEncoder().encode('one'))
  await expect(client.immutablePut(new TextEncoder().encode('two'))).rejects.toMatchObject({ code: 'NOT_STORED' })
}

describe('logger', () => {
  it('is passed to dht-rpc, and a store cap hit is logged once per cap', async () => {
    const logger = recordingLogger()
    const { store, client } = await pair(logger)
    expect(logger.entries.some((e) => e.msg === 'dht-rpc: bootstrap finished')).toBe(true)
    await overflow(client)
    const caps = logger.filter('hyperdht: store cap reached')
    expect(caps).toEqual([
      { level: 'warn', msg: 'hyperdht: store cap reached', fields: { cap: 'maxPeersPerHost', limit: 1, action: 'refusing', host: '127.0.0.1', unlogged: 0 } },
      { level: 'warn', msg: 'hyperdht: store cap reached', fields: { cap: 'maxValuesPerHost', limit: 1, action: 'refusing', host: '127.0.0.1', unlogged: 0 } }
    ])
    expect(store.peerStore.size).toBe(1) // the second and third announce were refused
  })

  it('without a logger nothing is printed', async () => {
    const output = spyOnOutput()
    const { store, client } = await pair()
    await overflow(client)
    expect(store.peerStore.size).toBe(1)
    expect(output.printed()).toEqual([])
  })
})
