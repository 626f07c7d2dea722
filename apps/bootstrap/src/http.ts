import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http'
import type { Logger } from 'pino'
import { BootstrapError } from './errors.js'

/** What the admin endpoint serves; the server provides it. */
export interface AdminRoutes {
  /** `/health`: status 200 or 503 and a small JSON body. */
  health: () => Promise<{ ok: boolean, body: unknown }>
  /** `/metrics`: Prometheus text. */
  metrics: () => Promise<{ contentType: string, body: string }>
  /** `/stats`: JSON. */
  stats: () => Promise<unknown>
  /** `/`: the status page. */
  page: () => Promise<string>
}

/**
 * The HTTP admin endpoint (node:http, GET and HEAD only). Resolves once listening; a busy port
 * or a foreign address rejects with `HTTP_LISTEN_FAILED`.
 */
export async function startAdmin (host: string, port: number, routes: AdminRoutes, log: Logger): Promise<Server> {
  const server = createServer((req, res) => {
    handle(req, res, routes).catch((err: unknown) => {
      log.warn({ err, url: req.url }, 'http: request failed')
      if (!res.headersSent) send(res, 500, 'text/plain; charset=utf-8', 'internal error\n')
      else res.destroy()
    })
  })
  // an admin endpoint has no business with slow clients
  server.requestTimeout = 10_000
  server.headersTimeout = 5_000
  await new Promise<void>((resolve, reject) => {
    server.once('error', (err: NodeJS.ErrnoException) => {
      const why = err.code === 'EADDRINUSE' ? 'the port is already in use' : err.code === 'EADDRNOTAVAIL' ? 'that address is not on this machine' : err.message
      reject(BootstrapError.HTTP_LISTEN_FAILED(host, port, why, err))
    })
    server.listen(port, host, () => resolve())
  })
  server.on('error', (err) => log.warn({ err }, 'http: server error'))
  return server
}

/** Stops accepting and closes every open connection (keep-alive ones too). */
export async function stopAdmin (server: Server): Promise<void> {
  await new Promise<void>((resolve) => {
    server.close(() => resolve())
    server.closeAllConnections()
  })
}

async function handle (req: IncomingMessage, res: ServerResponse, routes: AdminRoutes): Promise<void> {
  if (req.method !== 'GET' && req.method !== 'HEAD') {
    res.setHeader('allow', 'GET, HEAD')
    send(res, 405, 'text/plain; charset=utf-8', 'method not allowed\n')
    return
  }
  const path = new URL(req.url ?? '/', 'http://localhost').pathname
  switch (path) {
    case '/health': {
      const { ok, body } = await routes.health()
      send(res, ok ? 200 : 503, 'application/json', `${JSON.stringify(body)}\n`)
      return
    }
    case '/metrics': {
      const { contentType, body } = await routes.metrics()
      send(res, 200, contentType, body)
      return
    }
    case '/stats':
      send(res, 200, 'application/json', `${JSON.stringify(await routes.stats(), null, 1)}\n`)
      return
    case '/':
      send(res, 200, 'text/html; charset=utf-8', await routes.page())
      return
    default:
      send(res, 404, 'text/plain; charset=utf-8', 'not found: try /, /health, /metrics or /stats\n')
  }
}

function send (res: ServerResponse, status: number, type: string, body: string): void {
  res.writeHead(status, {
    'content-type': type,
    'content-length': Buffer.byteLength(body),
    'cache-control': 'no-store',
    'x-content-type-options': 'nosniff'
  })
  res.end(res.req.method === 'HEAD' ? undefined : body)
}
