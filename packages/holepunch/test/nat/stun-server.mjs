#!/usr/bin/env node
// A classic (RFC 3489 style) STUN binding server for the port-mapping NAT test, run inside a lab
// namespace: miniupnpd, whose WAN address is in a reserved range (the lab's internet), enables
// port forwarding only after a STUN check shows that nothing filters its WAN, and that check asks
// for answers from another address and another port (CHANGE-REQUEST). So it listens on two
// addresses x two ports and answers each request from the socket the request asks for, with a
// MAPPED-ADDRESS of the sender. argv[2]: JSON { addresses: [primary, alternate], ports: [p, q] }.
// Prints {type:'ready'} once every socket is bound; exits when stdin ends.
import { createSocket } from 'node:dgram'

const { addresses, ports } = JSON.parse(process.argv[2])
const sockets = new Map() // "ipIndex:portIndex" -> socket
const out = (msg) => process.stdout.write(JSON.stringify(msg) + '\n')

function answer (request, from) {
  if (request.length < 20 || request.readUInt16BE(0) !== 0x0001) return null
  let change = 0
  for (let at = 20; at + 4 <= request.length;) {
    const type = request.readUInt16BE(at)
    const len = request.readUInt16BE(at + 2)
    if (type === 0x0003 && len === 4 && at + 8 <= request.length) change = request.readUInt32BE(at + 4)
    at += 4 + len + ((4 - (len % 4)) % 4)
  }
  const reply = Buffer.alloc(32)
  reply.writeUInt16BE(0x0101, 0) // Binding Response
  reply.writeUInt16BE(12, 2)
  request.copy(reply, 4, 4, 20) // magic cookie + transaction id, as sent
  reply.writeUInt16BE(0x0001, 20) // MAPPED-ADDRESS
  reply.writeUInt16BE(8, 22)
  reply.writeUInt8(1, 25) // IPv4
  reply.writeUInt16BE(from.port, 26)
  from.address.split('.').forEach((b, i) => reply.writeUInt8(Number(b), 28 + i))
  return { reply, changeIp: (change & 4) !== 0, changePort: (change & 2) !== 0 }
}

await Promise.all(addresses.flatMap((address, a) => ports.map((port, p) => new Promise((resolve, reject) => {
  const socket = createSocket('udp4')
  socket.on('error', reject)
  socket.on('message', (msg, from) => {
    const res = answer(msg, from)
    if (res === null) return
    const via = sockets.get(`${res.changeIp ? 1 - a : a}:${res.changePort ? 1 - p : p}`)
    via.send(res.reply, from.port, from.address)
    out({ type: 'answered', from: `${from.address}:${from.port}`, changeIp: res.changeIp, changePort: res.changePort })
  })
  socket.bind(port, address, () => { sockets.set(`${a}:${p}`, socket); resolve() })
}))))
out({ type: 'ready' })
process.stdin.resume()
process.stdin.on('end', () => process.exit(0))
