// What a results file records about the run: the machine, the Node version and the git commit.
import { execFileSync } from 'node:child_process'
import os from 'node:os'
import { dirname } from 'node:path'
import { fileURLToPath } from 'node:url'

const here = dirname(fileURLToPath(import.meta.url))

export interface Machine {
  cpuModel: string
  cores: number
  memoryBytes: number
  platform: string
  loadAverageAtStart: number[]
}

export function machine (): Machine {
  const cpus = os.cpus()
  return {
    cpuModel: cpus[0]?.model ?? 'unknown',
    cores: cpus.length,
    memoryBytes: os.totalmem(),
    platform: `${os.platform()} ${os.release()} ${os.arch()}`,
    loadAverageAtStart: loadAverage()
  }
}

export function loadAverage (): number[] {
  return os.loadavg().map((l) => +l.toFixed(2))
}

function git (args: string[]): string | null {
  try {
    return execFileSync('git', args, { cwd: here, encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] }).trim()
  } catch {
    return null
  }
}

/** HEAD, with `-dirty` when tracked files changed; null outside a git checkout. */
export function commit (): string | null {
  const head = git(['rev-parse', 'HEAD'])
  const dirty = git(['status', '--porcelain', '--untracked-files=no'])
  return head === null ? null : head + (dirty !== null && dirty !== '' ? '-dirty' : '')
}
