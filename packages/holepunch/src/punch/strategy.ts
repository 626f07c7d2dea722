// Which way to connect to a peer, from both NAT verdicts and addresses. Pure.
//
// The plan is symmetric: both peers compute it from the same facts (each from its own side) and
// get matching halves (when one side opens sockets, the other probes).
import type { Peer } from '@hyperdht-ts/ip-encoding'
import { hostKey, sameAddress } from '../address'
import { BIRTHDAY_PROBE_INTERVAL, BIRTHDAY_PROBES, BIRTHDAY_SOCKETS, LAN_ATTEMPTS, PORT_MAX, PORT_MIN } from '../constants'
import type { NatType } from '../types'
import { birthdaySuccessProbability } from './birthday'

/** What one side knows about a peer (or itself) when planning. */
export interface PunchPeerInfo {
  /** The NAT type of that peer. */
  nat: NatType
  /**
   * Its public host, and port when the mapping is consistent or open; `null` (or a `null` host)
   * when unknown. A `NatVerdict` fits as is.
   */
  publicAddress: { host: string | null, port: number | null } | null
  /** Its LAN addresses (a peer behind the same NAT may reach it there). */
  lanAddresses?: readonly Peer[]
  /**
   * (remote only) Its public host was verified by a roundtrip token: it really receives at that
   * host. A birthday attempt is only ever aimed at a verified host.
   */
  verified?: boolean
}

/** Options of {@link planPunch}. */
export interface PlanPunchOptions {
  /** Sockets the random side opens (capped at 256). @default 256 */
  sockets?: number
  /** Probes the consistent side sends (capped at 1750). @default 1750 */
  probes?: number
  /** Pause between probes (ms). @default 10 */
  probeInterval?: number
  /** LAN addresses tried at most. @default 4 */
  lanAttempts?: number
  /** Plan no birthday attempt (for example while the limiter says no). @default true */
  allowBirthday?: boolean
}

/** Send straight to the peer's public address: it is open. */
export interface DirectAttempt { kind: 'direct', path: 'direct', address: Peer }
/** Send to one of the peer's LAN addresses: we share its public host, so probably its network. */
export interface LanAttempt { kind: 'lan', path: 'lan', address: Peer }
/**
 * The classic punch, coordinated through the referrer: both send to each other's public address
 * at the same time. `address` is the peer's public address when known (otherwise learnt from
 * the referrer's exchange).
 */
export interface HolepunchAttempt { kind: 'holepunch', path: 'holepunch', address: Peer | null }
/** One side of a birthday attempt (exactly one NAT is random). */
export interface BirthdayAttempt {
  kind: 'birthday'
  path: 'holepunch'
  /**
   * `open-sockets`: we are the random side: open `sockets` sockets, each sending to `target`
   * (the peer's verified address) and listening. `probe-ports`: we are the consistent side: send
   * `probes` probes, `probeInterval` ms apart, to distinct guessed ports of `target.host`
   * (`target.port`, the port the peer reported, first).
   */
  role: 'open-sockets' | 'probe-ports'
  target: { host: string, port: number | null }
  sockets: number
  probes: number
  probeInterval: number
  /** Probability that the attempt connects (both halves run in full). */
  successProbability: number
  /** How long the probing lasts at most (ms). */
  maxDuration: number
}

/** One attempt of a plan. */
export type PunchAttempt = DirectAttempt | LanAttempt | HolepunchAttempt | BirthdayAttempt

/** The ordered plan. */
export interface PunchPlan {
  /**
   * Stages, tried in order; the attempts of one stage race (the first to connect wins, the
   * others are cancelled). Empty: fail at once.
   */
  stages: PunchAttempt[][]
  /** The error code to reject with when every stage failed. */
  failure: 'HOLEPUNCH_FAILED' | 'BOTH_NATS_RANDOM'
  /** Why this plan, in words (for logs). */
  reason: string
}

/**
 * Plans a connection from our side (`local`) to `remote`:
 * 1. the same public host means probably the same NAT: LAN addresses race with the rest of the
 *    first stage (so a dead LAN address never blocks it);
 * 2. remote `open`: `direct`; we `open`: `holepunch` (the remote reaches us when signalled);
 * 3. both consistent or unknown (unknown is most often consistent): `holepunch`;
 * 4. exactly one `random`, the other consistent: `birthday`, only towards a verified host;
 *    when the other is `unknown`, first the plain punch, then the birthday attempt;
 * 5. both `random`: only LAN, else fail fast with `BOTH_NATS_RANDOM`.
 */
export function planPunch (local: PunchPeerInfo, remote: PunchPeerInfo, options: PlanPunchOptions = {}): PunchPlan {
  const localHost = local.publicAddress?.host ?? null
  const remoteHost = remote.publicAddress?.host ?? null
  const sameNat = localHost !== null && remoteHost !== null && hostKey(localHost) === hostKey(remoteHost)
  const lan: LanAttempt[] = sameNat
    ? rankLanAddresses(local.lanAddresses ?? [], remote.lanAddresses ?? [])
      .filter((a) => !sameAddress(a, publicPeer(remote)))
      .slice(0, Math.max(0, options.lanAttempts ?? LAN_ATTEMPTS))
      .map((address) => ({ kind: 'lan', path: 'lan', address }))
    : []
  const first = (attempts: PunchAttempt[]): PunchAttempt[] => [...lan, ...attempts]
  const remotePublic = publicPeer(remote)
  const punch: HolepunchAttempt = { kind: 'holepunch', path: 'holepunch', address: remotePublic }

  if (remote.nat === 'open' && remotePublic !== null) {
    const stages = [first([{ kind: 'direct', path: 'direct', address: remotePublic }])]
    // an `open` verdict may be stale: fall back on a punch unless that cannot work either
    if (local.nat !== 'random') stages.push([punch])
    return { stages, failure: 'HOLEPUNCH_FAILED', reason: 'the remote peer is open' }
  }
  if (local.nat === 'open' || remote.nat === 'open') {
    return { stages: [first([punch])], failure: 'HOLEPUNCH_FAILED', reason: 'one side is open: the other reaches it when signalled' }
  }

  const localRandom = local.nat === 'random'
  const remoteRandom = remote.nat === 'random'

  if (localRandom && remoteRandom) {
    return { stages: lan.length > 0 ? [lan] : [], failure: 'BOTH_NATS_RANDOM', reason: 'both NATs map ports randomly' }
  }

  if (!localRandom && !remoteRandom) {
    return { stages: [first([punch])], failure: 'HOLEPUNCH_FAILED', reason: `${local.nat} and ${remote.nat} mappings: plain punch` }
  }

  // exactly one random
  const other = localRandom ? remote : local
  const birthday = planBirthday(localRandom ? 'open-sockets' : 'probe-ports', remote, options)
  const allowed = options.allowBirthday !== false && birthday !== null
  const why = birthday === null ? ' (no birthday attempt: the remote host is not verified)' : options.allowBirthday === false ? ' (birthday attempt not allowed now)' : ''
  if (other.nat === 'unknown') {
    const stages = [first([punch])]
    if (allowed) stages.push([birthday])
    return { stages, failure: 'HOLEPUNCH_FAILED', reason: `one random and one unknown mapping: plain punch, then birthday${why}` }
  }
  return {
    stages: allowed ? [first([birthday])] : [first([punch])],
    failure: 'HOLEPUNCH_FAILED',
    reason: `one random and one consistent mapping: birthday${why}`
  }
}

function planBirthday (role: BirthdayAttempt['role'], remote: PunchPeerInfo, options: PlanPunchOptions): BirthdayAttempt | null {
  const host = remote.publicAddress?.host ?? null
  const port = remote.publicAddress?.port ?? null
  if (remote.verified !== true || host === null) return null
  // the random side sends to one address: it needs the consistent side's port
  if (role === 'open-sockets' && port === null) return null
  const sockets = clampInt(options.sockets ?? BIRTHDAY_SOCKETS, 1, BIRTHDAY_SOCKETS)
  const probes = clampInt(options.probes ?? BIRTHDAY_PROBES, 1, BIRTHDAY_PROBES)
  const probeInterval = Math.max(0, options.probeInterval ?? BIRTHDAY_PROBE_INTERVAL)
  return {
    kind: 'birthday',
    path: 'holepunch',
    role,
    target: { host, port },
    sockets,
    probes,
    probeInterval,
    successProbability: birthdaySuccessProbability(sockets, probes, PORT_MAX - PORT_MIN + 1),
    maxDuration: probes * probeInterval
  }
}

/**
 * The remote's LAN addresses, best first: the longest address prefix shared with one of ours
 * (the same subnet before a sibling subnet before anything else), duplicates removed.
 */
export function rankLanAddresses (local: readonly Peer[], remote: readonly Peer[]): Peer[] {
  const seen = new Set<string>()
  const ranked: Array<{ address: Peer, score: number, index: number }> = []
  remote.forEach((address, index) => {
    const key = `${hostKey(address.host)}|${address.port}`
    if (seen.has(key)) return
    seen.add(key)
    let score = 0
    for (const mine of local) score = Math.max(score, commonPrefixBits(mine.host, address.host))
    ranked.push({ address, score, index })
  })
  ranked.sort((a, b) => b.score - a.score || a.index - b.index)
  return ranked.map((r) => r.address)
}

/** Leading bits two IPv4 addresses share (IPv6: whole shared 16-bit groups); 0 across families. */
export function commonPrefixBits (a: string, b: string): number {
  const x = ipv4ToInt(a)
  const y = ipv4ToInt(b)
  if (x !== null && y !== null) return Math.clz32((x ^ y) >>> 0)
  if (x !== null || y !== null) return 0
  const ga = hostKey(a).split(':')
  const gb = hostKey(b).split(':')
  if (ga.length < 3 || gb.length < 3) return 0
  let bits = 0
  for (let i = 0; i < Math.min(ga.length, gb.length) && ga[i] === gb[i] && ga[i] !== ''; i++) bits += 16
  return bits
}

function ipv4ToInt (host: string): number | null {
  const parts = host.split('.')
  if (parts.length !== 4) return null
  let value = 0
  for (const part of parts) {
    if (!/^\d{1,3}$/.test(part)) return null
    const n = Number(part)
    if (n > 255) return null
    value = value * 256 + n
  }
  return value >>> 0
}

function publicPeer (info: PunchPeerInfo): Peer | null {
  const host = info.publicAddress?.host ?? null
  const port = info.publicAddress?.port ?? null
  return host !== null && port !== null ? { host, port } : null
}

function clampInt (value: number, min: number, max: number): number {
  return Math.min(max, Math.max(min, Math.floor(value)))
}
