// The committed corpus of fuzz cases: inputs that once failed (or that probe an edge on
// purpose), replayed on every test run. One JSON file per case (or an array of cases) in a
// package's `test/fuzz/corpus/`:
//   { "target": "request", "hex": "0a055f70696e67", "note": "why this case matters", "expect": "decodes" }
// `target` names the decoder (or `datagram` for a whole packet at a live node), each package's
// corpus test knows its targets and fails on an unknown one; `expect` is optional and
// target-specific (e.g. `throws` / `decodes`, or the drop reason a live node counts).
import { readdirSync, readFileSync } from 'node:fs'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'

export interface CorpusCase {
  /** The file it came from (for messages). */
  file: string
  target: string
  bytes: Uint8Array
  note: string
  expect: string | undefined
}

/** Every case of every `*.json` file in `dir`, sorted by file name. Throws on a malformed file. */
export function loadCorpus (dir: string | URL): CorpusCase[] {
  const path = typeof dir === 'string' ? dir : fileURLToPath(dir)
  const out: CorpusCase[] = []
  for (const name of readdirSync(path).filter((f) => f.endsWith('.json')).sort()) {
    const parsed: unknown = JSON.parse(readFileSync(join(path, name), 'utf8'))
    const entries = Array.isArray(parsed) ? parsed : [parsed]
    entries.forEach((e: unknown, i) => {
      const where = entries.length > 1 ? `${name}[${i}]` : name
      if (typeof e !== 'object' || e === null) throw new Error(`${where}: a case must be an object`)
      const { target, hex, note, expect } = e as Record<string, unknown>
      if (typeof target !== 'string' || target === '') throw new Error(`${where}: "target" must be a non-empty string`)
      if (typeof hex !== 'string' || !/^(?:[0-9a-f]{2})*$/i.test(hex)) throw new Error(`${where}: "hex" must be an even-length hex string`)
      if (typeof note !== 'string' || note.trim() === '') throw new Error(`${where}: "note" must say why the case is here`)
      if (expect !== undefined && typeof expect !== 'string') throw new Error(`${where}: "expect" must be a string`)
      out.push({ file: where, target, bytes: new Uint8Array(Buffer.from(hex, 'hex')), note, expect })
    })
  }
  return out
}

/** The JSON of one case, ready to be committed (what a fuzzer prints for a failing input). */
export function corpusEntry (target: string, bytes: Uint8Array, note: string, expect?: string): string {
  const entry: Record<string, string> = { target, hex: Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString('hex'), note }
  if (expect !== undefined) entry.expect = expect
  return JSON.stringify(entry, null, 2) + '\n'
}
