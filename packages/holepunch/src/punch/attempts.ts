// Runs the attempts of a punch plan over real sockets: probes towards addresses (direct, LAN,
// plain punch) and the two halves of a birthday attempt. An attempt resolves with the path it
// proved: which port, which remote address, the round-trip time.
import {
  BIRTHDAY_SOCKET_PROBE_INTERVAL, PUNCH_PROBE_INTERVAL, PUNCH_TIMEOUT
} from '../constants'
import { encodeFrame, FRAME_TYPE } from '../connection/frame'
import type { FrameRouter } from '../connection/router'
import { HolepunchError } from '../errors'
import { SocketPort, type DatagramPort, type FrameReceiver } from '../io/port'
import type { ConnectionPath, CreateSocket, Peer } from '../types'
import { portGuesses } from './birthday'
import type { PunchAttempt, PunchPlan } from './strategy'

/** A working path to the peer. */
export interface PathFound {
  port: DatagramPort
  remote: Peer
  /** Round trip of the probe that proved it (ms), 0 when the peer's own probe proved it. */
  rtt: number
  path: ConnectionPath
}

/** What the attempts need. */
export interface AttemptContext {
  router: FrameRouter
  /** The DHT's socket: the one whose mapping the peer knows. */
  port: DatagramPort
  /** The connection id both sides use for their probes. */
  id: number
  family: 4 | 6
  /** Where extra (birthday) sockets bind. */
  bindHost: string | undefined
  /** Opens the extra (birthday) sockets. @default `dgram.createSocket` */
  createSocket?: CreateSocket
  /** Routes frames of extra sockets (the router's receive). */
  receive: FrameReceiver
  signal: AbortSignal
  /** Hosts the peer may answer from besides the addresses probed (its public host). */
  peerHosts: readonly string[]
}

/**
 * Runs the plan's stages in order; the attempts of a stage race, the first path wins and the
 * others stop. Rejects with the plan's failure code when every stage failed, or `ABORTED`.
 */
export async function runPlan (ctx: AttemptContext, plan: PunchPlan, timeout = PUNCH_TIMEOUT): Promise<PathFound> {
  if (plan.stages.length === 0) throw failure(plan)
  for (const stage of plan.stages) {
    if (ctx.signal.aborted) throw HolepunchError.ABORTED(ctx.signal.reason)
    const found = await runStage(ctx, stage, timeout)
    if (found !== null) return found
  }
  if (ctx.signal.aborted) throw HolepunchError.ABORTED(ctx.signal.reason)
  throw failure(plan)
}

function failure (plan: PunchPlan): HolepunchError {
  return plan.failure === 'BOTH_NATS_RANDOM'
    ? HolepunchError.BOTH_NATS_RANDOM()
    : HolepunchError.HOLEPUNCH_FAILED(`Hole punching failed (${plan.reason})`)
}

/** The first path any attempt of the stage finds within its time, or null. */
async function runStage (ctx: AttemptContext, stage: PunchAttempt[], timeout: number): Promise<PathFound | null> {
  const stop = new AbortController()
  const onabort = (): void => stop.abort()
  ctx.signal.addEventListener('abort', onabort, { once: true })
  const longest = Math.max(timeout, ...stage.map((a) => a.kind === 'birthday' ? a.maxDuration + timeout : 0))
  const timer = setTimeout(() => stop.abort(), longest)
  try {
    const found = await new Promise<PathFound | null>((resolve) => {
      let pending = stage.length
      const lost = (): void => { if (--pending === 0) resolve(null) }
      stop.signal.addEventListener('abort', () => resolve(null), { once: true })
      for (const attempt of stage) {
        runAttempt({ ...ctx, signal: stop.signal }, attempt).then((p) => { if (p !== null) resolve(p); else lost() }, lost)
      }
    })
    return found
  } finally {
    stop.abort()
    clearTimeout(timer)
    ctx.signal.removeEventListener('abort', onabort)
  }
}

async function runAttempt (ctx: AttemptContext, attempt: PunchAttempt): Promise<PathFound | null> {
  switch (attempt.kind) {
    case 'direct':
    case 'lan':
      return await probe(ctx, [attempt.address], attempt.path, true)
    case 'holepunch':
      // both sides send: the peer's probes open our mapping towards it, ours open its
      return await probe(ctx, attempt.address === null ? [] : [attempt.address], 'holepunch', false)
    case 'birthday':
      return attempt.role === 'probe-ports' ? await sprayPorts(ctx, attempt.target, attempt.probes, attempt.probeInterval) : await openSockets(ctx, attempt.target, attempt.sockets)
  }
}

/**
 * Probes `targets` every 100 ms from our DHT socket. Proven by a PROBE_ACK to one of our probes,
 * or (`strict: false`) by the peer's own probe arriving from the peer's host: its NAT then lets
 * our answers through. With no target we only wait for the peer's probes.
 */
async function probe (ctx: AttemptContext, targets: Peer[], path: ConnectionPath, strict: boolean): Promise<PathFound | null> {
  const sentAt = new Map<number, number>()
  let nonce = (Math.random() * 0x7fffffff) >>> 0
  return await new Promise<PathFound | null>((resolve) => {
    const hosts = new Set([...targets.map((t) => t.host), ...(strict ? [] : ctx.peerHosts)])
    const done = (p: PathFound | null): void => {
      stopListening()
      clearInterval(timer)
      ctx.signal.removeEventListener('abort', onabort)
      resolve(p)
    }
    const onabort = (): void => done(null)
    const stopListening = ctx.router.onProbe(ctx.id, (kind, from, port, n) => {
      if (port !== ctx.port) return
      if (kind === 'ack') {
        const at = sentAt.get(n)
        if (at === undefined) return
        done({ port, remote: from, rtt: Math.max(0, Date.now() - at), path })
      } else if (!strict && hosts.has(from.host)) {
        done({ port, remote: from, rtt: 0, path })
      }
    })
    const send = (): void => {
      for (const t of targets) {
        const n = nonce++ >>> 0
        sentAt.set(n, Date.now())
        ctx.port.send(encodeFrame({ type: FRAME_TYPE.PROBE, id: ctx.id, seq: n, ack: 0 }), t)
      }
    }
    const timer = setInterval(send, PUNCH_PROBE_INTERVAL)
    timer.unref()
    ctx.signal.addEventListener('abort', onabort, { once: true })
    if (ctx.signal.aborted) return done(null)
    send()
  })
}

/** At most this many probes go out in one timer tick when catching up (a burst the NAT must not see as a flood). */
const MAX_PROBES_PER_TICK = 10

/**
 * The consistent side of a birthday attempt: probes distinct guessed ports of the peer's host
 * from our DHT socket (its known mapping), until one of the peer's sockets answers.
 */
async function sprayPorts (ctx: AttemptContext, target: { host: string, port: number | null }, probes: number, interval: number): Promise<PathFound | null> {
  const guesses = portGuesses({ count: probes, first: target.port === null ? [] : [target.port] })
  const sentAt = new Map<number, number>()
  return await new Promise<PathFound | null>((resolve) => {
    const done = (p: PathFound | null): void => {
      stopListening()
      clearInterval(timer)
      ctx.signal.removeEventListener('abort', onabort)
      resolve(p)
    }
    const onabort = (): void => done(null)
    const stopListening = ctx.router.onProbe(ctx.id, (kind, from, port, n) => {
      if (port !== ctx.port || from.host !== target.host) return
      const at = kind === 'ack' ? sentAt.get(n) : undefined
      done({ port, remote: from, rtt: at === undefined ? 0 : Math.max(0, Date.now() - at), path: 'holepunch' })
    })
    let nonce = (Math.random() * 0x7fffffff) >>> 0
    const step = Math.max(1, interval)
    const started = Date.now()
    let sent = 0
    const timer = setInterval(() => {
      // the probes due by now, not one per tick: a late timer (a busy event loop) must not slow
      // the attempt down, and its odds depend on the number of probes sent, not on ticks
      const due = Math.min(Math.floor((Date.now() - started) / step) + 1 - sent, MAX_PROBES_PER_TICK)
      for (let i = 0; i < due; i++) {
        const next = guesses.next()
        if (next.done === true) {
          clearInterval(timer)
          return
        }
        const n = nonce++ >>> 0
        sentAt.set(n, Date.now())
        sent++
        ctx.port.send(encodeFrame({ type: FRAME_TYPE.PROBE, id: ctx.id, seq: n, ack: 0 }), { host: target.host, port: next.value })
      }
    }, step)
    timer.unref()
    ctx.signal.addEventListener('abort', onabort, { once: true })
    if (ctx.signal.aborted) done(null)
  })
}

/**
 * The random side of a birthday attempt: opens `count` sockets, each probing the peer's
 * consistent address (which creates a mapping, a new random public port, per socket), until the
 * peer's guess lands on one of them. The winning socket carries the connection; the rest close.
 */
async function openSockets (ctx: AttemptContext, target: { host: string, port: number | null }, count: number): Promise<PathFound | null> {
  if (target.port === null) return null
  const to = { host: target.host, port: target.port }
  const ports: SocketPort[] = []
  let winner: SocketPort | null = null
  const sentAt = new Map<number, number>()
  let nonce = (Math.random() * 0x7fffffff) >>> 0
  try {
    return await new Promise<PathFound | null>((resolve) => {
      let finished = false
      const done = (p: PathFound | null): void => {
        if (finished) return
        finished = true
        stopListening()
        clearInterval(timer)
        ctx.signal.removeEventListener('abort', onabort)
        resolve(p)
      }
      const onabort = (): void => done(null)
      const stopListening = ctx.router.onProbe(ctx.id, (kind, from, port, n) => {
        if (port.kind !== 'extra' || from.host !== target.host || !ports.includes(port as SocketPort)) return
        winner = port as SocketPort
        const at = kind === 'ack' ? sentAt.get(n) : undefined
        done({ port, remote: from, rtt: at === undefined ? 0 : Math.max(0, Date.now() - at), path: 'holepunch' })
      })
      const send = (p: SocketPort): void => {
        const n = nonce++ >>> 0
        sentAt.set(n, Date.now())
        p.send(encodeFrame({ type: FRAME_TYPE.PROBE, id: ctx.id, seq: n, ack: 0 }), to)
      }
      const timer = setInterval(() => { for (const p of ports) send(p) }, BIRTHDAY_SOCKET_PROBE_INTERVAL)
      timer.unref()
      ctx.signal.addEventListener('abort', onabort, { once: true })
      void (async () => {
        for (let i = 0; i < count && !finished; i++) {
          try {
            const p = await SocketPort.open(ctx.bindHost, ctx.family, ctx.receive, ctx.createSocket)
            if (finished) {
              p.close()
              return
            }
            ports.push(p)
            send(p)
          } catch {
            return // out of sockets: go on with those we have
          }
        }
      })()
    })
  } finally {
    for (const p of ports) if (p !== winner) p.close()
  }
}
