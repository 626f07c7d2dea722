export { DHT, forwardWhileListened, type DHTEvents, type ForwardSource, type DirectRequest, type DirectRequestOptions, type DirectResponse, type PingResult, type SignalOptions } from './dht.js'
export type { Interceptor } from '@hyperdht-ts/udp-request'
export { Query, type QueryEvents } from './query/query.js'
export { DHTError, type DHTErrorCode, type DHTErrorOptions } from './errors.js'
export type { DatagramSocket, Logger, LogFields } from '@hyperdht-ts/udp-request'
export type { DHTStats, CommandStats, DroppedStats, GuardSnapshot } from './io/stats.js'
export { DEFAULT_AMPLIFICATION, DEFAULT_RATE_LIMIT, type AmplificationOptions, type RateLimitOptions } from './io/guard.js'
export type { RoutingTableStats, BucketStats, PrefixShare, DiversityLimits } from './routing/table.js'
export { requestEncoding, responseEncoding, type RequestMessage, type ResponseMessage, type MessageEncoding } from './messages/codec.js'
export { bytesEqual, toHex } from './bytes.js'
export { RateLimiter } from './io/rate-limit.js'
export {
  K, ID_LENGTH, DEFAULT_CONCURRENCY, DEFAULT_MAX_INFLIGHT, DEFAULT_TIMEOUT, DEFAULT_MAX_QUEUE, MAX_VALUE_SIZE, PING, FIND_NODE
} from './constants.js'
export type {
  BootstrapResult, CommandHandlers, CommandReply, CommandRequest, DHTOptions, Node, NodeInfo, Peer, QueryMessage, QueryOptions,
  QueryResult, UpdateOptions
} from './types.js'
