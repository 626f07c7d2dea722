/**
 * `@hyperdht-ts/holepunch`: the pure parts of reaching peers behind NATs. NAT classification
 * from what remote nodes report, reachability verdicts from probe outcomes, the client/server
 * mode state machine, the punch plan for two peers, birthday-attempt helpers, and reliable
 * ordered messages over a punched datagram path. No sockets here: clocks, timers and sends are
 * injected, so hyperdht wires them to its socket and dht-rpc commands.
 */

// types and errors
export type { Cancel, Clock, ConnectionPath, CreateSocket, DatagramSocket, Logger, Mode, ModeSetting, NatType, Peer, Reachability, Schedule } from './types'
export type { HolepunchErrorCode, HolepunchErrorOptions } from './errors'
export { HolepunchError } from './errors'
export * from './constants'
export { defaultClock, defaultSchedule } from './timers'
export { seededRandom, type Random } from './random'

// NAT
export { classifyNat, remoteKey, UNKNOWN_NAT } from './nat/classifier'
export type { ClassifyNatOptions, NatSample, NatVerdict } from './nat/classifier'
export { NatSampler } from './nat/sampler'
export type { NatChange, NatSampleInput, NatSamplerEvents, NatSamplerOptions } from './nat/sampler'

// reachability
export { ReachabilityTracker } from './reachability/verdict'
export type { ProbeOutcome, ProbeReport, ReachabilityChange, ReachabilityTrackerEvents, ReachabilityTrackerOptions } from './reachability/verdict'

// mode
export { ModeController } from './mode/controller'
export type { ModeChange, ModeChangeReason, ModeControllerEvents, ModeControllerOptions, NatInput } from './mode/controller'
export { StallDetector } from './mode/stall-detector'
export type { StallDetectorOptions } from './mode/stall-detector'

// connections
export { decodeFrame, encodeFrame, FRAME_FLAG, FRAME_HEADER_BYTES, FRAME_TYPE, FRAME_VERSION, frameConnectionId, isFrame, unwrapSeq } from './connection/frame'
export type { Frame, FrameInput, FrameType } from './connection/frame'
export { RttEstimator } from './connection/rtt'
export type { RttEstimatorOptions } from './connection/rtt'
export { ReliableChannel } from './connection/reliable-channel'
export type { ChannelClose, ChannelState, ChannelStats, CloseReason, ReliableChannelEvents, ReliableChannelOptions } from './connection/reliable-channel'

// punching
export { commonPrefixBits, planPunch, rankLanAddresses } from './punch/strategy'
export type { BirthdayAttempt, DirectAttempt, HolepunchAttempt, LanAttempt, PlanPunchOptions, PunchAttempt, PunchPeerInfo, PunchPlan } from './punch/strategy'
export { BirthdayLimiter, birthdayFailureProbability, birthdayProbesForQuantile, birthdaySuccessProbability, portGuesses } from './punch/birthday'
export type { BirthdayAdmission, BirthdayLimiterOptions, BirthdayPermit, PortGuessOptions } from './punch/birthday'

// port mapping on the home router (NAT-PMP / UPnP)
export { checkPortMappingOptions, PortMapper, PORT_MAPPING_RETRY, PORT_MAPPING_TIMEOUT, PORT_MAPPING_TTL } from './port-mapping/index'
export type { PortMapperEvents, PortMapperOptions, PortMapping, PortMappingBackend, PortMappingBackendFactory, PortMappingChange, PortMappingOptions, PortMappingProtocol, PortMappingState } from './port-mapping/index'

// the wiring on a dht-rpc node: probes, mode, punching, connections
export { Holepuncher, Listener, SELF_PEER_MESSAGE } from './holepuncher'
export type { ConnectTarget, HolepuncherEvents, HolepuncherOptions, ListenerEvents, PunchResult } from './holepuncher'
export { Connection } from './connection/connection'
export type { ConnectionEvents } from './connection/connection'
export type { RouterStats } from './connection/router'
export { REACH_COMMAND, DIAL_COMMAND, DIALBACK_COMMAND } from './reachability/probe'
export { CONNECT_COMMAND, RELAY_COMMAND } from './punch/signal'
export type { AnnounceCheck } from './punch/signal'
