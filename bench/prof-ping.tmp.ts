import { DHT } from '../packages/dht-rpc/src/index.js'
const server = new DHT({ rateLimit: false, amplification: false })
const client = new DHT({ ephemeral: true })
await server.listen(0, '127.0.0.1')
await client.listen(0, '127.0.0.1')
const to = { host: '127.0.0.1', port: server.address().port }
let done = 0
const end = Date.now() + 8000
await Promise.all(Array.from({ length: 16 }, async () => { while (Date.now() < end) { await client.ping(to); done++ } }))
console.log('pings/s', done / 8)
await client.destroy(); await server.destroy()
