import { isIP } from 'node:net'
import type { Node } from '@hyperdht-ts/dht-rpc'
import { STATE_MAX_NODES, STATE_VERSION } from './constants.js'

/** What the state file holds: our id (so a restart keeps its place) and the routing table. */
export interface ServerState {
  id: Uint8Array
  nodes: Node[]
}

/** The outcome of decoding a state file: the state, and what was wrong with it (never thrown). */
export type DecodedState =
  | { ok: true, state: ServerState, skipped: number }
  | { ok: false, problem: string }

/** State as JSON text (pure). */
export function encodeState (state: ServerState, savedAt: Date): string {
  return `${JSON.stringify({
    version: STATE_VERSION,
    savedAt: savedAt.toISOString(),
    id: hex(state.id),
    nodes: state.nodes.slice(0, STATE_MAX_NODES).map((n) => ({ id: hex(n.id), host: n.host, port: n.port }))
  }, null, 1)}\n`
}

/**
 * Parses state JSON (pure). Contacts that are not `{ id: 64 hex, host: IP, port: 1-65535 }` are
 * skipped and counted; anything else wrong (not JSON, another version, a bad id) is a problem,
 * reported, never thrown: a corrupt state file must not stop the server.
 */
export function decodeState (text: string): DecodedState {
  let raw: unknown
  try {
    raw = JSON.parse(text)
  } catch (err) {
    return { ok: false, problem: `not valid JSON (${(err as Error).message})` }
  }
  if (typeof raw !== 'object' || raw === null) return { ok: false, problem: 'not a JSON object' }
  const r = raw as { version?: unknown, id?: unknown, nodes?: unknown }
  if (r.version !== STATE_VERSION) return { ok: false, problem: `unknown version ${JSON.stringify(r.version)} (expected ${STATE_VERSION})` }
  if (typeof r.id !== 'string' || !/^[0-9a-f]{64}$/i.test(r.id)) return { ok: false, problem: 'the id is not 64 hex characters' }
  if (!Array.isArray(r.nodes)) return { ok: false, problem: '"nodes" is not a list' }
  const nodes: Node[] = []
  let skipped = 0
  for (const n of r.nodes.slice(0, STATE_MAX_NODES) as unknown[]) {
    const c = n as { id?: unknown, host?: unknown, port?: unknown } | null
    if (c !== null && typeof c === 'object' && typeof c.id === 'string' && /^[0-9a-f]{64}$/i.test(c.id) &&
      typeof c.host === 'string' && isIP(c.host) !== 0 && Number.isInteger(c.port) && (c.port as number) > 0 && (c.port as number) < 65536) {
      nodes.push({ id: unhex(c.id), host: c.host, port: c.port as number })
    } else {
      skipped++
    }
  }
  skipped += Math.max(0, r.nodes.length - STATE_MAX_NODES)
  return { ok: true, state: { id: unhex(r.id), nodes }, skipped }
}

function hex (b: Uint8Array): string {
  return Buffer.from(b.buffer, b.byteOffset, b.byteLength).toString('hex')
}

function unhex (s: string): Uint8Array {
  return new Uint8Array(Buffer.from(s, 'hex'))
}
