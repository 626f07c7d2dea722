// Reads a .heapsnapshot (bench/heap-snapshot.ts) and prints where the memory is:
//   node bench/heap-breakdown.mjs /tmp/ours-500.heapsnapshot 500
// 1. self size by node type and constructor name;
// 2. self size by owner: every object is charged to the nearest instance of one of our classes
//    on its shortest path from the GC roots, with the property names that lead there
//    (e.g. `RoutingTable.#nodes > Map`).
// Sizes are divided by the node count given (KB per DHT node).
import { readFileSync } from 'node:fs'

const file = process.argv[2]
const per = Number(process.argv[3] ?? 1)
const top = Number(process.argv[4] ?? 40)
const snap = JSON.parse(readFileSync(file, 'utf8'))
const meta = snap.snapshot.meta
const nf = meta.node_fields
const ef = meta.edge_fields
const NF = nf.length
const EF = ef.length
const nodeTypes = meta.node_types[0]
const edgeTypes = meta.edge_types[0]
const { nodes, edges, strings } = snap
const N = nodes.length / NF
const iType = nf.indexOf('type')
const iName = nf.indexOf('name')
const iSelf = nf.indexOf('self_size')
const iEdges = nf.indexOf('edge_count')
const eType = ef.indexOf('type')
const eName = ef.indexOf('name_or_index')
const eTo = ef.indexOf('to_node')

const firstEdge = new Uint32Array(N + 1)
for (let i = 0, e = 0; i < N; i++) {
  firstEdge[i] = e
  e += nodes[i * NF + iEdges] * EF
}
firstEdge[N] = edges.length

const typeOf = (i) => nodeTypes[nodes[i * NF + iType]]
const nameOf = (i) => strings[nodes[i * NF + iName]]
const selfOf = (i) => nodes[i * NF + iSelf]
const edgeName = (e) => {
  const t = edgeTypes[edges[e + eType]]
  const n = edges[e + eName]
  return t === 'element' || t === 'hidden' ? '[]' : String(strings[n])
}

let total = 0
const byName = new Map()
for (let i = 0; i < N; i++) {
  const s = selfOf(i)
  total += s
  let name = nameOf(i)
  const t = typeOf(i)
  if (t === 'string' || t === 'concatenated string' || t === 'sliced string') name = '(string)'
  if (t === 'code') name = '(code)'
  if (t === 'number') name = '(heap number)'
  const k = `${t}: ${name.slice(0, 60)}`
  const r = byName.get(k) ?? { size: 0, count: 0 }
  r.size += s
  r.count++
  byName.set(k, r)
}

// Shortest-path tree from the root over strong edges.
const parent = new Int32Array(N).fill(-1)
const parentEdge = new Int32Array(N).fill(-1)
const queue = new Uint32Array(N)
let head = 0
let tail = 0
queue[tail++] = 0
parent[0] = 0
while (head < tail) {
  const i = queue[head++]
  for (let e = firstEdge[i]; e < firstEdge[i + 1]; e += EF) {
    const t = edgeTypes[edges[e + eType]]
    if (t === 'weak' || t === 'shortcut') continue
    const to = edges[e + eTo] / NF
    if (parent[to] !== -1) continue
    parent[to] = i
    parentEdge[to] = e
    queue[tail++] = to
  }
}

const generic = new Set(['Object', 'Array', 'Map', 'Set', 'WeakMap', 'WeakSet', 'Promise', 'Function', 'Uint8Array', 'Buffer', 'ArrayBuffer', 'Error', 'system / Context', 'Timeout', 'TimersList', 'EventEmitter'])
const isOwner = (i) => typeOf(i) === 'object' && /^[A-Z]/.test(nameOf(i)) && !generic.has(nameOf(i))
const DEPTH = Number(process.env.DEPTH ?? 2)
const byOwner = new Map()
const byOwnerClass = new Map()
for (let i = 0; i < N; i++) {
  if (parent[i] === -1) continue
  const path = []
  let j = i
  let steps = 0
  while (j !== 0 && !(isOwner(j) && j !== i) && steps < 200) {
    path.push(edgeName(parentEdge[j]))
    j = parent[j]
    steps++
  }
  const owner = j === 0 ? '(root)' : nameOf(j)
  const via = path.reverse().slice(0, DEPTH).join('.')
  const k = `${owner}.${via}  <${typeOf(i) === 'object' || typeOf(i) === 'native' ? nameOf(i).slice(0, 30) : typeOf(i)}>`
  const r = byOwner.get(k) ?? { size: 0, count: 0 }
  r.size += selfOf(i)
  r.count++
  byOwner.set(k, r)
  const c = byOwnerClass.get(owner) ?? { size: 0, count: 0 }
  c.size += selfOf(i)
  c.count++
  byOwnerClass.set(owner, c)
}

const kb = (b) => (b / per / 1024).toFixed(2).padStart(8)
const print = (title, map) => {
  console.log(`\n== ${title}`)
  for (const [k, r] of [...map].sort((a, b) => b[1].size - a[1].size).slice(0, top)) {
    console.log(`${kb(r.size)} KB  ${String(r.count / per).padStart(8).slice(0, 8)} /node  ${k}`)
  }
}
console.log(`total self size ${(total / 1048576).toFixed(1)} MB, ${kb(total)} KB per node`)
print('by type and name', byName)
print('by owner', byOwner)
print('by owning class', byOwnerClass)
