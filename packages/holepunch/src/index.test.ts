import { describe, expect, it } from 'vitest'
import * as api from './index'
import { FRAME_HEADER_BYTES } from './connection/frame'

describe('public surface', () => {
  it('exports the pieces', () => {
    for (const name of ['HolepunchError', 'classifyNat', 'NatSampler', 'ReachabilityTracker', 'ModeController', 'StallDetector',
      'ReliableChannel', 'encodeFrame', 'decodeFrame', 'isFrame', 'planPunch', 'portGuesses', 'BirthdayLimiter', 'birthdaySuccessProbability']) {
      expect(api).toHaveProperty(name)
    }
  })

  it('keeps the default message size within one 1200-byte datagram', () => {
    expect(api.MAX_MESSAGE_SIZE + FRAME_HEADER_BYTES).toBe(api.MAX_DATAGRAM_SIZE)
  })

  it('keeps the defaults inside the budgets of issue 8', () => {
    // promotion within 2 minutes of becoming reachable, demotion within 1 minute of losing it
    expect(Math.max(api.PROMOTE_AFTER, api.MIN_DWELL)).toBeLessThanOrEqual(120_000)
    expect(Math.max(api.DEMOTE_AFTER, api.MIN_DWELL)).toBeLessThanOrEqual(60_000)
    expect(api.STALL_THRESHOLD).toBe(15_000)
    // keepalives well inside Linux conntrack's 30 s for unreplied UDP; loss noticed within 10-20 s
    expect(api.KEEPALIVE_INTERVAL).toBeLessThanOrEqual(15_000)
    expect(api.IDLE_TIMEOUT).toBeGreaterThanOrEqual(10_000)
    expect(api.IDLE_TIMEOUT).toBeLessThanOrEqual(20_000)
    expect(api.BIRTHDAY_SOCKETS).toBeLessThanOrEqual(256)
    expect(api.BIRTHDAY_PROBES).toBeLessThanOrEqual(1750)
  })
})
