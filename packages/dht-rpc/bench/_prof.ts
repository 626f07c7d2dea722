import { pingRound } from './ping.js'
const c = (process.argv[2] ?? 'ours') as any
for (let i = 0; i < 3; i++) { const s = await pingRound(c, { seconds: 2 }); console.log(c, Math.round(s.rate), s.cpuPerPing.toFixed(1)) }
