import { toHex } from '../bytes.js'
import { FRESH_TICKS, UPKEEP_PINGS } from '../constants.js'
import { DHTError } from '../errors.js'
import type { RoutingTable, TableNode } from './table.js'

/** What table upkeep needs: a clock and a way to ping. */
export interface UpkeepContext {
  readonly table: RoutingTable
  readonly tick: number
  readonly bootstrapped: boolean
  readonly inflightQueries: number
  /** Resolves if the node answered a `_ping`, rejects otherwise. */
  ping (node: TableNode): Promise<unknown>
}

/**
 * True when a failed ping says the node is gone: it did not answer, or the send failed. A ping we
 * never sent (our queue was full, the node is shutting down, the request was cancelled) says
 * nothing about the node, and evicting on it would empty the table under load.
 */
export function notAnswering (err: unknown): boolean {
  return DHTError.isInstance(err) && (err.code === 'REQUEST_TIMEOUT' || err.code === 'REQUEST_FAILED')
}

/**
 * The contacts of each table being pinged by {@link onBucketFull} or {@link pingSome} now (hex
 * ids). Newcomers to one full bucket come in bursts (every node a lookup asks, every node that
 * verifies us): each used to ping the same stale contacts again while the first pings were in
 * flight: 3 in 4 of these pings (an announce and a lookup at 2,000 nodes, tables stale after the
 * build: ~250, now ~65). Upkeep rounds overlap too while nodes are leaving (a dead contact's
 * ping with its retransmissions takes 8 s, rounds then come every 5 s).
 */
const repinging = new WeakMap<RoutingTable, Set<string>>()

/** Marks `key` as being pinged in `table`'s set; returns what unmarks it. */
function markPinging (table: RoutingTable, key: string): () => void {
  let busy = repinging.get(table)
  if (busy === undefined) repinging.set(table, busy = new Set())
  busy.add(key)
  return () => {
    busy.delete(key)
    if (busy.size === 0) repinging.delete(table)
  }
}

/**
 * A full bucket got a newcomer. Contacts heard from recently stay (refreshed); the others are
 * pinged one after another, and the first that fails is replaced by the newcomer. A contact
 * another newcomer's check is pinging already is not pinged again: that check replaces it if it
 * fails.
 */
export function onBucketFull (ctx: UpkeepContext, oldContacts: TableNode[], newContact: TableNode): void {
  if (!ctx.bootstrapped) return // bootstrapping: we just talked to everyone
  const reping: TableNode[] = []
  for (const old of oldContacts) {
    if (ctx.tick - old.tick < FRESH_TICKS) ctx.table.refresh(old)
    else reping.push(old)
  }
  if (reping.length === 0) return
  const table = ctx.table
  const next = (): void => {
    const busy = repinging.get(table)
    let old: TableNode | undefined
    let key = ''
    while ((old = reping.shift()) !== undefined) {
      key = toHex(old.id)
      if (busy?.has(key) !== true) break
    }
    if (old === undefined) return
    const done = markPinging(table, key)
    const pinged = old
    ctx.ping(pinged).then(() => {
      done()
      next()
    }, (err: unknown) => {
      done()
      if (!notAnswering(err)) return
      ctx.table.remove(pinged.id)
      ctx.table.add(newContact.id, newContact, ctx.tick)
    })
  }
  next()
}

/**
 * Pings a few (`count`, a third of it while more than 2 queries run) of the least recently seen
 * nodes that are not fresh (and not being pinged already); those that fail are removed. Resolves,
 * once every ping settled, with how many were removed: the caller's cue that nodes are leaving
 * (churn) and the rest of the table is worth checking soon.
 */
export async function pingSome (ctx: UpkeepContext, count = UPKEEP_PINGS): Promise<number> {
  if (ctx.inflightQueries > 2) count = Math.ceil(count / 3)
  const table = ctx.table
  const busy = repinging.get(table)
  const stale: Array<{ node: TableNode, done: () => void }> = []
  for (const node of table.leastRecentlySeen()) {
    if (count <= 0 || ctx.tick - node.tick < FRESH_TICKS) break
    const key = toHex(node.id)
    if (busy?.has(key) === true) continue
    stale.push({ node, done: markPinging(table, key) })
    count--
  }
  const removed = await Promise.all(stale.map(async ({ node, done }) => {
    const seen = node.tick
    try {
      await ctx.ping(node)
      return 0
    } catch (err) {
      if (!notAnswering(err)) return 0
      // Only if nothing was heard from it meanwhile (the table updates the same object).
      const current = ctx.table.get(node.id)
      if (current == null || current.tick !== seen) return 0
      ctx.table.remove(node.id)
      return 1
    } finally {
      done()
    }
  }))
  return removed.reduce((a: number, b) => a + b, 0)
}
