export { Lab } from './lab.js'
export { LabProcess } from './lab-process.js'
export type { ExitInfo, JsonMessage, LabProcessEvents, WaitOptions } from './lab-process.js'
export { UdpAgent, AgentSocket, UDP_AGENT_PATH, sameEndpoint } from './udp-agent.js'
export type { BindOptions, Datagram, RetryOptions } from './udp-agent.js'
export { checkSupport, requireRoot } from './support.js'
export type { Support } from './support.js'
export { sweepStale } from './registry.js'
export { NetlabError } from './errors.js'
export type { NetlabErrorCode, NetlabErrorOptions } from './errors.js'
export type {
  Endpoint, ExecOptions, FlushMethod, FlushOptions, ForwardOptions, HostOptions, LabHost, LabNode, LabOptions,
  LabRouter, Logger, NatKind, PortForward, RouterOptions, SpawnOptions
} from './types.js'
export type { RunResult } from './run.js'
