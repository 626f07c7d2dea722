// The mode controller's inputs beyond the main cycle (controller.test.ts): the pending deadline,
// repeated confirmations, a random mapping's missing port, and inputs after destroy.
import { describe, expect, it } from 'vitest'
import { VirtualTime } from '../../test/virtual-time'
import { ModeController, type ModeChange } from './controller'

const HOST = '203.0.113.7'

function setup (): { time: VirtualTime, controller: ModeController, events: ModeChange[] } {
  const time = new VirtualTime(1_000_000)
  const controller = new ModeController({ now: time.now, schedule: time.schedule, promoteAfter: 30_000, demoteAfter: 10_000, minDwell: 0 })
  const events: ModeChange[] = []
  controller.on('mode', (e) => events.push(e))
  return { time, controller, events }
}

describe('ModeController inputs', () => {
  it('says when the pending switch is due; a confirmed verdict does not restart the wait', () => {
    const { time, controller } = setup()
    expect(controller.pendingSwitchAt).toBeNull()
    controller.setNat({ type: 'consistent', host: HOST, port: 4000 })
    controller.setReachability('reachable')
    expect(controller.pendingSwitchAt).toBe(1_030_000)
    time.advance(20_000)
    controller.setReachability('reachable') // the next round agrees
    controller.setNat({ type: 'consistent', host: HOST, port: 4000 })
    expect(controller.pendingSwitchAt).toBe(1_030_000)
    time.advance(10_000)
    expect(controller.mode).toBe('server')
    expect(controller.pendingSwitchAt).toBeNull()
  })

  it('a random verdict without a port is no address change: the server is demoted as ineligible, after the wait', () => {
    const { time, controller, events } = setup()
    controller.setNat({ type: 'consistent', host: HOST, port: 4000 })
    controller.setReachability('reachable')
    time.advance(30_000)
    expect(controller.mode).toBe('server')
    // the same host, no port (a random mapping): not a new address, but no longer eligible
    controller.setNat({ type: 'random', host: HOST, port: null })
    expect(events.at(-1)!.reason).toBe('eligible')
    time.advance(10_000)
    expect(events.at(-1)).toEqual({ mode: 'client', previous: 'server', reason: 'nat-changed' })
  })

  it('another host forgets the old port: a port learnt later for the new host is no second change', () => {
    const { time, controller, events } = setup()
    controller.setNat({ type: 'consistent', host: HOST, port: 4000 })
    controller.setReachability('reachable')
    time.advance(30_000)
    controller.setNat({ type: 'random', host: '198.51.100.9', port: null }) // moved networks
    expect(events.at(-1)).toEqual({ mode: 'client', previous: 'server', reason: 'address-changed' })
    expect(controller.pendingSwitchAt).toBeNull() // the reachability evidence was reset with it
    controller.setReachability('reachable')
    controller.setNat({ type: 'consistent', host: '198.51.100.9', port: 5000 })
    expect(controller.pendingSwitchAt).not.toBeNull() // eligible again: no hard change in between
    expect(events).toHaveLength(2)
  })

  it('ignores every input once destroyed', () => {
    const { time, controller, events } = setup()
    controller.setNat({ type: 'consistent', host: HOST, port: 4000 })
    controller.setReachability('reachable')
    controller.destroy()
    controller.destroy()
    expect(controller.pendingSwitchAt).toBeNull()
    controller.setSetting('server')
    controller.setReachability('reachable')
    controller.setNat({ type: 'consistent', host: '198.51.100.9', port: 1 })
    expect(controller.reportStall(60_000)).toBe(false)
    time.advance(120_000)
    expect(controller.mode).toBe('client')
    expect(controller.setting).toBe('auto')
    expect(events).toEqual([])
  })
})
