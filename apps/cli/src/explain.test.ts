import { describe, expect, it } from 'vitest'
import { CLIError } from './errors.js'
import { explain } from './explain.js'

function coded (code: string, message = code, cause?: unknown): Error {
  return Object.assign(new Error(message, { cause }), { code })
}

describe('explain', () => {
  it('keeps a CLIError as is', () => {
    const e = CLIError.USAGE('x')
    expect(explain(e)).toBe(e)
  })

  it('tells library errors in the user\'s terms, by code', () => {
    expect(explain(coded('ADDRESS_IN_USE'), { host: '127.0.0.1', port: 5 }).message).toMatch(/^port 5 is already in use on 127\.0\.0\.1/)
    expect(explain(coded('BOOTSTRAP_FAILED', 'x', coded('NO_NODES_RESPONDED')), { bootstrap: ['1.2.3.4:5'] }).message)
      .toMatch(/^could not join the network: no bootstrap node answered \(1\.2\.3\.4:5;/)
    expect(explain(coded('BOOTSTRAP_FAILED', 'x', coded('ENOTFOUND')), { bootstrap: ['nowhere:5'] }).message)
      .toBe('could not join the network: the bootstrap host nowhere:5 did not resolve')
    expect(explain(coded('NO_NODES_RESPONDED')).code).toBe('NO_ANSWER')
    expect(explain(coded('VALUE_TOO_LARGE', 'value is 2000 bytes')).exitCode).toBe(2)
  })

  it('anything else fails with its first line', () => {
    const e = explain(new Error('first\nsecond'))
    expect(e.code).toBe('FAILED')
    expect(e.message).toBe('first')
    expect(e.exitCode).toBe(1)
  })
})
