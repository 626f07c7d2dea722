// `@hyperdht-ts/netlab/vitest`: how a test file declares tests that need a lab. Kept out of
// the main entry so that importing the lab does not import vitest.
import { describe, it } from 'vitest'
import { checkSupport, requireRoot } from './support.js'

/**
 * `describe` for tests that need a lab. Where labs cannot be built (not root, tools missing)
 * the suite is skipped with the reason in its title, unless `NETLAB_REQUIRE=1` (set by
 * `.ci/run`): then it is one failing test that says why.
 */
export function describeLab (title: string, body: () => void): void {
  const support = checkSupport()
  if (support.ok) {
    describe(title, body)
  } else if (process.env.NETLAB_REQUIRE === '1') {
    describe(title, () => {
      it('can build network labs (NETLAB_REQUIRE=1)', () => { requireRoot() })
    })
  } else {
    describe.skip(`${title} (skipped: ${support.reason})`, body)
  }
}
