export { UDPRequest, internHost } from './udp-request.js'
export { withResolvers, type Resolvers } from './resolvers.js'
export { UDPRequestError } from './errors.js'
export type { UDPRequestErrorCode, UDPRequestErrorOptions } from './errors.js'
export { passthrough } from './encoding.js'
export {
  DEFAULT_TIMEOUT, HEADER_BYTES, INITIAL_TICKS, REQUEST_BIT, RETRY_TICKS, SUBTICKS, TICKS_PER_TIMEOUT, TID_LIMIT
} from './constants.js'
export type {
  DatagramSocket, Encoding, Interceptor, LocalAddress, LogFields, Logger, Peer, RemoteInfo, RequestOptions, RequestPeer, RequestResult,
  ResponseHandler, UDPRequestEvents, UDPRequestOptions, UDPRequestStats
} from './types.js'
