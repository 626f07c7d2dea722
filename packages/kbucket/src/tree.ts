// The binary tree behind a KBucket: inner nodes branch on one id bit, leaves hold contacts.
import { idEquals } from './distance.js'
import { INDEX_MIN, LeafIndex } from './leaf-index.js'
import type { Contact } from './types.js'

export interface TreeNode<T extends Contact> {
  /** Contacts of a leaf, least recently seen first; `null` marks an inner node. */
  contacts: T[] | null
  /** Set on the far child of every split: this bucket never splits, it pings instead. */
  dontSplit: boolean
  /** Child for ids whose bit at this depth is 0 (inner nodes only). */
  left: TreeNode<T> | null
  /** Child for ids whose bit at this depth is 1 (inner nodes only). */
  right: TreeNode<T> | null
  /** A leaf's contacts by id, once it held `INDEX_MIN` of them (kept until it splits). */
  index: LeafIndex<T> | null
}

export function createLeaf<T extends Contact> (): TreeNode<T> {
  return { contacts: [], dontSplit: false, left: null, right: null, index: null }
}

/** Bit `bitIndex` of `id`, most significant first; bits past the end of the id read as 0. */
export function bitAt (id: Uint8Array, bitIndex: number): number {
  const byte = bitIndex >> 3
  if (byte >= id.length) return 0
  return (id[byte]! >> (7 - (bitIndex & 7))) & 1
}

/** The child of inner node `node` (at depth `depth`) whose subtree covers `id`. */
export function childFor<T extends Contact> (node: TreeNode<T>, id: Uint8Array, depth: number): TreeNode<T> {
  return (bitAt(id, depth) === 1 ? node.right : node.left)!
}

/** Index of the contact with id `id` in the contacts of `leaf`, or -1. */
export function indexOfId<T extends Contact> (leaf: TreeNode<T>, id: Uint8Array): number {
  const contacts = leaf.contacts!
  if (leaf.index !== null) {
    const contact = leaf.index.get(id)
    // the most recently seen are at the end, and they are the likeliest to be seen again
    return contact === undefined ? -1 : contacts.lastIndexOf(contact)
  }
  for (let i = 0; i < contacts.length; i++) {
    if (idEquals(contacts[i]!.id, id)) return i
  }
  return -1
}

/** Appends `contact` (an id `leaf` does not hold) to the contacts of `leaf`. */
export function pushContact<T extends Contact> (leaf: TreeNode<T>, contact: T): void {
  const contacts = leaf.contacts!
  contacts.push(contact)
  if (leaf.index !== null) leaf.index.add(contact)
  else if (contacts.length >= INDEX_MIN) leaf.index = LeafIndex.of(contacts)
}

/** Removes the contact at `position` of the contacts of `leaf`; returns it. */
export function removeAt<T extends Contact> (leaf: TreeNode<T>, position: number): T {
  const [contact] = leaf.contacts!.splice(position, 1)
  leaf.index?.delete(contact!)
  return contact!
}

/**
 * Turns full leaf `node` at `depth` into an inner node, moving its contacts (in order) into two
 * new leaves by their bit at `depth`. The leaf that does not cover `localNodeId` is marked
 * `dontSplit`, so only the buckets along the local id's path ever split.
 */
export function splitLeaf<T extends Contact> (node: TreeNode<T>, depth: number, localNodeId: Uint8Array): void {
  const left = createLeaf<T>()
  const right = createLeaf<T>()
  for (const contact of node.contacts!) pushContact(bitAt(contact.id, depth) === 1 ? right : left, contact)
  if (bitAt(localNodeId, depth) === 1) left.dontSplit = true
  else right.dontSplit = true
  node.contacts = null
  node.index = null
  node.left = left
  node.right = right
}
