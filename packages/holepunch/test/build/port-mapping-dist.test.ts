// The optional library is ESM-only: the built package must load it with a real import() from its
// CommonJS build as well as its ESM one (its exports have only an `import` condition: require()
// fails with ERR_PACKAGE_PATH_NOT_EXPORTED). Each build maps
// against 127.0.0.1, where no NAT-PMP server answers: a TIMEOUT cause proves the library loaded
// and spoke (PORT_MAPPING_UNAVAILABLE would mean it could not be loaded). Needs `pnpm build`.
import { execFileSync } from 'node:child_process'
import { existsSync } from 'node:fs'
import { fileURLToPath } from 'node:url'
import { describe, expect, it } from 'vitest'

const DIST = fileURLToPath(new URL('../../dist/', import.meta.url))
const built = existsSync(`${DIST}index.cjs`) && existsSync(`${DIST}index.js`)

const script = (load: string): string => `
${load}.then(({ PortMapper }) => {
  const m = new PortMapper({ internalPort: 40999, protocols: ['pmp'], gateway: '127.0.0.1', timeout: 300 })
  m.on('failed', (err) => {
    console.log(JSON.stringify({ code: err.code, cause: err.cause && err.cause.code }))
    m.close()
  })
  m.start()
})`

describe.skipIf(!built)(`the built package loads @achingbrain/nat-port-mapper${built ? '' : ' (skipped: run pnpm build first)'}`, () => {
  it.each([
    ['CommonJS', `Promise.resolve(require(${JSON.stringify(`${DIST}index.cjs`)}))`, []],
    ['ESM', `import(${JSON.stringify(`${DIST}index.js`)})`, ['--input-type=module']]
  ] as const)('from the %s build', (_name, load, flags) => {
    const out = execFileSync(process.execPath, [...flags, '-e', script(load)], { encoding: 'utf8', timeout: 10_000 })
    expect(JSON.parse(out.trim())).toEqual({ code: 'PORT_MAPPING_FAILED', cause: 'TIMEOUT' })
  })
})
