// A request loop must not keep its finished requests alive into the old generation. With a Map of
// pending requests by tid, every request after the first full GC did (see PendingTable): this
// test runs a loop over loopback after forcing a full GC and measures how much the old generation
// grew. Its threshold is far from both outcomes: with the Map the growth was 6-13 MB (fewer when a
// full GC happened to run during the loop), with the table 23-35 KB.
import { getHeapSpaceStatistics, setFlagsFromString } from 'node:v8'
import { runInNewContext } from 'node:vm'
import { afterEach, expect, test } from 'vitest'
import { HOST } from './helpers.js'
import { UDPRequest } from '../src/index.js'

setFlagsFromString('--expose-gc')
const gc = runInNewContext('gc') as () => void

const rpcs: UDPRequest[] = []
afterEach(async () => { await Promise.all(rpcs.splice(0).map(async (r) => { await r.destroy() })) })

function oldSpaceUsed (): number {
  return getHeapSpaceStatistics().find((s) => s.space_name === 'old_space')!.space_used_size
}

test('after a full GC, a loop of 20,000 requests leaves the old generation about where it was', async () => {
  const server = new UDPRequest()
  const client = new UDPRequest()
  rpcs.push(server, client)
  server.on('request', (value, peer) => server.response(value, peer))
  await server.listen(0, HOST)
  const to = { host: HOST, port: server.address().port }
  const body = new Uint8Array(40)
  const loop = async (count: number): Promise<void> => {
    let left = count
    const worker = async (): Promise<void> => {
      while (left-- > 0) await client.request(body, to)
    }
    await Promise.all(Array.from({ length: 16 }, worker))
  }
  await loop(5000) // warm up: compiled code, grown tables
  gc() // moves whatever is live, the table of pending requests included, to the old generation
  const before = oldSpaceUsed()
  await loop(20_000)
  const grown = oldSpaceUsed() - before
  expect(client.stats.responsesReceived).toBe(25_000)
  expect(grown).toBeLessThan(1024 * 1024)
}, 60_000)
