import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest'
import { HolepunchError } from '../errors'
import { defaultGateway, localAddressFor } from './gateway'
import { PortMapper, type PortMapperOptions } from './port-mapper'
import type { PortMappingBackend, PortMappingBackendFactory, PortMappingProtocol } from './types'

interface FakeRouter {
  factory: PortMappingBackendFactory
  maps: Array<{ protocol: PortMappingProtocol, ttl: number, internalHost: string }>
  unmaps: Array<{ protocol: PortMappingProtocol, externalPort: number }>
}

/** Routers per protocol: `ok` grants (external port = internal), `refuse` rejects, `hang` never answers, `missing` has no library. */
function routers (behaviour: Partial<Record<PortMappingProtocol, 'ok' | 'refuse' | 'hang' | 'missing'>>, opts: { failRenewals?: boolean, failUnmap?: boolean } = {}): FakeRouter {
  const maps: FakeRouter['maps'] = []
  const unmaps: FakeRouter['unmaps'] = []
  const factory: PortMappingBackendFactory = async (protocol, { signal }) => {
    const how = behaviour[protocol] ?? 'refuse'
    if (how === 'missing') throw HolepunchError.PORT_MAPPING_UNAVAILABLE(new Error('Cannot find package'))
    let granted = 0
    const backend: PortMappingBackend = {
      protocol,
      gatewayHost: '192.168.1.1',
      map: async ({ internalHost, internalPort, ttl, signal }) => {
        maps.push({ protocol, ttl, internalHost })
        if (how === 'hang') return await new Promise((resolve, reject) => signal.addEventListener('abort', () => reject(signal.reason as Error)))
        if (how === 'refuse') throw new Error('Not Authorized/Refused')
        if (granted++ > 0 && opts.failRenewals === true) throw new Error('gateway gone')
        return { externalHost: '198.18.0.2', externalPort: internalPort, ttl }
      },
      unmap: async ({ externalPort }) => {
        unmaps.push({ protocol, externalPort })
        if (opts.failUnmap === true) throw new Error('no answer')
      },
      close: async () => {}
    }
    if (signal.aborted) throw signal.reason
    return backend
  }
  return { factory, maps, unmaps }
}

function mapper (router: FakeRouter, opts: Partial<PortMapperOptions> = {}): PortMapper {
  return new PortMapper({ internalPort: 40000, internalHost: '192.168.1.2', gateway: '192.168.1.1', backends: router.factory, ...opts })
}

describe('PortMapper', () => {
  beforeEach(() => { vi.useFakeTimers() })
  afterEach(() => { vi.useRealTimers() })

  it('maps with the first protocol that works, reports it, and renews at half the lifetime', async () => {
    const router = routers({ pmp: 'ok', upnp: 'ok' })
    const m = mapper(router, { ttl: 100 })
    const mapped = vi.fn()
    m.on('mapped', mapped)
    m.start()
    await vi.advanceTimersByTimeAsync(0)
    expect(mapped).toHaveBeenCalledTimes(1)
    expect(mapped.mock.calls[0]![0]).toMatchObject({ protocol: 'pmp', externalHost: '198.18.0.2', externalPort: 40000, internalHost: '192.168.1.2', internalPort: 40000, ttl: 100 })
    expect(m.state.status).toBe('mapped')
    await vi.advanceTimersByTimeAsync(49_000)
    expect(router.maps).toHaveLength(1)
    await vi.advanceTimersByTimeAsync(1000)
    expect(router.maps).toHaveLength(2) // renewed at 50 s
    expect(mapped).toHaveBeenCalledTimes(1) // the same mapping: no new event
    expect(m.mapping!.expiresAt).toBe(Date.now() + 100_000)
    await m.close()
  })

  it('falls back to UPnP when NAT-PMP is refused', async () => {
    const router = routers({ pmp: 'refuse', upnp: 'ok' })
    const m = mapper(router)
    m.start()
    await vi.advanceTimersByTimeAsync(0)
    expect(m.mapping?.protocol).toBe('upnp')
    expect(router.maps.map((x) => x.protocol)).toEqual(['pmp', 'upnp'])
    await m.close()
  })

  it('reports PORT_MAPPING_FAILED when no router maps the port (cause: the last refusal), then tries again later', async () => {
    const router = routers({ pmp: 'refuse', upnp: 'hang' })
    const m = mapper(router, { timeout: 1000, retryInterval: 60_000 })
    const failed = vi.fn()
    m.on('failed', failed)
    m.start()
    await vi.advanceTimersByTimeAsync(1000)
    expect(failed).toHaveBeenCalledTimes(1)
    const err = failed.mock.calls[0]![0] as HolepunchError
    expect(err.code).toBe('PORT_MAPPING_FAILED')
    expect(err.cause).toMatchObject({ code: 'TIMEOUT' }) // UPnP, the last one tried, never answered
    expect(m.state).toMatchObject({ status: 'failed', mapping: null, error: err })
    await vi.advanceTimersByTimeAsync(60_000)
    expect(router.maps).toHaveLength(4) // both protocols asked again
    await m.close()
  })

  it('says PORT_MAPPING_UNAVAILABLE when the optional library is not installed', async () => {
    const m = mapper(routers({ pmp: 'missing', upnp: 'missing' }))
    const failed = vi.fn()
    m.on('failed', failed)
    m.start()
    await vi.advanceTimersByTimeAsync(0)
    expect((failed.mock.calls[0]![0] as HolepunchError).code).toBe('PORT_MAPPING_UNAVAILABLE')
    await m.close()
  })

  it('removes the mapping on close (even when the router does not answer: close never rejects)', async () => {
    for (const failUnmap of [false, true]) {
      const router = routers({ pmp: 'ok' }, { failUnmap })
      const m = mapper(router)
      const removed = vi.fn()
      m.on('removed', removed)
      m.start()
      await vi.advanceTimersByTimeAsync(0)
      await Promise.all([m.close(), m.close()]) // a second close waits for the same removal
      expect(router.unmaps).toEqual([{ protocol: 'pmp', externalPort: 40000 }])
      expect(removed).toHaveBeenCalledTimes(1)
      expect(m.state.status).toBe('closed')
      await m.close() // idempotent
      expect(router.unmaps).toHaveLength(1)
    }
  })

  it('a close during an attempt aborts it: nothing is mapped afterwards', async () => {
    const router = routers({ pmp: 'hang' })
    const m = mapper(router, { protocols: ['pmp'], timeout: 60_000 })
    const mapped = vi.fn()
    const failed = vi.fn()
    m.on('mapped', mapped)
    m.on('failed', failed)
    m.start()
    await vi.advanceTimersByTimeAsync(10)
    await m.close()
    await vi.advanceTimersByTimeAsync(120_000)
    expect(mapped).not.toHaveBeenCalled()
    expect(failed).not.toHaveBeenCalled()
    expect(m.state.status).toBe('closed')
  })

  it('a mapping whose renewals fail is reported removed when it lapses, and mapping starts over', async () => {
    const router = routers({ pmp: 'ok' }, { failRenewals: true })
    const m = mapper(router, { protocols: ['pmp'], ttl: 120, retryInterval: 1_000_000 })
    const removed = vi.fn()
    const mapped = vi.fn()
    m.on('removed', removed)
    m.on('mapped', mapped)
    m.start()
    await vi.advanceTimersByTimeAsync(60_000) // first renewal fails: 60 s left, retried in 30 s
    expect(removed).not.toHaveBeenCalled()
    await vi.advanceTimersByTimeAsync(30_000) // second fails with 30 s left: it lapses
    expect(removed).toHaveBeenCalledTimes(1)
    expect(m.state.error?.code).toBe('PORT_MAPPING_FAILED')
    await vi.advanceTimersByTimeAsync(1) // started over with a fresh backend: mapped again
    expect(mapped).toHaveBeenCalledTimes(2)
    await m.close()
  })

  it('refuses bad options', () => {
    const router = routers({})
    expect(() => mapper(router, { protocols: [] })).toThrow(HolepunchError)
    expect(() => mapper(router, { protocols: ['pcp' as PortMappingProtocol] })).toThrow(/protocols/)
    expect(() => mapper(router, { ttl: 0 })).toThrow(/ttl/)
    expect(() => mapper(router, { internalPort: 0 })).toThrow(/internalPort/)
  })
})

describe('gateway discovery', () => {
  it('reads the default route from /proc/net/route', () => {
    const routes = [
      'Iface\tDestination\tGateway \tFlags\tRefCnt\tUse\tMetric\tMask\t\tMTU\tWindow\tIRTT',
      'eth0\t0001A8C0\t00000000\t0001\t0\t0\t0\t00FFFFFF\t0\t0\t0',
      'eth0\t00000000\t0101A8C0\t0003\t0\t0\t0\t00000000\t0\t0\t0',
      ''
    ].join('\n')
    expect(defaultGateway(routes)).toBe('192.168.1.1')
    expect(defaultGateway(routes.split('\n').slice(0, 2).join('\n'))).toBeNull()
    expect(defaultGateway(null)).toBeNull()
  })

  it('picks our address on the gateway subnet', () => {
    const ifaces = {
      lo: [{ address: '127.0.0.1', netmask: '255.0.0.0', family: 'IPv4', mac: '', internal: true, cidr: null }],
      eth0: [{ address: '10.0.0.5', netmask: '255.255.255.0', family: 'IPv4', mac: '', internal: false, cidr: null }],
      eth1: [{ address: '192.168.1.2', netmask: '255.255.255.0', family: 'IPv4', mac: '', internal: false, cidr: null }]
    } as unknown as ReturnType<typeof import('node:os').networkInterfaces>
    expect(localAddressFor('192.168.1.1', ifaces)).toBe('192.168.1.2')
    expect(localAddressFor('172.16.0.1', ifaces)).toBe('10.0.0.5')
    expect(localAddressFor(null, ifaces)).toBe('10.0.0.5')
  })
})
