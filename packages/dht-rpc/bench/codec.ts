// Reflection vs. generated static code for the dht-rpc messages (protobufjs). Generates the
// static module with pbjs into a temporary directory, then times encode/decode of typical
// messages with both. Decides whether static code is worth committing (see README).
//
//   pnpm tsx bench/codec.ts
import { execFileSync } from 'node:child_process'
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { createRequire } from 'node:module'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import protobuf from 'protobufjs'
import { requestEncoding, responseEncoding } from '../src/messages/codec.js'
import { SCHEMA } from '../src/messages/schema.js'

const require = createRequire(import.meta.url)
const pkg = fileURLToPath(new URL('..', import.meta.url))
const dir = mkdtempSync(join(tmpdir(), 'dht-rpc-codec-'))
const out = join(dir, 'static.cjs')
execFileSync(join(pkg, 'node_modules/.bin/pbjs'), ['-t', 'static-module', '-w', 'commonjs', '--no-verify', '--no-convert',
  '--no-delimited', '--no-typeurl', '--no-service', '-o', out, join(pkg, 'src/messages/schema.proto')])
writeFileSync(out, readFileSync(out, 'utf8').replace('require("protobufjs/minimal")', JSON.stringify(require.resolve('protobufjs/minimal')).replace(/^/, 'require(').replace(/$/, ')')))
const S = require(out)
rmSync(dir, { recursive: true, force: true })

const root = protobuf.parse(SCHEMA, { keepCase: true }).root
const R = { Request: root.lookupType('Request'), Response: root.lookupType('Response') }

const b = (n: number, v: number): Buffer => Buffer.alloc(n, v)
const req = { command: 'peers', id: b(32, 1), target: b(32, 2), value: b(40, 3), roundtripToken: b(32, 4) }
const res = { id: b(32, 1), nodes: b(760, 5), value: b(40, 3), roundtripToken: b(32, 4) }
const reqBytes = requestEncoding.encode(req)
const resBytes = responseEncoding.encode(res)

function time (fn: () => unknown, n = 200_000): number {
  for (let i = 0; i < 20_000; i++) fn()
  const t = process.hrtime.bigint()
  for (let i = 0; i < n; i++) fn()
  return n / (Number(process.hrtime.bigint() - t) / 1e9)
}

const cases: Array<[string, () => unknown, () => unknown, () => unknown]> = [
  ['Request.encode', () => R.Request.encode(req).finish(), () => S.Request.encode(req).finish(), () => requestEncoding.encode(req)],
  ['Request.decode', () => R.Request.decode(reqBytes), () => S.Request.decode(reqBytes), () => requestEncoding.decode(reqBytes)],
  ['Response.encode', () => R.Response.encode(res).finish(), () => S.Response.encode(res).finish(), () => responseEncoding.encode(res)],
  ['Response.decode', () => R.Response.decode(resBytes), () => S.Response.decode(resBytes), () => responseEncoding.decode(resBytes)]
]
const fmt = (n: number, w: number): string => Math.round(n).toLocaleString('en-US').padStart(w)
console.log('ops/s, best of 5       reflection   static (pbjs)   static/reflection   our codec (reflection + null-normalising)')
for (const [name, refl, stat, codec] of cases) {
  let r = 0
  let s = 0
  let c = 0
  for (let i = 0; i < 5; i++) {
    r = Math.max(r, time(refl))
    s = Math.max(s, time(stat))
    c = Math.max(c, time(codec))
  }
  console.log(`${name.padEnd(20)} ${fmt(r, 12)} ${fmt(s, 15)} ${(s / r).toFixed(2).padStart(19)} ${fmt(c, 13)}`)
}
