import { PassThrough } from 'node:stream'
import { describe, expect, it } from 'vitest'
import { CLIError } from './errors.js'
import { Output, stringify, type OutStream } from './output.js'

function stream (tty: boolean): OutStream & { text: () => string } {
  const s = new PassThrough() as PassThrough & { isTTY?: boolean, columns?: number }
  s.isTTY = tty
  s.columns = 40
  let text = ''
  s.on('data', (d: Buffer) => { text += d.toString() })
  return Object.assign(s, { text: () => text })
}

describe('Output', () => {
  it('--json: one object per line on stdout, notes only as objects, never progress', () => {
    const stdout = stream(true)
    const stderr = stream(true)
    const out = new Output({ json: true, verbose: false, stdout, stderr })
    out.progress('working…')
    out.note('a human note')
    out.note('hashed', { type: 'key', key: new Uint8Array([1, 2]) })
    out.result({ type: 'peer', host: 'h', port: 1 }, 'peer h:1')
    out.error(CLIError.NOT_FOUND('nothing here'))
    expect(stdout.text().split('\n').filter(Boolean).map((l) => JSON.parse(l))).toEqual([
      { type: 'key', key: '0102' },
      { type: 'peer', host: 'h', port: 1 },
      { type: 'error', code: 'NOT_FOUND', message: 'nothing here' }
    ])
    expect(stderr.text()).toBe('hyperdht: nothing here\n')
  })

  it('on a terminal, the status line is redrawn and results print above it', () => {
    const stdout = stream(true)
    const out = new Output({ json: false, verbose: false, stdout, stderr: stream(true) })
    expect(out.live).toBe(true)
    out.status('status one')
    out.result({ type: 'x' }, 'an event')
    out.status('a status line far longer than the forty columns of this terminal')
    const t = stdout.text()
    expect(t).toContain('\r\x1b[2Kstatus one')
    expect(t).toContain('\r\x1b[2Kan event\nstatus one')
    // cut to the terminal's width
    expect(t.endsWith('…')).toBe(true)
  })

  it('piped, no status line and no progress: only the lines', () => {
    const stdout = stream(false)
    const stderr = stream(false)
    const out = new Output({ json: false, verbose: false, stdout, stderr })
    expect(out.live).toBe(false)
    out.status('status')
    out.progress('progress')
    out.result({ type: 'x' }, 'line')
    out.note('note')
    expect(stdout.text()).toBe('line\n')
    expect(stderr.text()).toBe('note\n')
  })

  it('--verbose prints the stack and the causes', () => {
    const stderr = stream(false)
    const out = new Output({ json: false, verbose: true, stdout: stream(false), stderr })
    out.error(CLIError.FAILED('it broke', new Error('because')))
    expect(stderr.text()).toMatch(/^hyperdht: it broke\nCLIError: it broke\n\s+at /)
    expect(stderr.text()).toContain('caused by: Error: because')
  })
})

describe('stringify', () => {
  it('writes bytes (Uint8Array and Buffer) as hex', () => {
    expect(stringify({ a: new Uint8Array([255]), b: Buffer.from([1]) })).toBe('{"a":"ff","b":"01"}')
  })
})
