import { describe, expect, it } from '@jest/globals';
import { Batcher, PUT_LOG_EVENTS_LIMITS, eventTimestamp, parseHeaderTimestamp } from '../../../src/agent/batcher.js';
import type { Batch } from '../../../src/agent/types.js';
import { logRecord, waitFor } from './helpers.js';

const NOW = Date.UTC(2026, 10, 26, 12, 0, 0);
const HOUR = 60 * 60 * 1000;

function collectingBatcher(options: { flushIntervalMs?: number } = {}): { batcher: Batcher; batches: Batch[]; truncated: number[] } {
  const batches: Batch[] = [];
  const truncated: number[] = [];
  const batcher = new Batcher({
    onBatch: (batch) => batches.push(batch),
    onEventTruncated: (bytes) => truncated.push(bytes),
    flushIntervalMs: options.flushIntervalMs ?? 60_000,
    now: () => NOW,
  });
  return { batcher, batches, truncated };
}

const batchBytes = (batch: Batch | undefined): number =>
  (batch?.events ?? []).reduce((sum, event) => sum + Buffer.byteLength(event.message) + PUT_LOG_EVENTS_LIMITS.perEventOverheadBytes, 0);

describe('Class: Batcher', () => {
  describe('Method: add', () => {
    it('splits 10,001 events into a batch of 10,000 and a batch of 1', () => {
      // Prepare
      const { batcher, batches } = collectingBatcher();

      // Act
      for (let i = 0; i < 10_001; i += 1) batcher.add(logRecord(`line ${i}`, i + 1, NOW));
      batcher.flush();
      batcher.stop();

      // Assess
      expect(batches.map((batch) => batch.events.length)).toEqual([10_000, 1]);
      expect(batches[0]?.through.offset).toBe(10_000);
      expect(batches[1]?.events[0]?.message).toBe('line 10000');
    });

    it('fills a batch to exactly 1,048,576 bytes counting 26 bytes of overhead per event', () => {
      // Prepare: 8 events of 131,046 bytes + 26 overhead = 8 × 131,072 = 1,048,576.
      const { batcher, batches } = collectingBatcher();

      // Act
      for (let i = 0; i < 8; i += 1) batcher.add(logRecord(String(i).repeat(131_046), i + 1, NOW));
      batcher.add(logRecord('next', 9, NOW));
      batcher.flush();

      // Assess
      expect(batches.map((batch) => batch.events.length)).toEqual([8, 1]);
      expect(batches[0]?.bytes).toBe(1_048_576);
      expect(batchBytes(batches[0])).toBe(1_048_576);
    });

    it('starts a new batch when one more byte would pass 1,048,576', () => {
      // Prepare
      const { batcher, batches } = collectingBatcher();

      // Act
      for (let i = 0; i < 7; i += 1) batcher.add(logRecord('a'.repeat(131_046), i + 1, NOW));
      batcher.add(logRecord('b'.repeat(131_047), 8, NOW));
      batcher.flush();

      // Assess
      expect(batches.map((batch) => batch.events.length)).toEqual([7, 1]);
      expect(batches.every((batch) => batchBytes(batch) <= PUT_LOG_EVENTS_LIMITS.maxBatchBytes)).toBe(true);
    });

    it('counts multi-byte characters by their UTF-8 size', () => {
      // Prepare: 'é' is 2 bytes, so 65,523 of them make a 131,046-byte message.
      const { batcher, batches } = collectingBatcher();

      // Act
      for (let i = 0; i < 9; i += 1) batcher.add(logRecord('é'.repeat(65_523), i + 1, NOW));
      batcher.flush();

      // Assess
      expect(batches.map((batch) => batch.events.length)).toEqual([8, 1]);
    });

    it('sorts events chronologically, keeping file order for equal timestamps, and checkpoints at the last record read', () => {
      // Prepare
      const { batcher, batches } = collectingBatcher();

      // Act
      batcher.add(logRecord('[2026-11-26T11:00:02.000Z] third', 10, NOW));
      batcher.add(logRecord('[2026-11-26T11:00:01.000Z] first-a', 20, NOW));
      batcher.add(logRecord('[2026-11-26T11:00:01.000Z] first-b', 30, NOW));
      batcher.add(logRecord('[2026-11-26T11:00:01.500Z] second', 40, NOW));
      batcher.flush();

      // Assess
      expect(batches[0]?.events.map((event) => event.message.split('] ')[1])).toEqual(['first-a', 'first-b', 'second', 'third']);
      expect(batches[0]?.through.offset).toBe(40);
    });

    it('never lets one batch span more than 24 hours', () => {
      // Prepare
      const { batcher, batches } = collectingBatcher();

      // Act
      batcher.add(logRecord('2026-11-20T10:00:00Z old', 1, NOW));
      batcher.add(logRecord('2026-11-21T10:00:00Z exactly a day later', 2, NOW));
      batcher.add(logRecord('2026-11-21T10:00:00.001Z a day and a millisecond', 3, NOW));
      batcher.flush();

      // Assess
      expect(batches.map((batch) => batch.events.length)).toEqual([2, 1]);
    });

    it('truncates a message over 256 KiB with a marker, at a character boundary', () => {
      // Prepare
      const { batcher, batches, truncated } = collectingBatcher();

      // Act
      batcher.add(logRecord('ü'.repeat(200_000), 1, NOW));
      batcher.flush();

      // Assess
      const message = batches[0]?.events[0]?.message ?? '';
      expect(Buffer.byteLength(message) + PUT_LOG_EVENTS_LIMITS.perEventOverheadBytes).toBeLessThanOrEqual(PUT_LOG_EVENTS_LIMITS.maxEventBytes);
      expect(message).toMatch(/^ü+…\[truncated \d+ bytes\]$/);
      expect(message).not.toContain('\uFFFD');
      expect(truncated).toHaveLength(1);
      const kept = Buffer.byteLength(message.slice(0, message.indexOf('…')));
      expect(kept + (truncated[0] ?? 0)).toBe(400_000);
    });
  });

  describe('Method: flush timer', () => {
    it('seals a partly filled batch after flushIntervalMs', async () => {
      // Prepare
      const { batcher, batches } = collectingBatcher({ flushIntervalMs: 20 });

      // Act
      batcher.add(logRecord('only one', 9, NOW));
      await waitFor(() => batches.length === 1, 'the timed flush');
      batcher.stop();

      // Assess
      expect(batches[0]?.events.map((event) => event.message)).toEqual(['only one']);
    });
  });
});

describe('Function: eventTimestamp', () => {
  const readAt = NOW - 1234;

  it('uses the header timestamp when it is inside the accepted window', () => {
    expect(eventTimestamp('[2026-11-26T11:59:00.250Z] [ERROR] x', readAt, NOW)).toBe(NOW - 59_750);
  });

  it('falls back to the read time for a header more than 2 hours in the future', () => {
    expect(eventTimestamp('2026-11-26T14:00:01Z ERROR x', readAt, NOW)).toBe(readAt);
  });

  it('falls back to the read time for a header more than 14 days old', () => {
    expect(eventTimestamp('2026-11-12T11:59:59Z ERROR x', readAt, NOW)).toBe(readAt);
  });

  it('falls back to the read time when the header has no timestamp', () => {
    expect(eventTimestamp('Nov 26 12:00:00 kiosk pos: x', readAt, NOW)).toBe(readAt);
  });
});

describe('Function: parseHeaderTimestamp', () => {
  it('applies an explicit zone offset', () => {
    expect(parseHeaderTimestamp('2026-11-26 13:30:00,500+01:30 WARN')).toBe(Date.UTC(2026, 10, 26, 12, 0, 0, 500));
  });

  it('reads a zone-less header as local time', () => {
    expect(parseHeaderTimestamp('2026-11-26 12:00:00.123 INFO')).toBe(new Date(2026, 10, 26, 12, 0, 0, 123).getTime());
  });

  it('rejects a date that does not exist', () => {
    expect(parseHeaderTimestamp('2026-02-31T12:00:00Z')).toBeUndefined();
  });
});
