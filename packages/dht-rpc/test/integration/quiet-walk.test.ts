// The overdue check of a walk runs in the turn of the event loop after its timer (answers read
// meanwhile count first). In a process with nothing else to do, that turn must come at once: an
// unref()ed setImmediate does not keep libuv's poll from blocking until the next event, which
// held the walk until the silent node's timeout. A process of its own, because inside vitest the
// test runner's own traffic wakes the event loop all the time.
import { fileURLToPath } from 'node:url'
import { runScript } from '@hyperdht-ts/test-utils'
import { expect, test } from 'vitest'

test('a walk in an otherwise idle process leaves a silent node behind once it is overdue, long before its timeout', async () => {
  const script = fileURLToPath(new URL('../fixtures/quiet-walk.ts', import.meta.url))
  const { code, stdout, stderr } = await runScript(script, fileURLToPath(new URL('../..', import.meta.url)))
  expect(code, stderr).toBe(0)
  // errors 1 and overdue 0: the walk waited for the timeout (3 s) to wake it
  expect(JSON.parse(stdout)).toMatchObject({ overdue: 1, errors: 0 })
}, 20_000)
