#!/usr/bin/env node
// A tiny UDP agent run inside lab namespaces with plain Node (no build, no TypeScript), driven
// by JSON lines on stdin and reporting in JSON lines on stdout:
//   in  {"op":"bind","id":"s1","port":40000,"reflect":true}   out {"type":"bound","id":"s1","port":40000}
//   in  {"op":"send","id":"s1","to":{"address":"198.18.0.3","port":5000},"data":{...}}
//   in  {"op":"close","id":"s1"}                             out {"type":"closed","id":"s1"}
//   out {"type":"recv","id":"s1","from":{"address":"…","port":…},"data":{...}} for every datagram
// A socket bound with `reflect` answers each datagram {"t":"probe","nonce":…} with
// {"t":"seen","nonce":…,"address":…,"port":…}: the source address it saw, i.e. the sender's
// public mapping when the sender is behind a NAT.
import dgram from 'node:dgram'
import readline from 'node:readline'

const sockets = new Map()

function out (message) {
  process.stdout.write(`${JSON.stringify(message)}\n`)
}

function bind ({ id, port = 0, address, reflect = false }) {
  if (sockets.has(id)) return out({ type: 'error', id, op: 'bind', error: `socket ${id} exists` })
  const socket = dgram.createSocket('udp4')
  sockets.set(id, socket)
  socket.on('error', (err) => out({ type: 'error', id, op: 'socket', error: err.message }))
  socket.on('message', (buf, rinfo) => {
    let data
    try {
      data = JSON.parse(buf.toString('utf8'))
    } catch {
      data = { raw: buf.toString('base64') }
    }
    const from = { address: rinfo.address, port: rinfo.port }
    out({ type: 'recv', id, from, data })
    if (reflect && data !== null && typeof data === 'object' && data.t === 'probe') {
      send(id, from, { t: 'seen', nonce: data.nonce, address: rinfo.address, port: rinfo.port })
    }
  })
  socket.once('listening', () => out({ type: 'bound', id, port: socket.address().port }))
  socket.bind({ port, address, exclusive: true })
}

function send (id, to, data) {
  const socket = sockets.get(id)
  if (socket === undefined) return out({ type: 'error', id, op: 'send', error: `no socket ${id}` })
  socket.send(JSON.stringify(data), to.port, to.address, (err) => {
    // An unreachable network or a full queue loses this datagram, as UDP may; say so.
    if (err) out({ type: 'error', id, op: 'send', error: err.message })
  })
}

function close ({ id }) {
  const socket = sockets.get(id)
  sockets.delete(id)
  if (socket === undefined) return out({ type: 'closed', id })
  socket.close(() => out({ type: 'closed', id }))
}

const commands = {
  bind,
  send: ({ id, to, data }) => send(id, to, data),
  close,
  exit: () => process.exit(0)
}

readline.createInterface({ input: process.stdin }).on('line', (line) => {
  let command
  try {
    command = JSON.parse(line)
  } catch {
    return out({ type: 'error', op: 'parse', error: `not JSON: ${line}` })
  }
  const handler = commands[command.op]
  if (handler === undefined) return out({ type: 'error', op: command.op, error: 'unknown op' })
  handler(command)
}).on('close', () => process.exit(0))

process.on('SIGTERM', () => process.exit(0))
out({ type: 'ready', pid: process.pid })
