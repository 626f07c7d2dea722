// Loads the reference dht-rpc@2.3.0 (nested under hyperdht@1.3.0) and wraps its callback API.
import { createSocket, type Socket } from 'node:dgram'
import { createRequire } from 'node:module'

const require = createRequire(import.meta.url)
const req = createRequire(require.resolve('hyperdht/package.json'))

export interface RefQuery { node: { id: Buffer | null, host: string, port: number }, command: string, target: Buffer, value: Buffer | null, roundtripToken?: Buffer }
export interface RefDHT {
  id: Buffer
  ephemeral: boolean
  on (event: string, fn: (...args: never[]) => void): void
  once (event: string, fn: (...args: never[]) => void): void
  listen (port: number, cb: (err?: Error) => void): void
  ready (cb: () => void): void
  address (): { address: string, port: number }
  query (q: { command: string, target: Buffer, value?: Buffer | null }, cb: (err: Error | null, res: Array<{ node: { id: Buffer, host: string, port: number }, value: Buffer | null }>) => void): void
  update (q: { command: string, target: Buffer, value?: Buffer | null }, cb: (err: Error | null, res: Array<{ node: { id: Buffer, host: string, port: number }, value: Buffer | null }>) => void): void
  holepunch (peer: { host: string, port: number }, referrer: { host: string, port: number }, cb: (err: Error | null, res?: { id?: Buffer }) => void): void
  ping (peer: { host: string, port: number }, cb: (err: Error | null, rinfo?: { host: string, port: number }) => void): void
  toArray (): Array<{ id: Buffer, host: string, port: number }>
  destroy (): void
  socket: { on (event: string, fn: (...args: never[]) => void): void }
}

export const RefDHTClass: new (opts?: Record<string, unknown>) => RefDHT = req('dht-rpc')

export const refVersion: string = req('dht-rpc/package.json').version

/**
 * A reference node listening on `host` (its own `listen(port)` binds every interface, so its
 * packets to loopback would all come from 127.0.0.1): it gets a dgram socket whose `bind`
 * binds `host`, so that reference nodes have distinct addresses like ours.
 */
export async function createRef (opts: Record<string, unknown> = {}, host?: string): Promise<RefDHT> {
  let socket: Socket | undefined
  if (host !== undefined) {
    const s = createSocket('udp4')
    const bind = s.bind.bind(s) as (port: number, address: string, cb: () => void) => Socket
    s.bind = ((port: number, cb: () => void) => bind(port, host, cb)) as unknown as Socket['bind']
    socket = s
  }
  const node = new RefDHTClass(socket === undefined ? opts : { ...opts, socket })
  await new Promise<void>((resolve, reject) => node.listen(0, (err) => err ? reject(err) : resolve()))
  return node
}

export function refReady (node: RefDHT): Promise<void> {
  return new Promise((resolve) => node.ready(resolve))
}

export function refCall<T> (fn: (cb: (err: Error | null, res?: T) => void) => void): Promise<T> {
  return new Promise((resolve, reject) => fn((err, res) => err ? reject(err) : resolve(res as T)))
}

export function refDestroy (node: RefDHT): Promise<void> {
  return new Promise((resolve) => {
    node.once('close', () => resolve())
    node.destroy()
  })
}
