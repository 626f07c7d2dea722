// vitest globalSetup of the apps: their tests run the BUILT binaries, so build them (and the
// libraries they use) first. turbo makes this a cache hit when nothing changed. Both apps' setups
// may start at once: a lock directory makes the second wait, so two builds never race on `dist/`.
import { spawnSync } from 'node:child_process'
import { mkdirSync, rmSync, statSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'

const root = fileURLToPath(new URL('..', import.meta.url))
const lock = join(tmpdir(), `hyperdht-ts-build-${Buffer.from(root).toString('hex').slice(-24)}.lock`)

async function acquire () {
  const deadline = Date.now() + 10 * 60_000
  for (;;) {
    try {
      mkdirSync(lock)
      return
    } catch (err) {
      if (err.code !== 'EEXIST') throw err
      // a lock left by a killed run is stale after 10 minutes
      try {
        if (Date.now() - statSync(lock).mtimeMs > 10 * 60_000) rmSync(lock, { recursive: true, force: true })
      } catch {}
      if (Date.now() > deadline) throw new Error(`timed out waiting for ${lock}`)
      await new Promise((resolve) => setTimeout(resolve, 200))
    }
  }
}

export default async function setup () {
  if (process.env.HYPERDHT_TEST_SKIP_BUILD === '1') return
  await acquire()
  try {
    const res = spawnSync('pnpm', ['exec', 'turbo', 'run', 'build', '--filter=@hyperdht-ts/cli', '--filter=@hyperdht-ts/bootstrap', '--output-logs=errors-only'], {
      cwd: root,
      stdio: ['ignore', 'inherit', 'inherit'],
      env: { ...process.env, TURBO_TELEMETRY_DISABLED: '1', DO_NOT_TRACK: '1' }
    })
    if (res.status !== 0) throw new Error(`building the apps failed (turbo exit ${res.status ?? res.signal})`)
  } finally {
    rmSync(lock, { recursive: true, force: true })
  }
}
