// A plausible AgentStats snapshot for the metrics and status-line tests.
import type { AgentStats } from '../../../src/agent/agent.js';

export function makeStats(overrides: Partial<AgentStats> = {}): AgentStats {
  return {
    linesRead: 120,
    recordsShipped: 100,
    batchesSent: 7,
    bytesShipped: 9_000,
    linesTruncated: 1,
    linesSkipped: { binary: 2, blank: 3, 'redact-failed': 0 },
    truncations: 0,
    rotations: 1,
    retries: 4,
    eventsRejected: 0,
    batchesDropped: 0,
    eventsDropped: 0,
    checkpointFailures: 0,
    lastShipAt: 1_764_158_400_000,
    bufferCorruptFrames: 0,
    bufferWriteFailures: 0,
    lagBytes: 512,
    pendingRecords: 5,
    pendingBytes: 600,
    redactions: { pan: 3, cvv: 1 },
    bufferedRecords: 2,
    bufferedBytes: 300,
    bufferDroppedRecords: 0,
    bufferDroppedBytes: 0,
    ...overrides,
  };
}
