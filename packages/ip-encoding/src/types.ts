/** An IP address (canonical text form when decoded) and a port in 1..65535. */
export interface Peer {
  host: string
  port: number
}

/** A DHT node: its id followed by its address. */
export type NodeAddress = Peer & { id: Uint8Array }

/** An IP family: 4 or 6. */
export type Family = 4 | 6

/** A codec between a list of fixed-size entries and their concatenated bytes. */
export interface Codec<T> {
  /** Bytes of one encoded entry. */
  readonly bytesPerEntry: number
  /** Encodes a list as the concatenation of its entries. */
  encode (list: readonly T[]): Uint8Array
  /** Decodes a concatenation of entries; the length must be a whole number of entries. */
  decode (bytes: Uint8Array): T[]
  /** Bytes `encode(list)` produces. */
  encodingLength (list: readonly T[]): number
  /** Encodes one entry. */
  encodeOne (item: T): Uint8Array
  /** Decodes the entry starting at `offset` (default 0); bytes after it are ignored. */
  decodeOne (bytes: Uint8Array, offset?: number): T
}

/** A {@link Codec} that can also write into a caller's buffer. */
export interface BufferCodec<T> extends Codec<T> {
  /** The IP family of the addresses. */
  readonly family: Family
  /**
   * Writes `encode(list)` into `target` at `offset` (default 0) without allocating and returns
   * the number of bytes written. Throws `INVALID_LENGTH` if `target` is too small.
   */
  encodeInto (list: readonly T[], target: Uint8Array, offset?: number): number
}

/** Codec of address-only peers. */
export interface PeerCodec extends BufferCodec<Peer> {}

/** Codec of nodes (id + address). */
export interface NodeCodec extends BufferCodec<NodeAddress> {
  /** Bytes of a node id. */
  readonly idLength: number
}

/** Options of {@link nodeCodec}. */
export interface NodeCodecOptions {
  /** Bytes of a node id, an integer ≥ 1 (32 in the DHT). */
  idLength: number
  /**
   * IP family of the addresses.
   * @default 4
   */
  family?: Family
}

/**
 * The /16 prefix a LAN peer is rebuilt from: a 6-byte encoded IPv4 peer, a 4-byte IPv4
 * address, its first 2 bytes, an IPv4 host string or a {@link Peer}. Only the first two
 * octets are used (the port of a 6-byte peer is ignored, so it may be 0).
 */
export type LanPrefix = Uint8Array | string | Peer
