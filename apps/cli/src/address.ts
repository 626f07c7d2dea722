import { isIP } from 'node:net'
import { CLIError } from './errors.js'

export interface HostPort {
  host: string
  port: number
}

/**
 * Parses `host:port`, `[v6]:port` or `:port` (localhost). The port is required; `allowZero`
 * accepts port 0 (a local address to bind, "any port"). Host names are kept for the library to
 * resolve.
 */
export function parseHostPort (input: string, opts: { allowZero?: boolean } = {}): HostPort {
  if (typeof input !== 'string' || input.trim() === '') throw CLIError.BAD_ADDRESS(String(input ?? ''), 'expected host:port')
  const s = input.trim()
  let host: string
  let portText: string
  const v6 = /^\[([^\]]+)\]:(\d+)$/.exec(s)
  if (v6 !== null) {
    host = v6[1]!
    portText = v6[2]!
    if (isIP(host) !== 6) throw CLIError.BAD_ADDRESS(input, `${host} is not an IPv6 address`)
  } else {
    const i = s.lastIndexOf(':')
    if (i < 0) throw CLIError.BAD_ADDRESS(input, 'expected host:port (the port is missing)')
    host = s.slice(0, i)
    portText = s.slice(i + 1)
    if (host.includes(':')) throw CLIError.BAD_ADDRESS(input, 'write IPv6 addresses as [address]:port')
    if (host === '') host = '127.0.0.1'
  }
  return { host, port: parsePort(portText, input, opts.allowZero === true) }
}

/** A port number given alone (flags such as `--port`). */
export function parsePort (text: string, label = text, allowZero = false): number {
  if (!/^\d+$/.test(text)) throw CLIError.BAD_ADDRESS(label, `"${text}" is not a port number`)
  const port = Number(text)
  if (port > 65535 || (port === 0 && !allowZero)) throw CLIError.BAD_ADDRESS(label, `port ${port} is out of range (${allowZero ? 0 : 1}-65535)`)
  return port
}

export function formatHostPort ({ host, port }: HostPort): string {
  return isIP(host) === 6 ? `[${host}]:${port}` : `${host}:${port}`
}
