// The holepuncher's port-mapping wiring over a real loopback socket, with a fake router behind the
// PortMappingBackend interface (the real one, miniupnpd, runs in test/nat/port-mapping.test.ts):
// the mapping is for the socket's port, a new mapping triggers a reachability round at once, and
// destroy() removes it.
import { DHT } from '@hyperdht-ts/dht-rpc'
import { testnetHost } from '@hyperdht-ts/dht-rpc/testnet'
import { waitFor } from '@hyperdht-ts/test-utils'
import { afterEach, describe, expect, it } from 'vitest'
import { Holepuncher, type HolepuncherOptions, type PortMappingBackendFactory, type PortMappingChange } from '../../src/index'

const cleanup: Array<() => Promise<unknown>> = []
afterEach(async () => {
  while (cleanup.length > 0) await cleanup.pop()!()
})

function fakeRouter (delay: number): { factory: PortMappingBackendFactory, mapped: number[], unmapped: number[] } {
  const mapped: number[] = []
  const unmapped: number[] = []
  const factory: PortMappingBackendFactory = async (protocol) => ({
    protocol,
    gatewayHost: '127.0.0.1',
    map: async ({ internalPort, ttl }) => {
      await new Promise((resolve) => setTimeout(resolve, delay))
      mapped.push(internalPort)
      return { externalHost: '203.0.113.7', externalPort: internalPort, ttl }
    },
    unmap: async ({ externalPort }) => { unmapped.push(externalPort) },
    close: async () => {}
  })
  return { factory, mapped, unmapped }
}

async function node (opts: HolepuncherOptions): Promise<{ dht: DHT, hp: Holepuncher, events: PortMappingChange[] }> {
  const dht = new DHT({ bootstrap: [] })
  const hp = new Holepuncher(dht, opts)
  const events: PortMappingChange[] = []
  hp.on('portmapping', (change) => events.push(change))
  cleanup.push(async () => { await hp.destroy(); await dht.destroy() })
  await dht.listen(0, testnetHost(40))
  await dht.ready()
  return { dht, hp, events }
}

describe('holepuncher port mapping', () => {
  it('maps the socket port, probes reachability again at once, and removes the mapping on destroy', async () => {
    const router = fakeRouter(300)
    const { dht, hp, events } = await node({ portMapping: { protocols: ['pmp'], backends: router.factory }, reachFirstDelay: 20, reachInterval: 3_600_000 })
    expect(hp.portMapping?.status).toBe('mapping')
    await waitFor(() => events.length > 0, 5000)
    expect(events[0]).toMatchObject({ status: 'mapped', mapping: { protocol: 'pmp', externalHost: '203.0.113.7', externalPort: dht.address().port, internalPort: dht.address().port } })
    expect(hp.portMapping).toMatchObject({ status: 'mapped', mapping: { externalPort: dht.address().port } })
    // the first round ran 20 ms after ready; the mapping brought another one long before reachInterval
    await waitFor(() => hp.stats.reach.rounds >= 2, 2000)
    await hp.destroy()
    expect(router.unmapped).toEqual([dht.address().port])
    expect(events.at(-1)).toMatchObject({ status: 'removed' })
    expect(hp.portMapping?.status).toBe('closed')
  })

  it('is off by default', async () => {
    const { hp, events } = await node({})
    await new Promise((resolve) => setTimeout(resolve, 100))
    expect(hp.portMapping).toBeNull()
    expect(events).toEqual([])
  })

  it('refuses bad options at construction', () => {
    const dht = new DHT({ bootstrap: [] })
    cleanup.push(async () => { await dht.destroy() })
    expect(() => new Holepuncher(dht, { portMapping: { protocols: [] } })).toThrow(/protocols/)
  })
})
