import { spawn } from 'node:child_process'
import { fileURLToPath } from 'node:url'
import { expect, test } from 'vitest'

test('after destroy() (or unref()) the process exits on its own: no timer or socket left behind', async () => {
  const script = fileURLToPath(new URL('./fixtures/exit.ts', import.meta.url))
  const child = spawn(process.execPath, ['--import', 'tsx', script], {
    cwd: fileURLToPath(new URL('..', import.meta.url)),
    stdio: ['ignore', 'pipe', 'pipe']
  })
  let out = ''
  child.stdout.on('data', (d: Buffer) => { out += d.toString() })
  child.stderr.on('data', (d: Buffer) => { out += d.toString() })
  const code = await new Promise<number | null>((resolve) => {
    const killer = setTimeout(() => child.kill('SIGKILL'), 15_000)
    child.on('exit', (c) => {
      clearTimeout(killer)
      resolve(c)
    })
  })
  expect(out).toContain('destroyed DESTROYED')
  expect(out).toContain('unref 1')
  expect(code).toBe(0) // a leftover handle would keep it alive until the SIGKILL above
})
