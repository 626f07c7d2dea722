import { describe, expect, it } from 'vitest'
import { DHT } from './dht.js'
import { DHTError } from './errors.js'

describe('DHT arguments', () => {
  it('refuses bad addresses and options with INVALID_ARGUMENT, before any I/O', async () => {
    const node = new DHT()
    try {
      for (const bad of ['1.2.3.4:99999', '', '[::1', { host: 'x y', port: 1 }]) {
        await expect(node.ping(bad as string)).rejects.toSatisfy((e: unknown) => DHTError.isInstance(e) && e.code === 'INVALID_ARGUMENT')
      }
      expect(() => new DHT({ concurrency: 0 })).toThrow(expect.objectContaining({ code: 'INVALID_ARGUMENT' }))
      expect(() => new DHT({ maxInflight: 1.5 })).toThrow(expect.objectContaining({ code: 'INVALID_ARGUMENT' }))
      expect(() => new DHT({ id: new Uint8Array(31) })).toThrow(expect.objectContaining({ code: 'INVALID_ARGUMENT' }))
    } finally {
      await node.destroy()
    }
  })

  it('refuses a value over maxValueSize with VALUE_TOO_LARGE', async () => {
    const node = new DHT({ maxValueSize: 10 })
    try {
      const target = new Uint8Array(32)
      expect(() => node.query({ command: 'x', target, value: new Uint8Array(11) })).toThrow(expect.objectContaining({ code: 'VALUE_TOO_LARGE' }))
      await expect(node.update({ command: 'x', target, value: new Uint8Array(11) })).rejects.toMatchObject({ code: 'VALUE_TOO_LARGE' })
      expect(node.query({ command: 'x', target, value: new Uint8Array(10) })).toBeDefined()
    } finally {
      await node.destroy()
    }
  })
})
