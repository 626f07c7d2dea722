// A stream of messages must not keep its acknowledged messages alive into the old generation.
// With Maps of inflight and reordered messages by seq, every message after the first full GC did
// (see SeqRing). The stream runs in a process of its own (test/fixtures/stream-promotion.ts),
// away from this runner's heap and its coverage, with V8's GC trace on; this test adds up the
// bytes the scavenges promoted after a full GC forced mid-stream. Over the 80,000 messages after
// it that was 16.3-19.5 MB with the Maps, 7-9 KB with the rings (up to 0.8 MB counted from an
// earlier full GC). The old generation's growth is no measure: the Maps' promotions bring 8-10
// full GCs that shrink it again, V8 allocates some long-lived objects straight into it, and in
// the runner's own heap, under coverage, the rings read 1.5-12 MB.
import { spawn } from 'node:child_process'
import { dirname, join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { expect, test } from 'vitest'

const packageDir = join(dirname(fileURLToPath(import.meta.url)), '../..')

async function run (): Promise<string> {
  const child = spawn(process.execPath, ['--expose-gc', '--trace-gc-nvp', '--import', 'tsx', 'test/fixtures/stream-promotion.ts'], {
    cwd: packageDir,
    stdio: ['ignore', 'pipe', 'pipe']
  })
  let out = ''
  let err = ''
  child.stdout.on('data', (d: Buffer) => { out += d.toString() })
  child.stderr.on('data', (d: Buffer) => { err += d.toString() })
  const code = await new Promise<number | null>((resolve) => child.on('close', resolve))
  if (code !== 0) throw new Error(`the stream fixture exited with ${String(code)}: ${err}`)
  return out
}

test('after a full GC mid-stream, 80,000 more messages promote next to nothing', async () => {
  const out = await run()
  const lines = out.split('\n')
  const forced = lines.indexOf('FORCED_GC')
  expect(forced).toBeGreaterThan(0)
  // the trace and our marker share stdout in order: the next collection is the forced one
  expect(lines.slice(forced + 1).find((line) => line.includes(' gc='))).toContain(' gc=mc ')
  let promoted = 0
  let scavenges = 0
  for (const line of lines.slice(forced + 1)) {
    const m = / gc=s .* promoted=(\d+)/.exec(line)
    if (m !== null) {
      scavenges++
      promoted += Number(m[1])
    }
  }
  expect(lines).toContain(JSON.stringify({ received: 90_000 }))
  expect(scavenges).toBeGreaterThan(10) // the trace was read: a stream like this scavenges often
  expect(promoted).toBeLessThan(3 * 1024 * 1024)
}, 60_000)
