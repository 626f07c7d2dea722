import { pingRound } from './ping.js'
const rounds = Number(process.argv[2] ?? 6)
const r: Record<string, number[]> = { bare: [], ours: [] }
const c: Record<string, number[]> = { bare: [], ours: [] }
for (let i = 0; i < rounds; i++) for (const k of ['bare', 'ours'] as const) { const s = await pingRound(k, { seconds: 1.5 }); r[k]!.push(s.rate); c[k]!.push(s.cpuPerPing) }
const med = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!
console.log('bare', Math.round(med(r.bare!)), med(c.bare!).toFixed(2), 'ours', Math.round(med(r.ours!)), med(c.ours!).toFixed(2), 'ratio', (med(r.ours!) / med(r.bare!)).toFixed(3), 'per-round', r.ours!.map((x, i) => (x / r.bare![i]!).toFixed(2)).join(' '))
