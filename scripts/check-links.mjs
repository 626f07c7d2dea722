#!/usr/bin/env node
// Run by `pnpm lint` (lint:repo): every relative link and `#anchor` in the repo's Markdown files
// must resolve, so that the READMEs and docs do not point at files that moved or headings that
// were renamed. External links (https:, mailto:) are not fetched: CI must not depend on the network.
// Anchors are compared with the slugs GitHub gives headings (lower case, punctuation dropped,
// spaces to hyphens, `-1`, `-2` for repeats).
import { existsSync, readFileSync, readdirSync, statSync } from 'node:fs'
import { dirname, join, relative, resolve } from 'node:path'
import { fileURLToPath } from 'node:url'

const root = resolve(dirname(fileURLToPath(import.meta.url)), '..')
const skipDirs = new Set(['node_modules', 'dist', 'coverage', '.git', '.turbo'])

function markdownFiles (dir) {
  const out = []
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    if (entry.isDirectory()) {
      if (!skipDirs.has(entry.name)) out.push(...markdownFiles(join(dir, entry.name)))
    } else if (entry.name.endsWith('.md')) {
      out.push(join(dir, entry.name))
    }
  }
  return out
}

/** The file's lines with fenced code blocks blanked (kept as empty lines so numbers stay right). */
function proseLines (text) {
  let fence = null
  return text.split('\n').map((line) => {
    const open = /^ {0,3}(`{3,}|~{3,})/.exec(line)
    if (fence === null && open) {
      fence = open[1]
      return ''
    }
    if (fence !== null) {
      if (line.trim().startsWith(fence[0].repeat(fence.length)) && line.trim().replace(/[`~]/g, '') === '') fence = null
      return ''
    }
    return line
  })
}

/** Replaces inline code spans with `replace(content)`. */
function mapCodeSpans (line, replace) {
  return line.replace(/(`+)([\s\S]*?[^`])\1(?!`)/g, (_, ticks, content) => replace(content.trim()))
}

/** GitHub's heading slug (github-slugger): lower case, drop punctuation and symbols, spaces to `-`. */
function slug (heading) {
  const codes = []
  let text = mapCodeSpans(heading, (content) => `\uE000${codes.push(content) - 1}\uE000`)
  text = text
    .replace(/!\[([^\]]*)\]\([^)]*\)/g, '$1') // images: their alt text
    .replace(/\[([^\]]*)\](\([^)]*\)|\[[^\]]*\])/g, '$1') // links: their text
    .replace(/<[^>]+>/g, '') // inline HTML
    .replace(/(\*\*|__|\*|_|~~)(?=\S)([\s\S]*?\S)\1/g, '$2') // emphasis markers
    .replace(/\uE000(\d+)\uE000/g, (_, i) => codes[Number(i)])
  return text.trim().toLowerCase().replace(/[^\p{L}\p{M}\p{N}\p{Pc} -]/gu, '').replace(/ /g, '-')
}

const anchorCache = new Map()

/** Every anchor a Markdown file offers: heading slugs (with GitHub's -1, -2 for repeats) and HTML ids. */
function anchorsOf (file) {
  if (anchorCache.has(file)) return anchorCache.get(file)
  const anchors = new Set()
  const seen = new Map()
  const add = (base) => {
    const n = seen.get(base) ?? 0
    seen.set(base, n + 1)
    anchors.add(n === 0 ? base : `${base}-${n}`)
  }
  const lines = proseLines(readFileSync(file, 'utf8'))
  lines.forEach((line, i) => {
    const atx = /^ {0,3}#{1,6}(?:[ \t]+(.*?))?(?:[ \t]+#+)?[ \t]*$/.exec(line)
    if (atx) add(slug(atx[1] ?? ''))
    else if (/^ {0,3}(=+|-+)[ \t]*$/.test(line) && i > 0 && lines[i - 1].trim() !== '' && !/^ {0,3}([#>*+-]|\d+[.)]|\|)/.test(lines[i - 1])) add(slug(lines[i - 1].trim()))
    for (const m of line.matchAll(/<[a-z]+\s[^>]*\b(?:id|name)="([^"]+)"/gi)) anchors.add(m[1])
  })
  anchorCache.set(file, anchors)
  return anchors
}

/** `[text](target)`, `![alt](target)`, `[ref]: target` and HTML href/src, with their line numbers. */
function linksOf (file) {
  const links = []
  proseLines(readFileSync(file, 'utf8')).forEach((raw, i) => {
    const line = mapCodeSpans(raw, () => 'code')
    for (const m of line.matchAll(/\]\(\s*(<[^>]*>|[^)\s]*(?:\([^)\s]*\)[^)\s]*)*)/g)) links.push({ target: m[1].replace(/^<|>$/g, ''), line: i + 1 })
    const def = /^ {0,3}\[[^\]]+\]:\s*(<[^>]*>|\S+)/.exec(line)
    if (def) links.push({ target: def[1].replace(/^<|>$/g, ''), line: i + 1 })
    for (const m of line.matchAll(/\b(?:href|src)="([^"]*)"/g)) links.push({ target: m[1], line: i + 1 })
  })
  return links
}

/** Why `target` (linked from `file`) does not resolve, or null when it does. */
function problem (file, target) {
  if (/^[a-z][a-z0-9+.-]*:/i.test(target) || target.startsWith('//')) return null // external
  const hash = target.indexOf('#')
  const path = decodeURI(hash === -1 ? target : target.slice(0, hash)).replace(/\?.*$/, '')
  const anchor = hash === -1 ? null : decodeURIComponent(target.slice(hash + 1))
  const dest = path === '' ? file : path.startsWith('/') ? join(root, path) : resolve(dirname(file), path)
  if (!existsSync(dest)) return `${relative(root, dest)} does not exist`
  if (anchor === null || anchor === '') return null
  if (statSync(dest).isDirectory()) return `${relative(root, dest)} is a directory, it has no #${anchor}`
  if (!dest.endsWith('.md')) return /^L\d+(-L\d+)?$/.test(anchor) ? null : `#${anchor}: only line anchors (#L12) work in ${relative(root, dest)}`
  return anchorsOf(dest).has(anchor) ? null : `${relative(root, dest)} has no heading for #${anchor}`
}

const failures = []
const files = markdownFiles(root)
let checked = 0
for (const file of files) {
  for (const { target, line } of linksOf(file)) {
    checked++
    const why = problem(file, target)
    if (why !== null) failures.push(`${relative(root, file)}:${line}: ${target}: ${why}`)
  }
}
if (failures.length > 0) {
  console.error(`broken links:\n${failures.join('\n')}`)
  process.exit(1)
}
console.log(`links ok: ${checked} links in ${files.length} Markdown files`)
