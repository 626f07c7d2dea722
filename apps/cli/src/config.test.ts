import { mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, describe, expect, it } from 'vitest'
import { checkConfig, defaultConfigPath, loadConfigFile, resolveSettings } from './config.js'
import { DEFAULT_BOOTSTRAP } from './constants.js'

describe('resolveSettings: flags > environment > config file > defaults', () => {
  const file = { bootstrap: ['10.0.0.3:3'], host: '10.0.0.30', listenPort: 3000, mode: 'server' as const }
  const env = { HYPERDHT_BOOTSTRAP: '10.0.0.2:2, 10.0.0.22:22', HYPERDHT_HOST: '10.0.0.20', HYPERDHT_LISTEN_PORT: '2000', HYPERDHT_MODE: 'client' }

  it('takes the flag first', () => {
    const s = resolveSettings({ bootstrap: ['10.0.0.1:1'], host: '10.0.0.10', listenPort: '1000', mode: 'auto' }, env, file)
    expect(s).toMatchObject({ bootstrap: ['10.0.0.1:1'], host: '10.0.0.10', listenPort: 1000, mode: 'auto' })
    expect(s.sources).toEqual({ bootstrap: 'flag', host: 'flag', listenPort: 'flag', mode: 'flag', portMapping: 'default' })
  })

  it('then the environment (lists split on commas and spaces)', () => {
    const s = resolveSettings({}, env, file)
    expect(s).toMatchObject({ bootstrap: ['10.0.0.2:2', '10.0.0.22:22'], host: '10.0.0.20', listenPort: 2000, mode: 'client' })
    expect(s.sources.bootstrap).toBe('env')
  })

  it('then the file, then the defaults', () => {
    expect(resolveSettings({}, {}, file)).toMatchObject({ ...file, sources: { bootstrap: 'config' } })
    const d = resolveSettings({}, {}, null, { mode: 'auto' })
    expect(d).toMatchObject({ bootstrap: DEFAULT_BOOTSTRAP, host: undefined, listenPort: 0, mode: 'auto' })
  })

  it('port mapping: off by default, on from the config file, and --port-mapping / --no-port-mapping win over it', () => {
    expect(resolveSettings({}, {}, null)).toMatchObject({ portMapping: false, sources: { portMapping: 'default' } })
    expect(resolveSettings({}, {}, { portMapping: true })).toMatchObject({ portMapping: true, sources: { portMapping: 'config' } })
    expect(resolveSettings({ portMapping: false }, {}, { portMapping: true })).toMatchObject({ portMapping: false, sources: { portMapping: 'flag' } })
    expect(resolveSettings({ portMapping: true }, {}, null).portMapping).toBe(true)
  })

  it('--no-bootstrap (false) and HYPERDHT_BOOTSTRAP=none mean no bootstrap nodes', () => {
    expect(resolveSettings({ bootstrap: false }, env, file).bootstrap).toEqual([])
    expect(resolveSettings({}, { HYPERDHT_BOOTSTRAP: 'none' }, file).bootstrap).toEqual([])
  })

  it('checks values wherever they come from', () => {
    expect(() => resolveSettings({ listenPort: '70000' }, {}, null)).toThrow(/out of range/)
    expect(() => resolveSettings({}, { HYPERDHT_LISTEN_PORT: 'x' }, null)).toThrow(/HYPERDHT_LISTEN_PORT/)
    expect(() => resolveSettings({}, { HYPERDHT_MODE: 'sometimes' }, null)).toThrow(/HYPERDHT_MODE must be one of auto, client, server/)
    expect(() => resolveSettings({}, { HYPERDHT_BOOTSTRAP: 'nohost' }, null)).toThrow(/port is missing/)
  })
})

describe('config file', () => {
  const dir = mkdtempSync(join(tmpdir(), 'hyperdht-config-'))
  afterAll(() => { rmSync(dir, { recursive: true, force: true }) })

  it('lives under XDG_CONFIG_HOME, ~/.config, or where HYPERDHT_CONFIG says', () => {
    expect(defaultConfigPath({}, '/home/u')).toBe('/home/u/.config/hyperdht/config.json')
    expect(defaultConfigPath({ XDG_CONFIG_HOME: '/x' }, '/home/u')).toBe('/x/hyperdht/config.json')
    expect(defaultConfigPath({ HYPERDHT_CONFIG: '/etc/h.json' }, '/home/u')).toBe('/etc/h.json')
  })

  it('a missing default file is fine, a missing named one is not', () => {
    expect(loadConfigFile(join(dir, 'none.json'), false)).toBeNull()
    expect(() => loadConfigFile(join(dir, 'none.json'), true)).toThrow(/no such file/)
  })

  it('rejects bad JSON, unknown fields and wrong types', () => {
    const f = join(dir, 'c.json')
    writeFileSync(f, '{')
    expect(() => loadConfigFile(f, false)).toThrow(/not valid JSON/)
    expect(() => checkConfig([], f)).toThrow(/expected a JSON object/)
    expect(() => checkConfig({ bootstrapp: [] }, f)).toThrow(/unknown field "bootstrapp"/)
    expect(() => checkConfig({ bootstrap: 'a:1' }, f)).toThrow(/list of "host:port"/)
    expect(() => checkConfig({ listenPort: -1 }, f)).toThrow(/port number/)
    expect(() => checkConfig({ mode: 'fast' }, f)).toThrow(/"mode" must be one of/)
    expect(() => checkConfig({ portMapping: 'yes' }, f)).toThrow(/"portMapping" must be true or false/)
    writeFileSync(f, JSON.stringify({ bootstrap: ['1.2.3.4:5'], mode: 'server' }))
    expect(loadConfigFile(f, true)).toEqual({ bootstrap: ['1.2.3.4:5'], mode: 'server' })
  })
})
