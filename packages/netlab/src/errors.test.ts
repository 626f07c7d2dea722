import { describe, expect, it } from 'vitest'
import { NetlabError } from './errors.js'

describe('NetlabError', () => {
  it('carries a code, a name, and is recognised across copies', () => {
    const err = NetlabError.UNSUPPORTED('not root')
    expect(err.code).toBe('UNSUPPORTED')
    expect(err.name).toBe('NetlabError')
    expect(err.message).toContain('not root')
    expect(NetlabError.isInstance(err)).toBe(true)
    expect(NetlabError.isInstance(new Error('x'))).toBe(false)
    expect(NetlabError.isInstance({ [Symbol.for('hyperdht-ts.netlab.error')]: true })).toBe(true)
  })

  it('keeps causes and lists teardown errors', () => {
    const cause = new Error('inner')
    expect(NetlabError.DESTROYED(cause).cause).toBe(cause)
    const err = NetlabError.TEARDOWN_FAILED([new Error('a'), 'b'])
    expect(err.message).toContain('- a')
    expect(err.message).toContain('- b')
  })
})
