// Runs a TypeScript script in a process of its own: for what a test runner's process would hide
// (its own handles keep the event loop busy and alive), such as whether a process exits on its
// own or whether an idle event loop still turns.
import { spawn } from 'node:child_process'

export interface ScriptOutcome {
  /** Exit code; null when killed. */
  code: number | null
  /** stdout and stderr, each as written. */
  stdout: string
  stderr: string
}

/**
 * Runs `script` with `node --import tsx` in `cwd` and resolves once it exits, or once it was
 * killed (SIGKILL) for running past `timeout` ms: a leftover handle then shows as `code: null`.
 */
export async function runScript (script: string, cwd: string, timeout = 15_000): Promise<ScriptOutcome> {
  const child = spawn(process.execPath, ['--import', 'tsx', script], { cwd, stdio: ['ignore', 'pipe', 'pipe'] })
  let stdout = ''
  let stderr = ''
  child.stdout.on('data', (d: Buffer) => { stdout += d.toString() })
  child.stderr.on('data', (d: Buffer) => { stderr += d.toString() })
  const code = await new Promise<number | null>((resolve) => {
    const killer = setTimeout(() => child.kill('SIGKILL'), timeout)
    child.on('exit', (c) => {
      clearTimeout(killer)
      resolve(c)
    })
  })
  return { code, stdout, stderr }
}
