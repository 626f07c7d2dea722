#!/usr/bin/env node
import { listenForSignals } from './signals.js'

// Listening for SIGINT/SIGTERM before the rest of the command (commander, the DHT libraries) is
// loaded: until a listener exists a signal kills the process outright, and a supervisor may send
// one at any time, for instance right after the first line it waited for.
listenForSignals()
const { run } = await import('./program.js')

const code = await run(process.argv.slice(2), {
  env: process.env,
  stdout: process.stdout,
  stderr: process.stderr,
  stdin: process.stdin
})
// Commands destroy what they started, so the process could exit by itself; exiting explicitly
// (once stdout and stderr are flushed: writes to a pipe are asynchronous) makes sure the exit
// code is the command's even if some handle lingers.
await Promise.all([process.stdout, process.stderr].map(async (s) => await new Promise((resolve) => s.write('', resolve))))
process.exit(code)
