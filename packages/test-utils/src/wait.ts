// Waiting in tests without asserting on timing: `waitFor` polls a condition and only gives up
// after a bound generous enough for a loaded machine, so a stuck test fails with a message that
// names the condition instead of hitting vitest's test timeout.

/** Resolves after `ms` milliseconds. */
export async function sleep (ms: number): Promise<void> {
  await new Promise((resolve) => setTimeout(resolve, ms))
}

/**
 * Polls `check` (every few milliseconds) until it returns true; rejects if it is still false after
 * `timeout` ms, or if `check` throws.
 * @default timeout 10_000 (below vitest's 30 s test timeout, far above anything loopback needs)
 */
export async function waitFor (check: () => boolean | Promise<boolean>, timeout = 10_000): Promise<void> {
  const end = Date.now() + timeout
  while (!(await check())) {
    if (Date.now() > end) throw new Error(`waitFor: still false after ${timeout} ms: ${check.toString()}`)
    await sleep(2)
  }
}
