// One line of the `pnpm bench` table: a figure of ours, measured in the same run as the
// reference implementation's and (where one exists) a bare baseline's.

export interface Row {
  /** Group the row belongs to, e.g. "udp-request" or "codecs". */
  group: string
  scenario: string
  /** Unit of ours / reference / bare, e.g. "req/s", "ops/s", "ms", "KB/node". */
  unit: string
  /** Whether more is better (rates) or worse (latencies, memory, requests per lookup). */
  higherIsBetter: boolean
  ours: number
  reference: number | null
  /** e.g. "dht-rpc@2.3.0" */
  referenceName: string | null
  bare: number | null
  /** JS heap bytes allocated per operation, where measured (see lib/allocations.ts). */
  allocs?: { ours?: number, reference?: number, bare?: number }
  /** CPU microseconds per operation, where measured. */
  cpu?: { ours?: number, reference?: number, bare?: number }
  /** Further figures kept in the JSON only (e.g. a third contender). */
  extra?: Record<string, number>
  /** Anything a reader needs to read the figures right (failures, losses). */
  note?: string
}

export function median (xs: number[]): number {
  const sorted = [...xs].sort((a, b) => a - b)
  return sorted.length === 0 ? NaN : sorted[Math.floor(sorted.length / 2)]!
}

export function ratio (a: number | null | undefined, b: number | null | undefined): string {
  if (a === null || a === undefined || b === null || b === undefined || b === 0 || !Number.isFinite(a / b)) return ''
  return `${(a / b).toFixed(2)}x`
}

function num (n: number | null | undefined): string {
  if (n === null || n === undefined || !Number.isFinite(n)) return ''
  const abs = Math.abs(n)
  if (abs >= 1000) return Math.round(n).toLocaleString('en-US')
  if (abs >= 100) return n.toFixed(0)
  if (abs >= 10) return n.toFixed(1)
  return n.toFixed(2)
}

function triple (t: { ours?: number, reference?: number, bare?: number } | undefined): string {
  if (t === undefined) return ''
  return [t.ours, t.reference, t.bare].map((v) => v === undefined ? '-' : num(v)).join(' / ')
}

/**
 * The table as text: rows grouped under a line naming the group and its reference, columns
 * padded, ratios computed here.
 */
export function formatTable (rows: Row[]): string {
  const header = ['scenario', 'unit', 'ours', 'reference', 'bare', 'ours/ref', 'ours/bare', 'ref/bare', 'alloc B/op ours/ref/bare', 'CPU µs/op ours/ref/bare']
  const cells = (r: Row): string[] => [
    '  ' + r.scenario + (r.note !== undefined ? ` [${r.note}]` : ''),
    r.unit + (r.higherIsBetter ? '' : ' (lower is better)'),
    num(r.ours),
    num(r.reference),
    num(r.bare),
    ratio(r.ours, r.reference),
    ratio(r.ours, r.bare),
    ratio(r.reference, r.bare),
    triple(r.allocs),
    triple(r.cpu)
  ]
  const body = rows.map(cells)
  const widths = header.map((h, c) => Math.max(h.length, ...body.map((l) => l[c]!.length)))
  const line = (l: string[]): string => l.map((cell, c) => c >= 2 ? cell.padStart(widths[c]!) : cell.padEnd(widths[c]!)).join(' | ').trimEnd()
  const out = [line(header), widths.map((w) => '-'.repeat(w)).join('-|-')]
  let group: string | null = null
  for (const [i, r] of rows.entries()) {
    const title = `${r.group}${r.referenceName !== null ? ` (reference: ${r.referenceName})` : ''}`
    if (title !== group) {
      out.push(title)
      group = title
    }
    out.push(line(body[i]!))
  }
  return out.join('\n')
}
