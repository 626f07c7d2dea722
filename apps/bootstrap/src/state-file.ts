import { open, readFile, rename, rm } from 'node:fs/promises'
import { decodeState, encodeState, type DecodedState, type ServerState } from './state.js'

/** Reads the state file. A missing, unreadable or corrupt file is a problem to report, never thrown. */
export async function readStateFile (path: string): Promise<DecodedState & { missing?: boolean }> {
  let text: string
  try {
    text = await readFile(path, 'utf8')
  } catch (err) {
    const code = (err as { code?: string }).code
    if (code === 'ENOENT') return { ok: false, problem: 'no such file', missing: true }
    return { ok: false, problem: `cannot be read (${code ?? (err as Error).message})` }
  }
  return decodeState(text)
}

/**
 * Writes the state atomically: to a temporary file next to it, flushed to disk, then renamed
 * over the old one, so a crash mid-write leaves the previous state intact, never half a file.
 */
export async function writeStateFile (path: string, state: ServerState, now = new Date()): Promise<void> {
  const tmp = `${path}.${process.pid}.tmp`
  try {
    const fh = await open(tmp, 'w', 0o644)
    try {
      await fh.writeFile(encodeState(state, now))
      await fh.sync()
    } finally {
      await fh.close()
    }
    await rename(tmp, path)
  } catch (err) {
    await rm(tmp, { force: true }).catch(() => {})
    throw err
  }
}
