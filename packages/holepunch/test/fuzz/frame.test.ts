// Mutation fuzzing of the connection frame codec and of a reliable channel fed hostile frames.
// decodeFrame: only HolepunchError INVALID_FRAME is thrown; what decodes re-encodes to the very
// same bytes (the layout is fixed), the payload is a view inside the input (or empty), and isFrame /
// frameConnectionId agree with it. ReliableChannel.receive: never throws, returns true exactly
// for decodable frames of its connection, counts every other datagram as dropped, and keeps
// its reorder buffer within the window. Plus a replay of ./corpus/.
import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import { Prng, envCount, fuzzSeed, loadCorpus, mutate } from '@hyperdht-ts/test-utils'
import { HolepunchError } from '../../src/errors'
import { FRAME_HEADER_BYTES, FRAME_TYPE, decodeFrame, encodeFrame, frameConnectionId, isFrame, type Frame, type FrameType } from '../../src/connection/frame'
import { ReliableChannel } from '../../src/connection/reliable-channel'
import { VirtualTime } from '../virtual-time'

const fcOptions = (numRuns: number): fc.Parameters<unknown> =>
  process.env.FC_SEED === undefined ? { numRuns } : { numRuns, seed: Number(process.env.FC_SEED) }
const hex = (b: Uint8Array): string => Buffer.from(b.buffer, b.byteOffset, b.byteLength).toString('hex')
const TYPES = Object.values(FRAME_TYPE) as FrameType[]

/** The decoded frame, or null after checking that the error is INVALID_FRAME. */
function checkFrame (input: Uint8Array): Frame | null {
  let f: Frame
  try {
    f = decodeFrame(input)
  } catch (err) {
    if (!HolepunchError.isInstance(err) || err.code !== 'INVALID_FRAME') throw new Error(`decodeFrame threw something else than INVALID_FRAME: ${String(err)}`, { cause: err })
    return null
  }
  expect(hex(encodeFrame(f))).toBe(hex(input))
  if (input.byteLength > FRAME_HEADER_BYTES) {
    expect(f.payload.buffer).toBe(input.buffer)
    expect(f.payload.byteOffset).toBe(input.byteOffset + FRAME_HEADER_BYTES)
    expect(f.payload.byteOffset + f.payload.byteLength).toBe(input.byteOffset + input.byteLength)
  } else {
    expect(f.payload.byteLength).toBe(0) // no view is made for nothing
  }
  expect(isFrame(input)).toBe(true)
  expect(frameConnectionId(input)).toBe(f.id)
  return f
}

const u32 = fc.integer({ min: 0, max: 0xffffffff })
const validFrame = fc.record({ type: fc.constantFrom(...TYPES), id: u32, seq: u32, ack: u32, sack: u32, payload: fc.uint8Array({ maxLength: 300 }) })
  .map((f) => encodeFrame({ ...f, payload: f.type === FRAME_TYPE.DATA ? f.payload : undefined }))

describe('frame codec under mutation', () => {
  it('mutated valid frames: INVALID_FRAME or a frame that re-encodes to the same bytes, payload a view of the input (or empty)', () => {
    fc.assert(fc.property(validFrame, u32, (frame, s) => {
      expect(checkFrame(frame)).not.toBeNull()
      const m = mutate(new Prng(s), frame, { maxOps: 3 })
      // also inside a larger buffer, at an offset
      const backing = new Uint8Array(m.bytes.length + 7)
      backing.set(m.bytes, 3)
      const inner = backing.subarray(3, 3 + m.bytes.length)
      const a = checkFrame(m.bytes)
      const b = checkFrame(inner)
      expect(a === null).toBe(b === null)
    }), fcOptions(3000))
  })

  it('refuses what is not bytes', () => {
    for (const v of [null, undefined, 'HC', [0x48, 0x43], new Uint16Array(20), {}]) {
      expect(() => decodeFrame(v as never)).toThrow(expect.objectContaining({ code: 'INVALID_FRAME' }))
    }
  })
})

describe('a reliable channel fed mutated frames', () => {
  it('never throws, accepts exactly its own decodable frames, counts the rest as dropped (seeded)', () => {
    const seed = fuzzSeed()
    const count = envCount('FUZZ_FRAMES', 5000)
    console.log(`holepunch frames: seed ${seed}, ${count} mutated frames (replay: FUZZ_SEED=${seed} FUZZ_FRAMES=${count})`)
    const rand = new Prng(seed)
    const time = new VirtualTime(1_000_000)
    const id = 7
    const sent: Uint8Array[] = []
    let delivered = 0
    let channels = 0
    const open = (): ReliableChannel => {
      channels++
      const ch = new ReliableChannel({ id, now: time.now, schedule: time.schedule, send: (f) => { sent.push(f); if (sent.length > 64) sent.shift() }, window: 16 })
      ch.on('message', () => { delivered++ })
      for (let i = 0; i < 8; i++) ch.send(rand.bytes(rand.length(200))).catch(() => {})
      return ch
    }
    let ch = open()
    let received = 0
    // frames it sent (as a peer would echo or replay them) and frames of every type near its sequence numbers
    const base = (): Uint8Array => rand.chance(0.3) && sent.length > 0
      ? rand.pick(sent)
      : encodeFrame({ type: rand.pick(TYPES), id: rand.chance(0.9) ? id : rand.uint32(), seq: rand.int(40), ack: rand.int(12), sack: rand.chance(0.5) ? 0 : rand.uint32(), payload: undefined })
    for (let i = 0; i < count; i++) {
      if (ch.closed) ch = open() // a CLOSE (or a lost peer) ended it: fuzz a fresh one
      const bytes = rand.chance(0.8) ? mutate(rand, base(), { maxOps: 2 }).bytes : base()
      const why = `seed ${seed} #${i}: ${hex(bytes)}`
      let own: boolean
      try {
        own = decodeFrame(bytes).id === id
      } catch {
        own = false
      }
      const dropped = ch.stats.dropped
      let accepted: boolean
      try {
        accepted = ch.receive(bytes)
      } catch (err) {
        throw new Error(`${why}: receive threw ${String(err)}`, { cause: err })
      }
      expect(accepted, why).toBe(own)
      if (!own) expect(ch.stats.dropped, why).toBe(dropped + 1)
      if (accepted) received++
      if (rand.chance(0.05)) time.advance(rand.int(2000))
    }
    // not vacuous: both outcomes, over many channels (CLOSE frames end them)
    expect(received).toBeGreaterThan(count / 10)
    expect(received).toBeLessThan(count)
    expect(channels).toBeGreaterThan(1)
    expect(delivered).toBeGreaterThan(0)
    ch.destroy()
  })
})

describe('holepunch fuzz corpus', () => {
  // target `frame`: hex = one datagram; expect = "decodes" or "INVALID_FRAME"
  const corpus = loadCorpus(new URL('./corpus/', import.meta.url))
  it('has cases, all with known targets', () => {
    expect(corpus.length).toBeGreaterThan(5)
    for (const c of corpus) expect(c.target, c.file).toBe('frame')
  })
  for (const c of corpus) {
    it(c.file, () => {
      expect(checkFrame(c.bytes) === null ? 'INVALID_FRAME' : 'decodes', `${c.file}: ${c.note}`).toBe(c.expect)
    })
  }
})
