import { PassThrough } from 'node:stream'
import { HyperDHT } from '@hyperdht-ts/hyperdht'
import { afterAll, describe, expect, it } from 'vitest'
import { Output } from './output.js'
import { Shell, tokenize } from './shell.js'

describe('tokenize', () => {
  it('splits on spaces and keeps quoted text together', () => {
    expect(tokenize('  put "hello world"  x \'a b\' ')).toEqual(['put', 'hello world', 'x', 'a b'])
    expect(tokenize('')).toEqual([])
  })
})

describe('Shell', () => {
  // a node that never binds: enough for parsing, completion and local commands
  const node = new HyperDHT({ bootstrap: [] })
  afterAll(async () => { await node.destroy() })
  const stdout = new PassThrough()
  let text = ''
  stdout.on('data', (d: Buffer) => { text += d.toString() })
  const out = new Output({ json: true, verbose: false, stdout: stdout as never, stderr: new PassThrough() as never })
  const shell = new Shell(node, out, { modeSetting: 'auto', bootstrap: [] })
  const lines = (): Array<Record<string, unknown>> => text.split('\n').filter(Boolean).map((l) => JSON.parse(l))

  it('completes command names, then arguments', () => {
    expect(shell.complete('lo')).toEqual([['lookup '], 'lo'])
    expect(shell.complete('')[0]).toEqual(shell.names.map((n) => `${n} `))
    expect(shell.complete('help an')).toEqual([['announce'], 'an'])
    expect(shell.names).toEqual(expect.arrayContaining(['info', 'table', 'diversity', 'store', 'announce', 'lookup', 'put', 'get', 'ping', 'help', 'quit']))
  })

  it('prints one error line for bad input and goes on', async () => {
    await shell.exec('frobnicate')
    await shell.exec('get nothex')
    await shell.exec('lookup')
    await shell.exec('ping nowhere')
    expect(lines().map((l) => l.type)).toEqual(['error', 'error', 'error', 'error'])
    expect(lines().map((l) => l.code)).toEqual(['USAGE', 'BAD_KEY', 'USAGE', 'BAD_ADDRESS'])
    expect(shell.quitting).toBe(false)
  })

  it('answers local commands and quits on quit', async () => {
    text = ''
    await shell.exec('table')
    await shell.exec('store')
    await shell.exec('help lookup')
    await shell.exec('quit')
    expect(lines()).toEqual([
      { type: 'table', size: 0, nodes: [] },
      { type: 'store', peers: { peers: 0, keys: 0, hosts: 0, prefixes: 0, bytes: 0 }, values: { values: 0, hosts: 0, prefixes: 0, bytes: 0 } },
      { type: 'help', commands: [{ name: 'lookup', usage: 'lookup <key>', help: 'find the peers announced under a key' }] }
    ])
    expect(shell.quitting).toBe(true)
  })
})
