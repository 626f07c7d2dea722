export { loopbackHost } from './loopback.js'
export { recordingLogger, spyOnOutput, type LogEntry, type LogLevel, type OutputSpy, type RecordingLogger } from './logger.js'
export { sleep, waitFor } from './wait.js'
export * from './fuzz/index.js'
