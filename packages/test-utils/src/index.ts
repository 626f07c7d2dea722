export { loopbackHost } from './loopback.js'
export { recordingLogger, spyOnOutput, type LogEntry, type LogLevel, type OutputSpy, type RecordingLogger } from './logger.js'
export { seededRandom } from './random.js'
export { resourceCensus, type ResourceCensus } from './resources.js'
export { runScript, type ScriptOutcome } from './script.js'
export { sleep, waitFor } from './wait.js'
export * from './fuzz/index.js'
export {
  RawPeer, closeAll, forge, frameBody, frameTid, isRequestFrame, median, pacedStream, reflection, requestFrame, responseFrame,
  type Endpoint, type ForgingNetwork, type PacedStreamOptions, type ReflectionOptions, type ReflectionResult, type ReflectionSource
} from './attack.js'
