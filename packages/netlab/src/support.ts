// Can this process build labs? Root, `ip netns`, and `iptables` with NAT inside a namespace.
import { DEFAULT_PREFIX } from './constants.js'
import { NetlabError } from './errors.js'
import { inNetns, runSync } from './run.js'

export type Support =
  | {
      ok: true
      /** `conntrack` (conntrack-tools) is installed: flushes and forward removals use it. */
      conntrack: boolean
      /** `iptables -V`, e.g. `iptables v1.8.9 (nf_tables)`. */
      iptables: string
    }
  | { ok: false, reason: string }

let cached: Support | undefined

/**
 * Checks once per process (synchronously, so a test file can decide `describe.skipIf` at
 * collection time) that labs can be built here, and if not, why not.
 */
export function checkSupport (): Support {
  cached ??= probe()
  return cached
}

/** Throws `UNSUPPORTED` with the reason when labs cannot be built here. */
export function requireRoot (): Extract<Support, { ok: true }> {
  const support = checkSupport()
  if (!support.ok) throw NetlabError.UNSUPPORTED(support.reason)
  return support
}

function probe (): Support {
  if (process.platform !== 'linux') return { ok: false, reason: `network namespaces need Linux (this is ${process.platform})` }
  const uid = process.getuid?.()
  if (uid !== 0) return { ok: false, reason: `not root (uid ${String(uid)}); run the NAT tests as root, e.g. with sudo` }
  if (runSync('ip', ['-V']).code !== 0) return { ok: false, reason: '`ip` (iproute2) is not installed' }
  const iptables = runSync('iptables', ['-V'])
  if (iptables.code !== 0) return { ok: false, reason: '`iptables` is not installed (apt-get install iptables)' }
  const conntrack = runSync('conntrack', ['--version']).code === 0

  // A namespace with a NAT table, tried a few times: on a busy machine (test files probing and
  // building labs at once) a single attempt has failed where the next one works, and a lab that
  // can be built must not be reported as unsupported (under NETLAB_REQUIRE=1 that fails CI).
  let failure = ''
  for (let attempt = 0; attempt < 3; attempt++) {
    if (attempt > 0) Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, 500)
    failure = probeNamespace(attempt)
    if (failure === '') return { ok: true, conntrack, iptables: iptables.stdout.trim() }
  }
  return { ok: false, reason: failure }
}

/** '' when a namespace with a NAT table could be made, else why not. */
function probeNamespace (attempt: number): string {
  // No '-' in the name: sweepStale only touches `<prefix><id>-<node>` names.
  const netns = `${DEFAULT_PREFIX}probe${process.pid}x${attempt}`
  const added = runSync('ip', ['netns', 'add', netns])
  if (added.code !== 0) return `\`ip netns add\` failed: ${added.stderr.trim()}`
  try {
    const nat = runSync(...inNetns(netns, 'iptables', ['-w', '-t', 'nat', '-S']))
    if (nat.code !== 0) return `iptables has no NAT table in a namespace: ${nat.stderr.trim()}`
  } finally {
    runSync('ip', ['netns', 'del', netns])
  }
  return ''
}
