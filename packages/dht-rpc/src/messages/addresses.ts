import { nodeCodec, peerCodec } from '@hyperdht-ts/ip-encoding'
import { ID_LENGTH } from '../constants.js'
import type { Node, Peer } from '../types.js'

/** Address codecs of one IP family (a network speaks one family at a time, PROTOCOL.md §4). */
export class AddressCodec {
  readonly family: 4 | 6
  readonly #peers
  readonly #nodes

  constructor (family: 4 | 6) {
    this.family = family
    this.#peers = peerCodec(family)
    this.#nodes = nodeCodec({ idLength: ID_LENGTH, family })
  }

  /** Bytes of one encoded node. */
  get nodeBytes (): number {
    return this.#nodes.bytesPerEntry
  }

  encodePeer (peer: Peer): Uint8Array {
    return this.#peers.encodeOne(peer) // reads host and port only
  }

  /** `encodePeer`, or `null` for an address this family cannot carry. */
  encodePeerOrNull (peer: Peer): Uint8Array | null {
    try {
      return this.#peers.encodeOne({ host: peer.host, port: peer.port })
    } catch {
      return null
    }
  }

  /** The peer in `bytes`, or `null` if they are not exactly one valid peer. */
  decodePeer (bytes: Uint8Array | null | undefined): Peer | null {
    if (!bytes || bytes.length !== this.#peers.bytesPerEntry) return null
    try {
      return this.#peers.decodeOne(bytes, 0)
    } catch {
      return null
    }
  }

  /** Encodes nodes, skipping any whose address does not fit this family. */
  encodeNodes (nodes: readonly Node[]): Uint8Array {
    try {
      return this.#nodes.encode(nodes.map(toNode))
    } catch {
      const ok: Node[] = []
      for (const n of nodes) {
        try {
          this.#nodes.encodeOne(toNode(n))
          ok.push(toNode(n))
        } catch {}
      }
      return this.#nodes.encode(ok)
    }
  }

  /**
   * Decodes a `nodes` field leniently, like the reference: a length that is not a whole number
   * of entries gives no nodes; an entry with an invalid address (e.g. port 0) is skipped.
   */
  decodeNodes (bytes: Uint8Array | null | undefined): Node[] {
    if (!bytes || bytes.length === 0) return []
    const size = this.#nodes.bytesPerEntry
    if (bytes.length % size !== 0) return []
    const out: Node[] = []
    for (let offset = 0; offset < bytes.length; offset += size) {
      try {
        const n = this.#nodes.decodeOne(bytes, offset)
        out.push({ id: n.id, host: n.host, port: n.port })
      } catch {}
    }
    return out
  }
}

function toNode (n: Node): Node {
  return { id: n.id, host: n.host, port: n.port }
}
