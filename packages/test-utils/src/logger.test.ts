import { afterEach, describe, expect, it, vi } from 'vitest'
import { recordingLogger, spyOnOutput } from './logger.js'

afterEach(() => { vi.restoreAllMocks() })

describe('recordingLogger', () => {
  it('records each entry with its level, in order, and finds them by message', () => {
    const logger = recordingLogger()
    const { debug, warn } = logger // the methods work detached, as a library may call them
    debug('a', { x: 1 })
    logger.info('b')
    warn('a', { x: 2 })
    expect(logger.entries).toEqual([
      { level: 'debug', msg: 'a', fields: { x: 1 } },
      { level: 'info', msg: 'b', fields: undefined },
      { level: 'warn', msg: 'a', fields: { x: 2 } }
    ])
    expect(logger.find('a')).toEqual({ level: 'debug', msg: 'a', fields: { x: 1 } })
    expect(logger.filter('a').map((e) => e.level)).toEqual(['debug', 'warn'])
    expect(logger.find('c')).toBeUndefined()
  })
})

describe('spyOnOutput', () => {
  it('sees console output and stderr writes', () => {
    const output = spyOnOutput()
    expect(output.printed()).toEqual([])
    vi.mocked(console.warn).mockImplementationOnce(() => {}) // keep the test's own output clean
    console.warn('careful', 1)
    vi.mocked(process.stderr.write).mockImplementationOnce(() => true)
    process.stderr.write('raw')
    expect(output.printed()).toEqual(['console.warn: careful 1', 'process.stderr.write: raw'])
  })
})
