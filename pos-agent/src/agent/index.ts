// Public surface of the kiosk agent.
export { PosAgent, AgentConfigSchema, parseAgentConfig, DEFAULT_LOG_GROUP } from './agent.js';
export type { AgentConfig, AgentDeps, AgentStats, ResolvedAgentConfig } from './agent.js';
export { runAgentCli, statusLine, AGENT_USAGE } from './cli.js';
export type { AgentCliIo } from './cli.js';
export { AgentError, AgentConfigError, AgentAbortedError } from './errors.js';
export type { AgentErrorCode } from './errors.js';
export { FileTailer, looksBinary, DEFAULT_MAX_LINE_BYTES } from './tailer.js';
export type { TailerOptions, StartDecision } from './tailer.js';
export { MultilineAssembler, DEFAULT_MULTILINE_START_PATTERN } from './multiline.js';
export type { MultilineOptions } from './multiline.js';
export { Batcher, PUT_LOG_EVENTS_LIMITS, eventTimestamp, parseHeaderTimestamp } from './batcher.js';
export type { BatcherOptions } from './batcher.js';
export { CloudWatchShipper, classifyError, countRejectedEvents, createCloudWatchLogsClient } from './shipper.js';
export type { ShipOutcome, ShipperOptions, RetryNotice } from './shipper.js';
export { CheckpointStore, decideStart } from './checkpoint.js';
export type { Checkpoint, CheckpointLoad } from './checkpoint.js';
export { createRedactor } from './redaction.js';
export type { Batch, FileIdentity, FilePosition, LogEvent, LogRecord, Redactor, SkipReason, TailLine } from './types.js';
