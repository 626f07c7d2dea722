import { HyperDHT, type BootstrapResult, type Logger } from '@hyperdht-ts/hyperdht'
import type { NodeSettings } from './config.js'
import { explain } from './explain.js'
import type { Output } from './output.js'

export interface StartNodeOptions {
  settings: NodeSettings
  out: Output
  /** Speak IPv6 (`--ipv6`). */
  ipv6?: boolean
  /** Forces client mode whatever the settings say (one-shot commands never serve). */
  client?: boolean
  logger?: Logger
  /** Aborting it stops the start (the node is destroyed) and rejects with `signal.reason`. */
  signal?: AbortSignal
}

export interface StartedNode {
  node: HyperDHT
  bootstrap: BootstrapResult
}


/**
 * Builds a HyperDHT node from the settings, binds it and joins the network. A busy port, an
 * address that is not ours or an unreachable bootstrap list becomes a one-line `CLIError`; the
 * node is destroyed first so the process can exit. Aborting `signal` (Ctrl-C while joining)
 * destroys the node at once, which ends the bootstrap, and rejects with the signal's reason.
 */
export async function startNode (opts: StartNodeOptions): Promise<StartedNode> {
  const { settings, out, signal } = opts
  signal?.throwIfAborted()
  const node = new HyperDHT({
    bootstrap: settings.bootstrap,
    mode: opts.client === true ? 'client' : settings.mode,
    // one-shot commands never serve, so they never ask the router for a mapping either
    holepunch: { ...settings.holepunch, portMapping: opts.client !== true && settings.portMapping },
    ipv6: opts.ipv6 === true,
    ...(opts.logger === undefined ? {} : { logger: opts.logger })
  })
  const ctx = { bootstrap: settings.bootstrap, host: settings.host, port: settings.listenPort }
  // ready() takes no signal: destroying the node is what ends a bootstrap early
  const onabort = (): void => { node.destroy().catch(() => {}) }
  signal?.addEventListener('abort', onabort, { once: true })
  try {
    await node.listen(settings.listenPort, settings.host)
    if (settings.bootstrap.length > 0) out.progress(`joining the network via ${settings.bootstrap.join(', ')}…`)
    const bootstrap = await node.ready()
    out.clear()
    signal?.throwIfAborted()
    if (bootstrap.error !== null) throw bootstrap.error
    return { node, bootstrap }
  } catch (err) {
    out.clear()
    await node.destroy()
    if (signal?.aborted === true) throw signal.reason
    throw explain(err, ctx)
  } finally {
    signal?.removeEventListener('abort', onabort)
  }
}
