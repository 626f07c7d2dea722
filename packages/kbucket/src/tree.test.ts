import { describe, expect, test } from 'vitest'
import { bitAt, childFor, createLeaf, indexOfId, splitLeaf } from './tree.js'

const bytes = (...values: number[]): Uint8Array => Uint8Array.from(values)

describe('bitAt', () => {
  test('reads bits most significant first', () => {
    const id = bytes(0b1010_0000, 0b0000_0001)
    expect([0, 1, 2, 3].map((i) => bitAt(id, i))).toStrictEqual([1, 0, 1, 0])
    expect(bitAt(id, 14)).toBe(0)
    expect(bitAt(id, 15)).toBe(1)
  })

  test('reads bits past the end of the id as 0', () => {
    expect(bitAt(bytes(0xff), 8)).toBe(0)
    expect(bitAt(bytes(0xff), 13)).toBe(0)
    expect(bitAt(bytes(), 0)).toBe(0)
  })
})

describe('splitLeaf', () => {
  test('moves contacts by their bit at the depth, keeping order, and marks the far side', () => {
    const node = createLeaf<{ id: Uint8Array }>()
    const ids = [bytes(0x80), bytes(0x00), bytes(0xc0), bytes(0x40)]
    for (const id of ids) node.contacts!.push({ id })
    splitLeaf(node, 0, bytes(0x7f))
    expect(node.contacts).toBeNull()
    expect(node.left!.contacts!.map((c) => c.id[0])).toStrictEqual([0x00, 0x40])
    expect(node.right!.contacts!.map((c) => c.id[0])).toStrictEqual([0x80, 0xc0])
    expect(node.left!.dontSplit).toBe(false)
    expect(node.right!.dontSplit).toBe(true)
    expect(childFor(node, bytes(0x90), 0)).toBe(node.right)
    expect(indexOfId(node.right!, bytes(0xc0))).toBe(1)
    expect(indexOfId(node.right!, bytes(0xc1))).toBe(-1)

    splitLeaf(node.left!, 1, bytes(0x7f))
    expect(node.left!.left!.dontSplit).toBe(true)
    expect(node.left!.right!.dontSplit).toBe(false)
  })
})
