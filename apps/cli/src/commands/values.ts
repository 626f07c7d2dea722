import type { Command } from 'commander'
import { nodeOptions, outputFor, settingsFor, type Runtime } from '../context.js'
import { CLIError } from '../errors.js'
import { readKeyFile, writeKeyFile, encodeKeyFile } from '../key-file.js'
import { parseHex32, toHex } from '../keys.js'
import { runImmutableGet, runImmutablePut, runMutableGet, runMutablePut } from '../ops.js'
import { startNode } from '../start-node.js'
import { HyperDHT } from '@hyperdht-ts/hyperdht'

/** BEP 44 limits, checked here to give the user a clear message before any network traffic. */
const MAX_VALUE = 1000
const MAX_SALT = 64

interface PutFlags { mutable?: boolean, keyFile?: string, seq?: string, salt?: string }
interface GetFlags { mutable?: boolean, seq?: string, salt?: string }

export function registerValues (program: Command, rt: Runtime): void {
  nodeOptions(program
    .command('put')
    .description('store a value (at most 1000 bytes of UTF-8): immutable (addressed by its sha256) or, with --mutable, signed with a key pair')
    .argument('<value>', 'the text to store'))
    .option('-m, --mutable', 'store a signed, sequenced value under the public key of --key-file')
    .option('-k, --key-file <file>', 'key pair made by `hyperdht keygen` (with --mutable)')
    .option('--seq <n>', 'sequence number (with --mutable; default: one more than the stored record)')
    .option('--salt <text>', 'salt (with --mutable): one record per salt, at most 64 bytes')
    .action(async (value: string, _o: unknown, cmd: Command) => await put(value, cmd, rt))

  nodeOptions(program
    .command('get')
    .description('fetch a value: by its hash, or with --mutable by public key (and salt)')
    .argument('<hash>', 'the 64-hex hash printed by `put`, or with --mutable a 64-hex public key'))
    .option('-m, --mutable', 'get the latest signed record of a public key')
    .option('--seq <n>', 'with --mutable: ignore records older than this seq')
    .option('--salt <text>', 'with --mutable: the salt it was stored with')
    .action(async (hash: string, _o: unknown, cmd: Command) => await get(hash, cmd, rt))

  program
    .command('keygen')
    .description('make an ed25519 key pair for mutable values (JSON with publicKey and secretKey in hex)')
    .option('-o, --out <file>', 'write it to this file (mode 600) instead of stdout')
    .option('-f, --force', 'overwrite --out if it exists')
    .action(async (_o: unknown, cmd: Command) => { keygen(cmd, rt) })
}

async function put (text: string, cmd: Command, rt: Runtime): Promise<void> {
  const out = outputFor(cmd, rt)
  const o = cmd.opts<PutFlags>()
  const value = new TextEncoder().encode(text)
  if (value.length > MAX_VALUE) throw CLIError.BAD_VALUE(`the value is ${value.length} bytes; at most ${MAX_VALUE} can be stored`)
  if (o.mutable !== true) {
    for (const flag of ['keyFile', 'seq', 'salt'] as const) {
      if (o[flag] !== undefined) throw CLIError.USAGE(`--${flag === 'keyFile' ? 'key-file' : flag} needs --mutable`)
    }
  }
  const salt = parseSalt(o.salt)
  const seq = o.seq === undefined ? undefined : parseSeq(o.seq)
  const keyPair = o.mutable === true
    ? readKeyFile(o.keyFile ?? missing('--mutable needs --key-file FILE (make one with: hyperdht keygen --out FILE)'))
    : null
  const { node } = await startNode({ settings: settingsFor(cmd, rt), out, client: true })
  try {
    if (keyPair === null) await runImmutablePut(node, value, out)
    else await runMutablePut(node, keyPair, value, { seq, salt }, out)
  } finally {
    await node.destroy()
  }
}

async function get (input: string, cmd: Command, rt: Runtime): Promise<void> {
  const out = outputFor(cmd, rt)
  const o = cmd.opts<GetFlags>()
  if (o.mutable !== true && (o.seq !== undefined || o.salt !== undefined)) throw CLIError.USAGE(`--${o.seq !== undefined ? 'seq' : 'salt'} needs --mutable`)
  const key = parseHex32(input, o.mutable === true ? 'public key' : 'hash')
  const salt = parseSalt(o.salt)
  const seq = o.seq === undefined ? undefined : parseSeq(o.seq)
  const { node } = await startNode({ settings: settingsFor(cmd, rt), out, client: true })
  try {
    if (o.mutable === true) await runMutableGet(node, key, { salt, seq }, out)
    else await runImmutableGet(node, key, out)
  } finally {
    await node.destroy()
  }
}

function keygen (cmd: Command, rt: Runtime): void {
  const out = outputFor(cmd, rt)
  const o = cmd.opts<{ out?: string, force?: boolean }>()
  const keyPair = HyperDHT.keyPair()
  if (o.out === undefined) {
    if (out.json) out.result({ type: 'keypair', publicKey: toHex(keyPair.publicKey), secretKey: toHex(keyPair.secretKey) }, '')
    else rt.stdout.write(encodeKeyFile(keyPair))
    return
  }
  writeKeyFile(o.out, keyPair, o.force === true)
  out.result({ type: 'keypair', publicKey: toHex(keyPair.publicKey), file: o.out }, toHex(keyPair.publicKey))
  out.note(`key pair written to ${o.out}; its public key is the line above`)
}

function parseSalt (salt: string | undefined): Uint8Array | undefined {
  if (salt === undefined) return undefined
  const bytes = new TextEncoder().encode(salt)
  if (bytes.length > MAX_SALT) throw CLIError.BAD_VALUE(`--salt is ${bytes.length} bytes; at most ${MAX_SALT}`)
  return bytes
}

function parseSeq (text: string): number {
  if (!/^\d+$/.test(text) || !Number.isSafeInteger(Number(text))) throw CLIError.BAD_VALUE(`--seq must be a whole number (got "${text}")`)
  return Number(text)
}

function missing (message: string): never {
  throw CLIError.USAGE(message)
}
