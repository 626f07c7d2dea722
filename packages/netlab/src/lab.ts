// A lab: a private "public internet" (a bridge in its own namespace), hosts, and NAT routers,
// each node in its own network namespace. Nothing is ever created in the root namespace: every
// veth end, bridge, address, route, sysctl and iptables rule lives inside a lab namespace, so
// deleting the namespaces removes all of it.
import { spawn } from 'node:child_process'
import { readFileSync } from 'node:fs'
import {
  CGNAT_LAN_BASE, DEFAULT_PREFIX, HOME_LAN_BASE, IF_HOST, IF_INTERNET_BRIDGE, IF_LAN, IF_WAN, INTERNET_SUBNET
} from './constants.js'
import { NetlabError } from './errors.js'
import { LabProcess } from './lab-process.js'
import { addNetns, deleteNetns, deleteNetnsSync } from './netns.js'
import { claimPrefix, register, releasePrefix, sweepStale, unregister } from './registry.js'
import { admitRule, dnatRule, routerRuleset, sysctlScript } from './rules.js'
import { inNetns, run, withSbin, type RunResult } from './run.js'
import { AddressPool, Subnet, nthSlash24 } from './subnet.js'
import { requireRoot } from './support.js'
import type {
  ExecOptions, FlushMethod, FlushOptions, ForwardOptions, HostOptions, LabHost, LabNode, LabOptions, LabRouter,
  Logger, NatKind, PortForward, RouterOptions, SpawnOptions
} from './types.js'

// What the lab knows about a node beyond its public shape.
interface NodeState {
  kind: 'host' | 'router'
  name: string
  netns: string
  address: string
  behind: LabRouter | undefined
  gateway: string | undefined
  /** The segment its upstream interface is on. */
  upstream: Segment
  /** Ready once its namespace and links are up; nodes behind it wait for it. */
  ready: Promise<void>
  // Routers only:
  nat?: NatKind
  lan?: string
  lanAddress?: string
  segment?: Segment
}

// A broadcast domain: the internet bridge, or a router's LAN bridge.
interface Segment {
  netns: string
  bridge: string
  subnet: Subnet
  pool: AddressPool
  /** The router's LAN address; undefined on the internet (no default route there). */
  gateway: string | undefined
  /** veth ends attached to this bridge so far, to name the next one. */
  ports: number
  ready: Promise<void>
}

export class Lab {
  /** The namespace prefix this lab leased, e.g. `hl421a`: every name it creates starts with it. */
  readonly prefix: string
  readonly name: string
  /** The internet namespace (just a bridge) and its subnet. */
  readonly internet: { readonly netns: string, readonly subnet: string }

  readonly #support: ReturnType<typeof requireRoot>
  readonly #logger: Logger | undefined
  readonly #internet: Segment
  readonly #nodes = new Map<string, LabNode>()
  readonly #state = new Map<LabNode, NodeState>()
  // Every namespace this lab created or started to create, for teardown.
  readonly #namespaces: string[] = []
  readonly #processes = new Set<LabProcess>()
  #homeLans = 0
  #cgnatLans = 0
  #nodeCount = 0
  #destroying: Promise<void> | undefined

  private constructor (prefix: string, subnet: Subnet, options: LabOptions, support: ReturnType<typeof requireRoot>) {
    this.prefix = prefix
    this.name = options.name ?? prefix
    this.#support = support
    this.#logger = options.logger
    const netns = `${prefix}-0`
    this.#internet = { netns, bridge: IF_INTERNET_BRIDGE, subnet, pool: new AddressPool(subnet, 1, { spread: true }), gateway: undefined, ports: 0, ready: Promise.resolve() }
    this.internet = { netns, subnet: subnet.toString() }
  }

  /**
   * Builds an empty lab: the internet namespace with its bridge. Throws `UNSUPPORTED` with the
   * reason when not root or the tools are missing (check `checkSupport()` first in tests).
   */
  static async create (options: LabOptions = {}): Promise<Lab> {
    const support = requireRoot()
    const base = options.prefix ?? DEFAULT_PREFIX
    const internet = new Subnet(options.internet ?? INTERNET_SUBNET)
    if (options.sweep !== false) await sweepStale(base)
    const lab = new Lab(claimPrefix(base), internet, options, support)
    register(lab)
    try {
      lab.#internet.ready = lab.#buildInternet()
      await lab.#internet.ready
    } catch (err) {
      await lab.destroy().catch(() => {})
      throw err
    }
    return lab
  }

  /** Every host and router, in the order they were added. */
  get nodes (): readonly LabNode[] {
    return [...this.#nodes.values()]
  }

  get destroyed (): boolean {
    return this.#destroying !== undefined
  }

  /** The processes started with `spawn()` that are still running. */
  get processes (): readonly LabProcess[] {
    return [...this.#processes]
  }

  node (name: string): LabNode | undefined {
    return this.#nodes.get(name)
  }

  /** Adds a host on the public internet, or on the LAN of `options.behind`. */
  async addHost (name: string, options: HostOptions = {}): Promise<LabHost> {
    const state = this.#newNode('host', name, options.behind)
    const node = this.#publish(state) as LabHost
    state.ready = this.#guard(async () => {
      await this.#attach(state, IF_HOST)
      // A new namespace inherits forwarding from the host's; a host must not route.
      if (hostForwards()) await this.#sysctl(state.netns, { 'net.ipv4.ip_forward': 0 })
    })
    await state.ready
    return node
  }

  /** Adds a NAT router with its WAN on the internet (or on the LAN of `options.behind`) and a LAN. */
  async addRouter (name: string, options: RouterOptions = {}): Promise<LabRouter> {
    const nat = options.nat ?? 'masquerade'
    if (nat !== 'masquerade' && nat !== 'random-fully') throw NetlabError.INVALID_ARGUMENT(`Unknown NAT kind: ${String(nat)}`)
    const lan = options.lan !== undefined
      ? new Subnet(options.lan)
      : options.cgnat === true ? nthSlash24(CGNAT_LAN_BASE, ++this.#cgnatLans) : nthSlash24(HOME_LAN_BASE, ++this.#homeLans)
    const state = this.#newNode('router', name, options.behind)
    const pool = new AddressPool(lan)
    const lanAddress = pool.next()
    state.nat = nat
    state.lan = lan.toString()
    state.lanAddress = lanAddress
    const segment: Segment = { netns: state.netns, bridge: IF_LAN, subnet: lan, pool, gateway: lanAddress, ports: 0, ready: Promise.resolve() }
    state.segment = segment
    const node = this.#publish(state) as LabRouter
    state.ready = this.#guard(async () => {
      await this.#attach(state, IF_WAN, [
        `link add ${IF_LAN} type bridge`,
        `link set ${IF_LAN} up`,
        `addr add ${lan.withPrefix(lanAddress)} dev ${IF_LAN}`
      ])
      await this.#sysctl(state.netns, {
        'net.ipv4.ip_forward': 1,
        // Routes here are symmetric; reverse-path filtering inherited from the host could only
        // get in the way.
        'net.ipv4.conf.all.rp_filter': 0,
        'net.ipv4.conf.default.rp_filter': 0,
        [`net.ipv4.conf.${IF_WAN}.rp_filter`]: 0,
        [`net.ipv4.conf.${IF_LAN}.rp_filter`]: 0,
        // With br_netfilter, LAN-to-LAN frames on the bridge would cross iptables FORWARD.
        'net.bridge.bridge-nf-call-iptables': 0
      }, routerRuleset(nat))
    })
    segment.ready = state.ready
    await state.ready
    return node
  }

  /**
   * Forwards `port` on the router's WAN to `to` (a node directly behind it) with DNAT, so that
   * anyone can reach it unsolicited. The forward targets `to`'s address at this moment.
   */
  async forward (router: LabRouter, options: ForwardOptions): Promise<PortForward> {
    const state = this.#routerState(router)
    const to = this.#stateOf(options.to)
    if (to.behind !== router) throw NetlabError.INVALID_ARGUMENT(`${to.name} is not directly behind ${router.name}`)
    if (options.proto !== 'udp' && options.proto !== 'tcp') throw NetlabError.INVALID_ARGUMENT(`Unknown protocol: ${String(options.proto)}`)
    const spec = { proto: options.proto, port: checkPort(options.port), toAddress: to.address, toPort: checkPort(options.toPort ?? options.port) }
    await this.#guard(async () => {
      await this.#iptables(state.netns, ['-t', 'filter', '-A', ...admitRule(spec)])
      await this.#iptables(state.netns, ['-t', 'nat', '-A', ...dnatRule(spec)])
    })
    let removing: Promise<void> | undefined
    const remove = async (): Promise<void> => {
      removing ??= this.#guard(async () => {
        await this.#iptables(state.netns, ['-t', 'nat', '-D', ...dnatRule(spec)])
        await this.#iptables(state.netns, ['-t', 'filter', '-D', ...admitRule(spec)])
        if (this.#support.conntrack) {
          const args = ['-D', '-p', spec.proto, '--orig-port-dst', String(spec.port)]
          const res = await this.#exec(state.netns, 'conntrack', args, { allowFailure: true })
          // Exit code 1 means "0 flow entries deleted": fine.
          if (res.code !== 0 && res.code !== 1) throw NetlabError.COMMAND_FAILED(`conntrack ${args.join(' ')}`, res.stderr.trim())
        }
      })
      await removing
    }
    return { router, proto: spec.proto, port: spec.port, to: options.to, toAddress: spec.toAddress, toPort: spec.toPort, remove }
  }

  /**
   * Makes the router forget its flows, so the next packet of each gets a fresh mapping.
   * Resolves with the method used (see `FlushOptions`).
   */
  async flushConntrack (router: LabRouter, options: FlushOptions = {}): Promise<FlushMethod> {
    const state = this.#routerState(router)
    const method = options.method ?? (this.#support.conntrack ? 'conntrack' : 'readdress')
    if (method === 'conntrack') {
      if (!this.#support.conntrack) throw NetlabError.UNSUPPORTED('`conntrack` is not installed (apt-get install conntrack)')
      await this.#guard(async () => { await this.#exec(state.netns, 'conntrack', ['-F']) })
    } else if (method === 'readdress') {
      await this.#guard(async () => { await this.#readdress(state, state.address) })
    } else {
      throw NetlabError.INVALID_ARGUMENT(`Unknown flush method: ${String(method)}`)
    }
    return method
  }

  /**
   * Gives the router a new WAN address (the next free one of its upstream segment, or
   * `address`), as when an ISP renumbers a home. The kernel drops the masqueraded flows of the
   * old address, so the next packet of each is mapped afresh. Resolves with the new address.
   */
  async setPublicAddress (router: LabRouter, address?: string): Promise<string> {
    const state = this.#routerState(router)
    const next = address ?? state.upstream.pool.next()
    if (!state.upstream.subnet.contains(next)) {
      throw NetlabError.INVALID_ARGUMENT(`${next} is not in ${router.name}'s upstream subnet ${state.upstream.subnet.toString()}`)
    }
    await this.#guard(async () => { await this.#readdress(state, next) })
    return next
  }

  /**
   * Starts `command` inside the node's namespace (resolve `command` to an absolute path, e.g.
   * `process.execPath` for node). Its stdout is read as lines and JSON messages; it is killed by
   * `destroy()`. Processes should also exit when their stdin closes, so that they die with this
   * process even when it is killed with SIGKILL.
   */
  spawn (node: LabNode, command: string, args: readonly string[] = [], options: SpawnOptions = {}): LabProcess {
    if (this.destroyed) throw NetlabError.DESTROYED()
    const state = this.#stateOf(node)
    const [cmd, argv] = inNetns(state.netns, command, args)
    this.#logger?.debug?.(`${this.prefix} spawn ${node.name}: ${[command, ...args].join(' ')}`)
    const child = spawn(cmd, argv, {
      env: withSbin({ ...process.env, ...options.env }),
      cwd: options.cwd,
      stdio: ['pipe', 'pipe', 'pipe']
    })
    const label = `${node.name}: ${[basename(command), ...args.map(basename)].join(' ')}`
    const proc = new LabProcess(child, label)
    this.#processes.add(proc)
    void proc.exited.then(() => this.#processes.delete(proc))
    return proc
  }

  /** Runs a command to completion inside the node's namespace (`ip addr`, `iptables -S`, …). */
  async exec (node: LabNode, command: string, args: readonly string[] = [], options: ExecOptions = {}): Promise<RunResult> {
    if (this.destroyed) throw NetlabError.DESTROYED()
    return await this.#exec(this.#stateOf(node).netns, command, args, options)
  }

  /**
   * Kills every process, deletes every namespace (and with them every veth, bridge and rule)
   * and releases the prefix. Idempotent; safe after a failed test. Rejects with
   * `TEARDOWN_FAILED` only if something could not be removed.
   */
  async destroy (): Promise<void> {
    this.#destroying ??= this.#teardown()
    await this.#destroying
  }

  /** For the exit handler: the same as `destroy()`, synchronously, never throwing. */
  destroySync (): void {
    this.#destroying ??= Promise.resolve()
    for (const proc of this.#processes) proc.kill('SIGKILL')
    deleteNetnsSync(this.#namespaces)
    releasePrefix(this.prefix)
  }

  async #teardown (): Promise<void> {
    const errors: unknown[] = []
    await Promise.all([...this.#processes].map(async (proc) => await proc.stop()))
    try {
      const left = await deleteNetns(this.#namespaces)
      if (left.length > 0) errors.push(new Error(`namespaces still present: ${left.join(', ')}`))
    } catch (err) {
      errors.push(err)
    }
    // With namespaces left over, keep the lease so that only a sweep after our exit takes them.
    if (errors.length === 0) releasePrefix(this.prefix)
    unregister(this)
    if (errors.length > 0) throw NetlabError.TEARDOWN_FAILED(errors)
  }

  #newNode (kind: 'host' | 'router', name: string, behind: LabRouter | undefined): NodeState {
    if (this.destroyed) throw NetlabError.DESTROYED()
    if (typeof name !== 'string' || name === '') throw NetlabError.INVALID_ARGUMENT('A node needs a name')
    if (this.#nodes.has(name)) throw NetlabError.INVALID_ARGUMENT(`${this.name} already has a node named ${name}`)
    const upstream = behind === undefined ? this.#internet : this.#routerState(behind).segment
    if (upstream === undefined) throw NetlabError.INVALID_ARGUMENT(`${behind?.name ?? ''} has no LAN`)
    const index = ++this.#nodeCount
    // Readable names (`hl421a-nat1`) when they fit the 15 characters `ip` allows for
    // interfaces, otherwise the index; a name must start with a letter, an index never does.
    const readable = `${this.prefix}-${name}`
    const netns = /^[a-z][a-z0-9]*$/.test(name) && readable.length <= 15 ? readable : `${this.prefix}-${index}`
    this.#namespaces.push(netns)
    return {
      kind,
      name,
      netns,
      address: upstream.pool.next(),
      behind,
      gateway: upstream.gateway,
      upstream,
      ready: Promise.resolve()
    }
  }

  // The public view of a node: live getters over its state, no way to change it.
  #publish (state: NodeState): LabNode {
    const node = Object.freeze(Object.defineProperties({}, {
      kind: { value: state.kind, enumerable: true },
      name: { value: state.name, enumerable: true },
      netns: { value: state.netns, enumerable: true },
      address: { get: () => state.address, enumerable: true },
      behind: { value: state.behind, enumerable: true },
      gateway: { value: state.gateway, enumerable: true },
      ...(state.kind === 'router'
        ? {
            nat: { value: state.nat, enumerable: true },
            lan: { value: state.lan, enumerable: true },
            lanAddress: { value: state.lanAddress, enumerable: true }
          }
        : {})
    })) as LabNode
    this.#nodes.set(state.name, node)
    this.#state.set(node, state)
    return node
  }

  #stateOf (node: LabNode): NodeState {
    const state = this.#state.get(node)
    if (state === undefined) throw NetlabError.INVALID_ARGUMENT(`${String(node?.name)} is not a node of lab ${this.name}`)
    return state
  }

  #routerState (router: LabRouter): NodeState & { segment: Segment } {
    const state = this.#stateOf(router)
    if (state.kind !== 'router' || state.segment === undefined) throw NetlabError.INVALID_ARGUMENT(`${router.name} is not a router`)
    return state as NodeState & { segment: Segment }
  }

  async #buildInternet (): Promise<void> {
    const seg = this.#internet
    this.#namespaces.push(seg.netns)
    await addNetns(seg.netns)
    await this.#ipBatch(seg.netns, [
      'link set lo up',
      `link add ${seg.bridge} type bridge`,
      `link set ${seg.bridge} up`
    ])
    await this.#sysctl(seg.netns, { 'net.ipv4.ip_forward': 0, 'net.bridge.bridge-nf-call-iptables': 0 })
  }

  // Creates the node's namespace and a veth pair from it to its upstream bridge, both ends
  // created directly inside their namespaces, then addresses it. `extra` are more `ip`
  // commands to run in the node's namespace in the same batch.
  async #attach (state: NodeState, ifname: string, extra: string[] = []): Promise<void> {
    const up = state.upstream
    await up.ready
    const port = `v${++up.ports}`
    // Every exec costs tens of milliseconds on a loaded machine: three batches per node.
    await this.#run('ip', ['-batch', '-'], {
      input: `netns add ${state.netns}\nlink add ${ifname} netns ${state.netns} type veth peer name ${port} netns ${up.netns}\n`
    })
    await this.#ipBatch(up.netns, [`link set ${port} master ${up.bridge}`, `link set ${port} up`])
    await this.#ipBatch(state.netns, [
      'link set lo up',
      `link set ${ifname} up`,
      `addr add ${up.subnet.withPrefix(state.address)} dev ${ifname}`,
      ...(state.gateway !== undefined ? [`route add default via ${state.gateway}`] : []),
      ...extra
    ])
  }

  // Replaces the WAN address (or re-adds the same one). Deleting an address makes the kernel's
  // masquerade code drop the conntrack entries NATed to it; the default route through the
  // deleted address's subnet goes with it and is put back.
  async #readdress (state: NodeState, next: string): Promise<void> {
    const subnet = state.upstream.subnet
    await this.#ipBatch(state.netns, [
      `addr del ${subnet.withPrefix(state.address)} dev ${IF_WAN}`,
      `addr add ${subnet.withPrefix(next)} dev ${IF_WAN}`,
      ...(state.gateway !== undefined ? [`route replace default via ${state.gateway}`] : [])
    ])
    state.address = next
  }

  async #ipBatch (netns: string, commands: string[]): Promise<void> {
    await this.#run('ip', ['-n', netns, '-batch', '-'], { input: `${commands.join('\n')}\n` })
  }

  // Sets sysctls in the namespace and, with `ruleset`, loads it with iptables-restore in the
  // same exec.
  async #sysctl (netns: string, values: Record<string, string | number>, ruleset?: string): Promise<void> {
    const script = sysctlScript(values) + (ruleset === undefined ? '' : '\nexec iptables-restore -w')
    await this.#exec(netns, 'sh', ['-ec', script], { input: ruleset })
  }

  async #iptables (netns: string, args: string[]): Promise<void> {
    await this.#exec(netns, 'iptables', ['-w', ...args])
  }

  async #exec (netns: string, command: string, args: readonly string[], options: ExecOptions = {}): Promise<RunResult> {
    return await this.#run(...inNetns(netns, command, args), options)
  }

  async #run (command: string, args: readonly string[], options: ExecOptions = {}): Promise<RunResult> {
    this.#logger?.debug?.(`${this.prefix} $ ${[command, ...args].join(' ')}`)
    return await run(command, args, options)
  }

  // Runs a build step; a step that fails because the lab is being torn down says so.
  async #guard (step: () => Promise<void>): Promise<void> {
    if (this.destroyed) throw NetlabError.DESTROYED()
    try {
      await step()
    } catch (err) {
      throw this.destroyed ? NetlabError.DESTROYED(err) : err
    }
  }
}

/** Whether the root namespace forwards IPv4, which new namespaces inherit. */
function hostForwards (): boolean {
  try {
    return readFileSync('/proc/sys/net/ipv4/ip_forward', 'utf8').trim() !== '0'
  } catch {
    return true
  }
}

function checkPort (port: number): number {
  if (!Number.isInteger(port) || port < 1 || port > 65535) throw NetlabError.INVALID_ARGUMENT(`Not a port: ${String(port)}`)
  return port
}

function basename (path: string): string {
  return path.includes('/') ? path.slice(path.lastIndexOf('/') + 1) : path
}
