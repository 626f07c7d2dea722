// The operations behind the commands, shared by the one-shot commands and the console: each
// takes a running node, calls the library and prints through `Output`. No protocol here.
import type { AnnounceResult, Announcer, HyperDHT, KeyPair, NodeRef, Peer } from '@hyperdht-ts/hyperdht'
import { formatHostPort } from './address.js'
import { CLIError } from './errors.js'
import { explain } from './explain.js'
import { toHex, type ParsedKey } from './keys.js'
import type { Output } from './output.js'

/** Tells the user how the key was made: a hashed name is noted on stderr (JSON: a `key` line). */
export function reportKey (out: Output, k: ParsedKey): void {
  if (!k.hashed && !out.json) return
  out.note(
    `key "${k.input}" is not 64 hex characters: using its sha256, ${k.hex}`,
    { type: 'key', input: k.input, key: k.hex, hashed: k.hashed }
  )
}

const short = (hex: string): string => `${hex.slice(0, 12)}…`
const addr = (p: Peer): string => formatHostPort(p)
const ref = (n: NodeRef): { host: string, port: number, id: string | null } => ({ host: n.host, port: n.port, id: n.id === null || n.id === undefined ? null : toHex(n.id) })

export interface LookupSummary {
  peers: number
  localPeers: number
  requests: number
  responses: number
}

/** Prints each new peer (and LAN peer) as the lookup finds it; resolves when the lookup ends. */
export async function runLookup (node: HyperDHT, k: ParsedKey, opts: { localAddress?: Peer, signal?: AbortSignal }, out: Output): Promise<LookupSummary> {
  const seen = new Set<string>()
  const seenLocal = new Set<string>()
  const lookup = node.lookup(k.key, opts)
  const progress = (): void => out.progress(`lookup ${short(k.hex)}: ${lookup.requests} requests, ${lookup.responses} responses, ${seen.size} peers`)
  const timer = setInterval(progress, 100)
  timer.unref()
  try {
    for await (const r of lookup) {
      for (const p of r.peers) {
        const a = addr(p)
        if (seen.has(a)) continue
        seen.add(a)
        out.result({ type: 'peer', key: k.hex, host: p.host, port: p.port, from: ref(r.node) }, `peer ${a}  (from ${addr(r.node)})`)
      }
      for (const p of r.localPeers) {
        const a = addr(p)
        if (seenLocal.has(a)) continue
        seenLocal.add(a)
        out.result({ type: 'local-peer', key: k.hex, host: p.host, port: p.port, from: ref(r.node) }, `lan-peer ${a}  (from ${addr(r.node)})`)
      }
    }
  } finally {
    clearInterval(timer)
    out.clear()
  }
  const summary = { peers: seen.size, localPeers: seenLocal.size, requests: lookup.requests, responses: lookup.responses }
  const lan = summary.localPeers > 0 ? ` and ${summary.localPeers} LAN peer${summary.localPeers === 1 ? '' : 's'}` : ''
  out.note(
    `${summary.peers} peer${summary.peers === 1 ? '' : 's'}${lan} found (${summary.requests} requests, ${summary.responses} responses)`,
    { type: 'lookup-done', key: k.hex, ...summary }
  )
  return summary
}

/**
 * Starts an announcer (announces now, re-announces until stopped) and resolves once the first
 * announce is committed; rejects (and stops it) if the first one fails. Aborting `signal` before
 * that (Ctrl-C while announcing) stops it too, unannouncing what was stored already, and rejects
 * with `signal.reason`.
 */
export async function startAnnounce (node: HyperDHT, k: ParsedKey, opts: { port?: number, localAddress?: Peer, signal?: AbortSignal }, out: Output): Promise<Announcer> {
  const { signal, ...announceOpts } = opts
  signal?.throwIfAborted()
  const a = node.announcer(k.key, announceOpts)
  const what = opts.port === undefined || opts.port === 0 ? `our port ${node.address().port}` : `port ${opts.port}`
  out.progress(`announcing ${short(k.hex)}…`)
  const first = await new Promise<AnnounceResult>((resolve, reject) => {
    const onabort = (): void => { reject(signal?.reason as Error) }
    signal?.addEventListener('abort', onabort, { once: true })
    a.once('announced', (r) => {
      signal?.removeEventListener('abort', onabort)
      resolve(r)
    })
    a.once('announce-failed', (err) => {
      signal?.removeEventListener('abort', onabort)
      reject(err)
    })
  }).catch(async (err: unknown) => {
    out.clear()
    if (signal?.aborted === true) {
      await stopAnnounce(a, out)
      throw signal.reason
    }
    a.halt()
    throw explain(err)
  })
  out.clear()
  const announced = (committed: number): void => out.result(
    { type: 'announced', key: k.hex, port: opts.port ?? 0, localAddress: opts.localAddress ?? null, nodes: committed },
    `announced ${short(k.hex)} (${what}) on ${committed} node${committed === 1 ? '' : 's'}`
  )
  announced(first.committed.length)
  a.on('announced', (r) => announced(r.committed.length))
  a.on('announce-failed', (err) => out.result(
    { type: 'announce-failed', key: k.hex, message: explain(err).message },
    `re-announce of ${short(k.hex)} failed (${explain(err).message}); retrying`
  ))
  return a
}

/** Stops an announcer: unannounces, then prints it. */
export async function stopAnnounce (a: Announcer, out: Output): Promise<void> {
  const hex = toHex(a.key)
  out.progress(`unannouncing ${short(hex)}…`)
  await a.stop()
  out.clear()
  out.result({ type: 'unannounced', key: hex }, `unannounced ${short(hex)}`)
}

/** Stores an immutable value; prints its hash (the key to get it with). */
export async function runImmutablePut (node: HyperDHT, value: Uint8Array, out: Output): Promise<string> {
  out.progress('storing…')
  const { hash, stored } = await node.immutablePut(value).finally(() => out.clear())
  out.result({ type: 'put', mutable: false, hash: toHex(hash), stored: stored.length }, toHex(hash))
  out.note(`stored on ${stored.length} node${stored.length === 1 ? '' : 's'}; get it with: hyperdht get ${toHex(hash)}`)
  return toHex(hash)
}

/** Prints the value whose sha256 is `hash`, or fails with NOT_FOUND. */
export async function runImmutableGet (node: HyperDHT, hash: Uint8Array, out: Output): Promise<void> {
  out.progress('looking for the value…')
  const res = await node.immutableGet(hash).finally(() => out.clear())
  if (res === null) throw CLIError.NOT_FOUND(`no value found for ${toHex(hash)}`)
  printValue(out, { type: 'value', mutable: false, hash: toHex(hash) }, res.value, res.from)
}

/**
 * Signs and stores a mutable value. Without `seq`, uses one more than the network's current
 * record (0 if there is none), so repeated puts just work.
 */
export async function runMutablePut (node: HyperDHT, keyPair: KeyPair, value: Uint8Array, opts: { seq?: number, salt?: Uint8Array }, out: Output): Promise<void> {
  let seq = opts.seq
  if (seq === undefined) {
    out.progress('reading the current seq…')
    const current = await node.mutableGet(keyPair.publicKey, { salt: opts.salt }).catch(() => null)
    seq = current === null ? 0 : current.seq + 1
  }
  out.progress('storing…')
  const res = await node.mutablePut(keyPair, value, { seq, salt: opts.salt }).finally(() => out.clear())
  out.result(
    { type: 'put', mutable: true, publicKey: toHex(res.publicKey), salt: res.salt === null ? null : Buffer.from(res.salt).toString('utf8'), seq: res.seq, target: toHex(res.target), stored: res.stored.length },
    toHex(res.publicKey)
  )
  out.note(`stored seq ${res.seq} on ${res.stored.length} node${res.stored.length === 1 ? '' : 's'}; get it with: hyperdht get --mutable ${toHex(res.publicKey)}${opts.salt === undefined ? '' : ' --salt …'}`)
}

/** Prints the latest record under `publicKey` (and salt), or fails with NOT_FOUND. */
export async function runMutableGet (node: HyperDHT, publicKey: Uint8Array, opts: { salt?: Uint8Array, seq?: number }, out: Output): Promise<void> {
  out.progress('looking for the record…')
  const res = await node.mutableGet(publicKey, opts).finally(() => out.clear())
  if (res === null) throw CLIError.NOT_FOUND(`no record found for ${toHex(publicKey)}`)
  printValue(out, { type: 'value', mutable: true, publicKey: toHex(publicKey), seq: res.seq, signature: toHex(res.signature) }, res.value, res.from)
}

function printValue (out: Output, fields: { type: string } & Record<string, unknown>, value: Uint8Array, from: NodeRef): void {
  const text = utf8(value)
  out.result({ ...fields, value: text, hex: toHex(value), from: ref(from) }, text ?? toHex(value))
  const seq = typeof fields.seq === 'number' ? `seq ${fields.seq}, ` : ''
  out.note(`(${seq}${value.length} bytes${text === null ? ' shown as hex' : ''}, from ${addr(from)})`)
}

/** The bytes as text if they are valid UTF-8, else null. */
export function utf8 (bytes: Uint8Array): string | null {
  try {
    return new TextDecoder('utf-8', { fatal: true }).decode(bytes)
  } catch {
    return null
  }
}

export interface PingOutcome {
  rtt: number
  address: Peer
}

/** One `_ping`: round-trip time and the address the remote sees for us. */
export async function runPing (node: HyperDHT, to: Peer, opts: { timeout: number, seq?: number }, out: Output): Promise<PingOutcome> {
  const t0 = performance.now()
  let res
  try {
    res = await node.dht.ping(to, { signal: AbortSignal.timeout(opts.timeout) })
  } catch (err) {
    const code = (err as { code?: string }).code
    if (code === 'ABORTED' || code === 'REQUEST_TIMEOUT') throw CLIError.NO_ANSWER(`no answer from ${addr(to)} within ${opts.timeout} ms`, err)
    throw explain(err)
  }
  const rtt = Math.round((performance.now() - t0) * 100) / 100
  const id = res.node.id === null ? null : toHex(res.node.id)
  out.result(
    { type: 'pong', host: res.node.host, port: res.node.port, seq: opts.seq ?? 0, rtt, address: res.address, id },
    `pong from ${addr(res.node)}${opts.seq === undefined ? '' : ` seq=${opts.seq}`}: ${rtt} ms, sees us as ${addr(res.address)}${id === null ? '' : ` (id ${short(id)})`}`
  )
  return { rtt, address: res.address }
}
