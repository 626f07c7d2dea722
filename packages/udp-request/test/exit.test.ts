import { fileURLToPath } from 'node:url'
import { runScript } from '@hyperdht-ts/test-utils'
import { expect, test } from 'vitest'

test('after destroy() (or unref()) the process exits on its own: no timer or socket left behind', async () => {
  const script = fileURLToPath(new URL('./fixtures/exit.ts', import.meta.url))
  const { code, stdout, stderr } = await runScript(script, fileURLToPath(new URL('..', import.meta.url)))
  const out = stdout + stderr
  expect(out).toContain('destroyed DESTROYED')
  expect(out).toContain('unref 1')
  expect(code).toBe(0) // a leftover handle would keep it alive until runScript kills it
})
