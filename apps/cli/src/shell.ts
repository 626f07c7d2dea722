import type { Announcer, HyperDHT } from '@hyperdht-ts/hyperdht'
import { formatHostPort, parseHostPort, parsePort } from './address.js'
import { PING_TIMEOUT } from './constants.js'
import { CLIError } from './errors.js'
import { explain } from './explain.js'
import { parseHex32, parseTopic, toHex } from './keys.js'
import type { Output } from './output.js'
import { reportKey, runImmutableGet, runImmutablePut, runLookup, runPing, startAnnounce, stopAnnounce } from './ops.js'

interface ShellCommand {
  usage: string
  help: string
  /** Completes the argument being typed (previous keys, addresses of the table). */
  complete?: (partial: string) => string[]
  run: (args: string[]) => Promise<void> | void
}

export interface ShellOptions {
  /** How the user asked the node to run (`auto`, `client`, `server`). */
  modeSetting: string
  bootstrap: string[]
}

/**
 * The console's commands on one running node. Parses a line, runs the command, prints through
 * `Output`; an error prints one line and the shell goes on. Pure of I/O itself except through
 * the node and `Output`, so tests can drive it line by line.
 */
export class Shell {
  readonly #node: HyperDHT
  readonly #out: Output
  readonly #opts: ShellOptions
  readonly #commands: Map<string, ShellCommand>
  readonly #announcers = new Map<string, Announcer>()
  /** Keys and hashes used in this session, offered by tab completion. */
  readonly #keys = new Set<string>()
  #quit = false

  constructor (node: HyperDHT, out: Output, opts: ShellOptions) {
    this.#node = node
    this.#out = out
    this.#opts = opts
    this.#commands = this.#define()
  }

  get quitting (): boolean {
    return this.#quit
  }

  /** Command names, for `help` and completion. */
  get names (): string[] {
    return [...this.#commands.keys()]
  }

  /** Runs one line. Never throws: errors print one line. */
  async exec (line: string): Promise<void> {
    const words = tokenize(line)
    if (words.length === 0) return
    const [name, ...args] = words as [string, ...string[]]
    const cmd = this.#commands.get(name.toLowerCase())
    try {
      if (cmd === undefined) throw CLIError.USAGE(`unknown command "${name}" (type help)`)
      await cmd.run(args)
    } catch (err) {
      const e = explain(err)
      this.#out.clear()
      this.#out.result({ type: 'error', code: e.code, message: e.message }, `error: ${e.message}`)
    }
  }

  /** readline's completer: command names first, then the command's own arguments. */
  complete (line: string): [string[], string] {
    const words = line.split(/\s+/)
    if (words.length <= 1) {
      const partial = words[0] ?? ''
      const hits = this.names.filter((n) => n.startsWith(partial.toLowerCase()))
      return [hits.length > 0 ? hits.map((h) => `${h} `) : this.names, partial]
    }
    const partial = words[words.length - 1] ?? ''
    const cmd = this.#commands.get((words[0] ?? '').toLowerCase())
    const options = cmd?.complete?.(partial) ?? []
    return [options.filter((o) => o.startsWith(partial)), partial]
  }

  /** Stops every announcer (unannouncing). */
  async close (): Promise<void> {
    for (const a of [...this.#announcers.values()]) await stopAnnounce(a, this.#out).catch(() => {})
    this.#announcers.clear()
  }

  #define (): Map<string, ShellCommand> {
    const node = this.#node
    const out = this.#out
    const keys = (): string[] => [...this.#keys]
    const addresses = (): string[] => node.dht.toArray().map((n) => formatHostPort(n))
    const need = (args: string[], n: number, usage: string): void => {
      if (args.length < n) throw CLIError.USAGE(`usage: ${usage}`)
    }
    const cmds: Array<[string, ShellCommand]> = [
      ['info', {
        usage: 'info',
        help: 'our id, address, mode and NAT type',
        run: () => {
          const address = node.address()
          const mode = node.mode
          const info = {
            type: 'info',
            id: toHex(node.id),
            address,
            mode,
            modeSetting: this.#opts.modeSetting,
            nat: node.natType,
            publicAddress: node.publicAddress,
            reachability: node.reachability,
            bootstrap: this.#opts.bootstrap,
            nodes: node.dht.toArray().length,
            announcing: [...this.#announcers.keys()]
          }
          out.result(info, [
            `id        ${info.id}`,
            `address   ${formatHostPort(address)}`,
            `mode      ${mode}${this.#opts.modeSetting === 'auto' ? ' (auto)' : ''}`,
            `nat       ${info.nat}${info.publicAddress === null ? '' : `, public address ${formatHostPort(info.publicAddress)}`}, reachability ${info.reachability}`,
            `bootstrap ${info.bootstrap.join(', ') || 'none'}`,
            `table     ${info.nodes} nodes`,
            `announcing ${info.announcing.length === 0 ? 'nothing' : info.announcing.join(', ')}`
          ].join('\n'))
        }
      }],
      ['table', {
        usage: 'table',
        help: 'the routing table (id, address)',
        run: () => {
          const nodes = node.dht.toArray().map((n) => ({ id: toHex(n.id), host: n.host, port: n.port }))
          out.result({ type: 'table', size: nodes.length, nodes }, nodes.length === 0
            ? 'the routing table is empty'
            : nodes.map((n) => `${n.id.slice(0, 16)}…  ${formatHostPort(n)}`).join('\n') + `\n${nodes.length} nodes`)
        }
      }],
      ['diversity', {
        usage: 'diversity',
        help: 'routing-table fill per bucket and address diversity (/24 and /16 prefixes)',
        run: () => {
          const s = node.dht.routingTableStats()
          const d = s.diversity
          const share = (p: { prefix: string, count: number, share: number } | null): string => p === null ? 'none' : `${p.prefix} holds ${p.count} (${(p.share * 100).toFixed(0)}%)`
          out.result({ type: 'diversity', ...s }, [
            `${s.size} nodes in ${s.buckets.length} buckets (k = ${s.k})`,
            ...s.buckets.map((b) => `  depth ${String(b.depth).padStart(3)}  ${String(b.size).padStart(3)} nodes  ${(b.fill * 100).toFixed(0)}% full`),
            `${d.prefixes24} distinct /24, ${d.prefixes16} distinct /16`,
            `largest /24: ${share(d.largest24)}; largest /16: ${share(d.largest16)}`
          ].join('\n'))
        }
      }],
      ['stats', {
        usage: 'stats',
        help: 'request, response, timeout and drop counters',
        run: () => {
          const s = node.dht.stats
          out.result({ type: 'stats', ...s }, [
            `requests in ${s.requestsIn}, out ${s.requestsOut}; responses in ${s.responsesIn}, out ${s.responsesOut}`,
            `timeouts ${s.timeouts}, failures ${s.failures}, dropped ${s.dropped.total}, queued ${s.queued}, in flight ${s.inflight}`
          ].join('\n'))
        }
      }],
      ['store', {
        usage: 'store',
        help: 'what this node stores for others (announces, values)',
        run: () => {
          const peers = node.peerStore.stats()
          const values = node.valueStore.stats()
          out.result({ type: 'store', peers, values }, `${peers.peers} announces under ${peers.keys} keys from ${peers.hosts} hosts; ${values.values} values (${values.bytes} bytes) from ${values.hosts} hosts`)
        }
      }],
      ['announce', {
        usage: 'announce <key> [port]',
        help: 'announce us under a key (re-announced until unannounce or quit)',
        complete: keys,
        run: async (args) => {
          need(args, 1, 'announce <key> [port]')
          const k = parseTopic(args[0]!)
          if (this.#announcers.has(k.hex)) throw CLIError.USAGE(`already announcing ${k.hex}`)
          const port = args[1] === undefined ? undefined : parsePort(args[1])
          this.#keys.add(args[0]!)
          reportKey(out, k)
          this.#announcers.set(k.hex, await startAnnounce(node, k, { port }, out))
        }
      }],
      ['unannounce', {
        usage: 'unannounce <key>',
        help: 'stop announcing a key and remove the announce',
        complete: keys,
        run: async (args) => {
          need(args, 1, 'unannounce <key>')
          const k = parseTopic(args[0]!)
          const a = this.#announcers.get(k.hex)
          if (a === undefined) throw CLIError.USAGE(`not announcing ${k.hex}`)
          this.#announcers.delete(k.hex)
          await stopAnnounce(a, out)
        }
      }],
      ['lookup', {
        usage: 'lookup <key>',
        help: 'find the peers announced under a key',
        complete: keys,
        run: async (args) => {
          need(args, 1, 'lookup <key>')
          const k = parseTopic(args[0]!)
          this.#keys.add(args[0]!)
          reportKey(out, k)
          await runLookup(node, k, {}, out)
        }
      }],
      ['put', {
        usage: 'put <value>',
        help: 'store an immutable value (quote it if it has spaces); prints its hash',
        run: async (args) => {
          need(args, 1, 'put <value>')
          this.#keys.add(await runImmutablePut(node, new TextEncoder().encode(args.join(' ')), out))
        }
      }],
      ['get', {
        usage: 'get <hash>',
        help: 'fetch an immutable value by its hash',
        complete: keys,
        run: async (args) => {
          need(args, 1, 'get <hash>')
          this.#keys.add(args[0]!)
          await runImmutableGet(node, parseHex32(args[0]!, 'hash'), out)
        }
      }],
      ['ping', {
        usage: 'ping <host:port>',
        help: 'round-trip time to a node and the address it sees us at',
        complete: addresses,
        run: async (args) => {
          need(args, 1, 'ping <host:port>')
          await runPing(node, parseHostPort(args[0]!), { timeout: PING_TIMEOUT }, out)
        }
      }],
      ['help', {
        usage: 'help [command]',
        help: 'list the commands, or explain one',
        complete: () => this.names,
        run: (args) => {
          const list = args.length > 0 ? this.names.filter((n) => n === args[0]) : this.names
          if (list.length === 0) throw CLIError.USAGE(`unknown command "${args[0]!}"`)
          const rows = list.map((n) => this.#commands.get(n)!)
          out.result(
            { type: 'help', commands: rows.map((c, i) => ({ name: list[i], usage: c.usage, help: c.help })) },
            rows.map((c) => `  ${c.usage.padEnd(24)} ${c.help}`).join('\n')
          )
        }
      }],
      ['quit', {
        usage: 'quit',
        help: 'unannounce, stop the node and leave (also exit, Ctrl-D)',
        run: () => { this.#quit = true }
      }]
    ]
    const map = new Map(cmds)
    map.set('exit', { ...map.get('quit')!, usage: 'exit', help: 'same as quit' })
    return map
  }
}

/** Splits a line into words; "double" or 'single' quotes keep spaces. */
export function tokenize (line: string): string[] {
  const out: string[] = []
  const re = /"([^"]*)"|'([^']*)'|(\S+)/g
  let m: RegExpExecArray | null
  while ((m = re.exec(line)) !== null) out.push(m[1] ?? m[2] ?? m[3] ?? '')
  return out
}
