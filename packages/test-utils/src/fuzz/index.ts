export { Prng, envCount, fuzzSeed } from './prng.js'
export { EDGE_SIZES, byteOp, mutate, structuredOp, type MutateOptions, type Mutant } from './mutate.js'
export { concatBytes, lengthDelimited, overlongVarint, readVarint, scanProto, splice, varint, type ProtoField, type ProtoScan } from './proto.js'
export { corpusEntry, loadCorpus, type CorpusCase } from './corpus.js'
export { heapAfterGc, udpCounters, type UdpCounters } from './system.js'
export { guardedSocket, isLoopback, type GuardedSocket } from './guard.js'
export {
  datagramStream, fuzzPackets, fuzzSourceHost, isFuzzSourceHost,
  type DatagramStreamOptions, type FuzzDatagram, type PacketFuzzOptions, type PacketFuzzResult
} from './packets.js'
export {
  DATAGRAM_REASONS, accountDrops, fuzzRunConfig, rawFindNode, replayLine, settled, withFailureReport, writeFuzzReport,
  type FuzzAccount, type FuzzRunConfig, type NodeStatsLike, type RawCodecs
} from './live.js'
