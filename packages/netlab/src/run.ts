// Running the system tools (`ip`, `iptables`, `conntrack`, `sh`) the lab is made of.
import { spawn, spawnSync } from 'node:child_process'
import { COMMAND_TIMEOUT } from './constants.js'
import { NetlabError } from './errors.js'

export interface RunOptions {
  /** Written to the command's stdin (for `ip -batch -` and `iptables-restore`). */
  input?: string
  /** @default COMMAND_TIMEOUT */
  timeout?: number
  /** Resolve with the exit code instead of rejecting when the command fails. */
  allowFailure?: boolean
}

export interface RunResult {
  stdout: string
  stderr: string
  /** Exit code; -1 when the command could not start or was killed. */
  code: number
}

/**
 * The environment with /usr/sbin and /sbin on PATH: `ip`, `iptables` and `conntrack` live
 * there, and a non-login root shell (or a CI runner) does not always have them on its PATH.
 */
export function withSbin (env: NodeJS.ProcessEnv = process.env): NodeJS.ProcessEnv {
  const path = (env.PATH ?? '').split(':').filter((dir) => dir !== '')
  for (const dir of ['/usr/sbin', '/sbin']) if (!path.includes(dir)) path.push(dir)
  return { ...env, PATH: path.join(':') }
}

/** The argv that runs `command` inside network namespace `netns`. */
export function inNetns (netns: string, command: string, args: readonly string[]): [string, string[]] {
  return ['ip', ['netns', 'exec', netns, command, ...args]]
}

/** Runs a command to completion; rejects with COMMAND_FAILED (stderr included) unless allowed. */
export async function run (command: string, args: readonly string[], options: RunOptions = {}): Promise<RunResult> {
  const timeout = options.timeout ?? COMMAND_TIMEOUT
  const result = await new Promise<RunResult>((resolve) => {
    const child = spawn(command, args, { stdio: ['pipe', 'pipe', 'pipe'], env: withSbin() })
    let stdout = ''
    let stderr = ''
    let settled = false
    const finish = (code: number, extra = ''): void => {
      if (settled) return
      settled = true
      clearTimeout(timer)
      resolve({ stdout, stderr: stderr + extra, code })
    }
    const timer = setTimeout(() => {
      child.kill('SIGKILL')
      finish(-1, `timed out after ${timeout} ms`)
    }, timeout)
    child.stdout.setEncoding('utf8').on('data', (chunk: string) => { stdout += chunk })
    child.stderr.setEncoding('utf8').on('data', (chunk: string) => { stderr += chunk })
    child.on('error', (err) => finish(-1, err.message))
    child.on('close', (code) => finish(code ?? -1))
    // A command that exits without reading its stdin must not crash us with EPIPE.
    child.stdin.on('error', () => {})
    child.stdin.end(options.input ?? '')
  })
  if (result.code !== 0 && options.allowFailure !== true) {
    throw NetlabError.COMMAND_FAILED(describe(command, args), result.stderr.trim() || `exit code ${result.code}`)
  }
  return result
}

/**
 * Synchronous twin of `run` for the process `exit` handler, where nothing asynchronous runs.
 * Never throws: a safety net does what it can.
 */
export function runSync (command: string, args: readonly string[], options: { input?: string, timeout?: number } = {}): RunResult {
  const res = spawnSync(command, args, {
    input: options.input ?? '',
    timeout: options.timeout ?? COMMAND_TIMEOUT,
    encoding: 'utf8',
    env: withSbin()
  })
  return { stdout: res.stdout ?? '', stderr: res.stderr ?? (res.error?.message ?? ''), code: res.status ?? -1 }
}

function describe (command: string, args: readonly string[]): string {
  return [command, ...args].join(' ')
}
