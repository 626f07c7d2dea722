import { isIP } from 'node:net'
import { parseAddress, hostKey, addressFamily } from '@hyperdht-ts/ip-encoding'
import { internHost } from '@hyperdht-ts/udp-request'
let sink = 0
function m (name: string, fn: () => unknown) {
  for (let r = 0; r < 3; r++) {
    const n = 2_000_000
    const t = process.hrtime.bigint()
    for (let i = 0; i < n; i++) if (fn() !== undefined) sink++
    const ns = Number(process.hrtime.bigint() - t) / n
    if (r === 2) console.log(name.padEnd(30), ns.toFixed(1), 'ns')
  }
}
const hosts = ['127.0.0.1', '127.0.0.1'.split('').join('')]
let k = 0
const h = () => hosts[(k++) & 1]!
m('empty', () => h())
m('isIP', () => isIP(h()))
m('addressFamily', () => addressFamily(h()))
m('parseAddress obj', () => parseAddress({ host: h(), port: 1234 }, 49737))
m('hostKey', () => hostKey(h()))
m('internHost', () => internHost(h()))
m('Date.now', () => Date.now())
m('performance.now', () => performance.now())
m('new Map get miss', (() => { const mm = new Map([['a', 1]]); return () => mm.get(h()) })())
console.log(sink > 0)
