// What the fuzz tests measure about the process and the kernel: heap after a full GC, and the
// kernel's UDP counters (datagrams dropped because a receive buffer was full).
import { readFileSync } from 'node:fs'
import { setFlagsFromString } from 'node:v8'
import { runInNewContext } from 'node:vm'

let gcFn: (() => void) | null = null

/**
 * `heapUsed` in bytes after two full collections. Works without `--expose-gc`: the flag is set
 * at run time and `gc` is taken from a fresh context, where V8 then installs it.
 */
export function heapAfterGc (): number {
  if (gcFn === null) {
    const global = globalThis as { gc?: () => void }
    if (typeof global.gc === 'function') {
      gcFn = global.gc
    } else {
      setFlagsFromString('--expose-gc')
      gcFn = runInNewContext('gc') as () => void
    }
  }
  gcFn()
  gcFn()
  return process.memoryUsage().heapUsed
}

/** The kernel's UDP counters (Linux `/proc/net/snmp`), or null where they cannot be read. */
export interface UdpCounters {
  inDatagrams: number
  /** Datagrams dropped because a socket's receive buffer was full (system-wide). */
  rcvbufErrors: number
  inErrors: number
}

export function udpCounters (): UdpCounters | null {
  let text: string
  try {
    text = readFileSync('/proc/net/snmp', 'utf8')
  } catch {
    return null
  }
  const lines = text.split('\n').filter((l) => l.startsWith('Udp: '))
  if (lines.length < 2) return null
  const names = lines[0]!.split(/\s+/).slice(1)
  const values = lines[1]!.split(/\s+/).slice(1).map(Number)
  const get = (name: string): number => values[names.indexOf(name)] ?? 0
  return { inDatagrams: get('InDatagrams'), rcvbufErrors: get('RcvbufErrors'), inErrors: get('InErrors') }
}
