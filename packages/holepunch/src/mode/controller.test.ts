import { describe, expect, it } from 'vitest'
import { VirtualTime } from '../../test/virtual-time'
import { HolepunchError } from '../errors'
import { ModeController, type ModeChange, type ModeControllerOptions } from './controller'

const CONSISTENT = { type: 'consistent' as const, host: '203.0.113.7', port: 4000 }

function setup (options: ModeControllerOptions = {}) {
  const time = new VirtualTime(1_000_000)
  const controller = new ModeController({ now: time.now, schedule: time.schedule, ...options })
  const events: ModeChange[] = []
  controller.on('mode', (e) => events.push(e))
  const eligible = () => {
    controller.setNat(CONSISTENT)
    controller.setReachability('reachable')
  }
  return { time, controller, events, eligible }
}

describe('ModeController', () => {
  it('starts as client in auto and promotes after promoteAfter of continuous eligibility', () => {
    const { time, controller, events, eligible } = setup()
    expect(controller.mode).toBe('client')
    expect(controller.setting).toBe('auto')
    eligible()
    expect(controller.eligible).toBe(true)
    time.advance(29_999)
    expect(controller.mode).toBe('client')
    time.advance(1)
    expect(controller.mode).toBe('server')
    expect(events).toEqual([{ mode: 'server', previous: 'client', reason: 'eligible' }])
  })

  it('promotes within 2 minutes with the defaults', () => {
    const { time, controller, eligible } = setup()
    eligible()
    time.advance(120_000)
    expect(controller.mode).toBe('server')
  })

  it('needs a consistent or open mapping as well as reachability', () => {
    const { time, controller } = setup()
    controller.setReachability('reachable')
    controller.setNat({ type: 'random', host: '203.0.113.7', port: null })
    time.advance(600_000)
    expect(controller.mode).toBe('client')
    controller.setNat({ type: 'open', host: '203.0.113.7', port: 4000 })
    time.advance(30_000)
    expect(controller.mode).toBe('server')
  })

  it('restarts the promotion clock when eligibility is interrupted (hysteresis)', () => {
    const { time, controller, eligible } = setup()
    eligible()
    time.advance(20_000)
    controller.setReachability('unknown')
    time.advance(5_000)
    controller.setReachability('reachable')
    time.advance(29_000)
    expect(controller.mode).toBe('client')
    time.advance(1_000)
    expect(controller.mode).toBe('server')
  })

  it('never promotes a node whose reachability flaps faster than promoteAfter', () => {
    const { time, controller, events, eligible } = setup()
    eligible()
    for (let i = 0; i < 50; i++) {
      time.advance(10_000)
      controller.setReachability(i % 2 === 0 ? 'unreachable' : 'reachable')
    }
    expect(controller.mode).toBe('client')
    expect(events).toEqual([])
  })

  it('demotes after demoteAfter once reachability is lost, within 1 minute with the defaults', () => {
    const { time, controller, events, eligible } = setup()
    eligible()
    time.advance(30_000)
    time.advance(100_000) // long past the dwell time
    controller.setReachability('unreachable')
    time.advance(19_999)
    expect(controller.mode).toBe('server')
    time.advance(1)
    expect(controller.mode).toBe('client')
    expect(events.at(-1)).toEqual({ mode: 'client', previous: 'server', reason: 'reachability-lost' })
  })

  it('demotes at most minDwell after a promotion, so always within 1 minute of the loss with the defaults', () => {
    const { time, controller, events, eligible } = setup()
    eligible()
    time.advance(30_000)
    expect(controller.mode).toBe('server')
    const promotedAt = time.now()
    controller.setReachability('unknown')
    time.advance(44_999)
    expect(controller.mode).toBe('server')
    time.advance(1)
    expect(controller.mode).toBe('client')
    expect(time.now() - promotedAt).toBe(45_000)
    expect(events.at(-1)!.reason).toBe('reachability-lost')
  })

  it('demotes with reason nat-changed when the mapping turns random', () => {
    const { time, controller, events, eligible } = setup()
    eligible()
    time.advance(100_000)
    controller.setNat({ type: 'random', host: '203.0.113.7', port: null })
    time.advance(20_000)
    expect(controller.mode).toBe('client')
    expect(events.at(-1)!.reason).toBe('nat-changed')
  })

  it('keeps a server that recovers before demoteAfter', () => {
    const { time, controller, eligible } = setup()
    eligible()
    time.advance(100_000)
    controller.setReachability('unknown')
    time.advance(15_000)
    controller.setReachability('reachable')
    time.advance(600_000)
    expect(controller.mode).toBe('server')
  })

  it('demotes at once when the public address changes, and forgets reachability', () => {
    const { time, controller, events, eligible } = setup()
    eligible()
    time.advance(30_000)
    controller.setNat({ ...CONSISTENT, port: 4001 })
    expect(controller.mode).toBe('client')
    expect(events.at(-1)).toEqual({ mode: 'client', previous: 'server', reason: 'address-changed' })
    expect(controller.eligible).toBe(false)
    // a fresh reachable verdict is needed, and the dwell time applies to the re-promotion
    controller.setReachability('reachable')
    time.advance(44_999)
    expect(controller.mode).toBe('client')
    time.advance(1)
    expect(controller.mode).toBe('server')
  })

  it('treats a new public host as an address change, but not the first address nor a random port', () => {
    const { time, controller, events } = setup()
    controller.setNat({ type: 'unknown', host: null, port: null })
    controller.setNat(CONSISTENT)
    controller.setReachability('reachable')
    time.advance(30_000)
    expect(controller.mode).toBe('server')
    controller.setNat({ type: 'consistent', host: '198.51.100.1', port: 4000 })
    expect(events.at(-1)!.reason).toBe('address-changed')
  })

  it('restarts the promotion clock of a client whose address changed', () => {
    const { time, controller, eligible } = setup()
    eligible()
    time.advance(20_000)
    controller.setNat({ ...CONSISTENT, host: '198.51.100.1' })
    controller.setReachability('reachable')
    time.advance(29_999)
    expect(controller.mode).toBe('client')
    time.advance(1)
    expect(controller.mode).toBe('server')
  })

  it('demotes at once on a stall longer than the threshold', () => {
    const { time, controller, events, eligible } = setup()
    eligible()
    time.advance(30_000)
    expect(controller.reportStall(15_000)).toBe(false)
    expect(controller.mode).toBe('server')
    expect(controller.reportStall(15_001)).toBe(true)
    expect(controller.mode).toBe('client')
    expect(events.at(-1)!.reason).toBe('stall')
    expect(controller.eligible).toBe(false)
  })

  it('never switches in a fixed mode', () => {
    for (const mode of ['client', 'server'] as const) {
      const { time, controller, events, eligible } = setup({ mode })
      expect(controller.mode).toBe(mode)
      eligible()
      time.advance(600_000)
      controller.setReachability('unreachable')
      controller.setNat({ ...CONSISTENT, port: 1 })
      controller.reportStall(60_000)
      time.advance(600_000)
      expect(controller.mode).toBe(mode)
      expect(events).toEqual([])
      expect(time.pending).toBe(0)
    }
  })

  it('switches the setting at runtime', () => {
    const { time, controller, events, eligible } = setup({ mode: 'client' })
    eligible()
    controller.setSetting('server')
    expect(controller.mode).toBe('server')
    expect(events.at(-1)).toEqual({ mode: 'server', previous: 'client', reason: 'setting' })
    controller.setSetting('auto')
    expect(controller.mode).toBe('server') // still eligible: stays
    controller.setReachability('unreachable')
    time.advance(45_000)
    expect(controller.mode).toBe('client')
    expect(() => controller.setSetting('peer' as never)).toThrow(HolepunchError)
  })

  it('honours every timer option', () => {
    const { time, controller, eligible } = setup({ promoteAfter: 100, demoteAfter: 50, minDwell: 10 })
    eligible()
    time.advance(100)
    expect(controller.mode).toBe('server')
    controller.setReachability('unknown')
    expect(controller.pendingSwitchAt).toBe(time.now() + 50)
    time.advance(50)
    expect(controller.mode).toBe('client')
  })

  it('destroy() cancels the pending timer and ignores later input', () => {
    const { time, controller, events, eligible } = setup()
    eligible()
    expect(time.pending).toBe(1)
    controller.destroy()
    controller.destroy()
    expect(time.pending).toBe(0)
    controller.setReachability('reachable')
    time.advance(600_000)
    expect(controller.mode).toBe('client')
    expect(events).toEqual([])
  })

  it('rejects bad options', () => {
    expect(() => new ModeController({ mode: 'peer' as never })).toThrow(/mode/)
    expect(() => new ModeController({ promoteAfter: -1 })).toThrow(/promoteAfter/)
    expect(() => new ModeController({ minDwell: Number.NaN })).toThrow(/minDwell/)
  })

  it('works with the real default scheduler and lets the process exit (unref)', async () => {
    const controller = new ModeController({ promoteAfter: 5, minDwell: 0 })
    const switched = new Promise<ModeChange>((resolve) => controller.once('mode', resolve))
    controller.setNat(CONSISTENT)
    controller.setReachability('reachable')
    expect((await switched).mode).toBe('server')
    controller.destroy()
  })
})
