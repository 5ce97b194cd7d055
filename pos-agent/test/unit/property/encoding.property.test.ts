// Property-based tests of the agent's small codecs: UTF-8 cutting (never half a character, never over budget), the
// stable event id (the wire form ingest parses back, the same for the same origin) and the reading of PutLogEvents'
// rejectedLogEventsInfo (a count within the batch, whatever the service says).

import { describe, expect, it } from '@jest/globals';
import fc from 'fast-check';
import { splitStableId } from '../../../../functions/src/domain/event-id.js';
import { agentEventId, eventId, fileKey } from '../../../src/agent/event-id.js';
import { classifyError, countRejectedEvents, errorName } from '../../../src/agent/shipper.js';
import type { FileIdentity } from '../../../src/agent/types.js';
import { trimIncompleteUtf8Tail, truncateUtf8, truncationMarker } from '../../../src/agent/utf8.js';

const utf8 = (text: string) => Buffer.byteLength(text, 'utf8');
const decodesCleanly = (bytes: Uint8Array) => {
  try {
    new TextDecoder('utf-8', { fatal: true }).decode(bytes);
    return true;
  } catch {
    return false;
  }
};

describe('Property: trimIncompleteUtf8Tail', () => {
  it('cuts a valid UTF-8 prefix back to the longest whole-character prefix, dropping at most 3 bytes', () => {
    fc.assert(
      fc.property(fc.string({ unit: 'grapheme', maxLength: 60 }), fc.nat(), (text, cut) => {
        const bytes = Buffer.from(text, 'utf8');
        const prefix = bytes.subarray(0, cut % (bytes.length + 1));
        const kept = trimIncompleteUtf8Tail(prefix);
        expect(decodesCleanly(prefix.subarray(0, kept))).toBe(true);
        expect(prefix.length - kept).toBeLessThanOrEqual(3);
        // Longest: one byte more would either be the whole prefix or not decode.
        for (let longer = kept + 1; longer <= prefix.length; longer++) expect(decodesCleanly(prefix.subarray(0, longer))).toBe(false);
      }),
      { numRuns: 3_000 },
    );
  });

  it('on arbitrary bytes only ever removes an unfinished multi-byte sequence at the very end', () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 40 }), (bytes) => {
        const kept = trimIncompleteUtf8Tail(bytes);
        expect(kept).toBeLessThanOrEqual(bytes.length);
        expect(bytes.length - kept).toBeLessThanOrEqual(3);
        if (kept < bytes.length) {
          const lead = bytes[kept]!;
          // What was dropped starts with a lead byte announcing more bytes than followed it.
          const announced = lead >= 0xf0 ? 4 : lead >= 0xe0 ? 3 : lead >= 0xc0 ? 2 : 1;
          expect(announced).toBeGreaterThan(bytes.length - kept);
          for (const continuation of bytes.subarray(kept + 1)) expect(continuation & 0xc0).toBe(0x80);
        }
      }),
      { numRuns: 3_000 },
    );
  });
});

describe('Property: truncateUtf8', () => {
  it('keeps text that fits and otherwise cuts at a character boundary, marks exactly the bytes dropped and fits the budget', () => {
    const marker = utf8(truncationMarker(10 ** 12));
    fc.assert(
      fc.property(fc.string({ unit: 'grapheme', maxLength: 300 }), fc.integer({ min: marker, max: 900 }), (text, maxBytes) => {
        const { text: out, droppedBytes } = truncateUtf8(text, maxBytes);
        if (utf8(text) <= maxBytes) {
          expect({ out, droppedBytes }).toEqual({ out: text, droppedBytes: 0 });
          return;
        }
        expect(utf8(out)).toBeLessThanOrEqual(maxBytes);
        expect(out.endsWith(truncationMarker(droppedBytes))).toBe(true);
        const kept = out.slice(0, out.length - truncationMarker(droppedBytes).length);
        expect(text.startsWith(kept)).toBe(true);
        expect(droppedBytes).toBe(utf8(text) - utf8(kept));
        expect(kept).not.toContain('\uFFFD');
      }),
      { numRuns: 3_000 },
    );
  });
});

const identityArb: fc.Arbitrary<FileIdentity> = fc.record(
  { dev: fc.stringMatching(/^\d{1,20}$/), ino: fc.stringMatching(/^\d{1,20}$/), fp: fc.stringMatching(/^[0-9a-f]{16}$/) },
  { requiredKeys: ['dev', 'ino'] },
);

describe('Property: event ids', () => {
  it('are parsed back by ingest to exactly the id and the untouched message, for any origin and message', () => {
    fc.assert(
      fc.property(
        identityArb,
        fc.oneof(fc.nat(), fc.constant(Number.MAX_SAFE_INTEGER)),
        fc.string({ unit: 'binary', maxLength: 80 }),
        (identity, offset, message) => {
          const id = eventId({ identity, offset });
          expect(id).toMatch(/^sl1:[0-9a-f]{12}:[0-9a-z]{1,13}$/);
          expect(parseInt(id.split(':')[2]!, 36)).toBe(offset);
          expect(splitStableId(`${id} ${message}`)).toEqual({ stableId: id, message });
        },
      ),
      { numRuns: 3_000 },
    );
  });

  it('depend only on the file identity and offset: equal fields give the same id, other files other ids', () => {
    fc.assert(
      fc.property(
        fc.uniqueArray(identityArb, { minLength: 2, maxLength: 30, selector: (identity) => `${identity.dev}:${identity.ino}:${identity.fp ?? ''}` }),
        fc.nat(),
        (identities, offset) => {
          const keys = identities.map((identity) => fileKey(identity));
          // A copy of the same fields (a fresh stat after a restart) names the same file.
          expect(identities.map((identity) => fileKey({ ...identity }))).toEqual(keys);
          expect(new Set(keys).size).toBe(keys.length);
          expect(eventId({ identity: { ...identities[0]! }, offset })).toBe(eventId({ identity: identities[0]!, offset }));
        },
      ),
      { numRuns: 1_000 },
    );
  });

  it('keep the agent’s own notices in a namespace no file id can take, and ingest reads them too', () => {
    fc.assert(
      fc.property(identityArb, fc.nat(), fc.nat(), (identity, offset, sequence) => {
        const notice = agentEventId('drop', sequence);
        expect(notice).not.toBe(eventId({ identity, offset }));
        expect(splitStableId(`${notice} [2026-11-26T12:00:00.000Z] [ERROR] AGENT_BUFFER_OVERFLOW`)).toEqual({
          stableId: notice,
          message: '[2026-11-26T12:00:00.000Z] [ERROR] AGENT_BUFFER_OVERFLOW',
        });
      }),
      { numRuns: 1_000 },
    );
  });
});

describe('Property: countRejectedEvents', () => {
  const indexArb = fc.option(fc.oneof(fc.integer({ min: -5, max: 30 }), fc.constantFrom(2 ** 31, -(2 ** 31))), { nil: undefined });

  it('counts between 0 and the batch size whatever indexes the service returns', () => {
    fc.assert(
      fc.property(fc.nat({ max: 25 }), indexArb, indexArb, indexArb, (total, tooOld, expired, tooNew) => {
        const info = {
          ...(tooOld === undefined ? {} : { tooOldLogEventEndIndex: tooOld }),
          ...(expired === undefined ? {} : { expiredLogEventEndIndex: expired }),
          ...(tooNew === undefined ? {} : { tooNewLogEventStartIndex: tooNew }),
        };
        const count = countRejectedEvents(info, total);
        expect(Number.isInteger(count)).toBe(true);
        expect(count).toBeGreaterThanOrEqual(0);
        expect(count).toBeLessThanOrEqual(total);
      }),
      { numRuns: 3_000 },
    );
  });

  it('reads the documented meaning of well-formed answers: [0, end) too old or expired, [start, total) too new', () => {
    fc.assert(
      fc.property(
        fc.nat({ max: 25 }).chain((total) => fc.tuple(fc.constant(total), fc.nat({ max: total }), fc.nat({ max: total }))),
        ([total, a, b]) => {
          const [old, newStart] = a <= b ? [a, b] : [b, a];
          const info = { ...(old > 0 ? { tooOldLogEventEndIndex: old } : {}), ...(newStart < total ? { tooNewLogEventStartIndex: newStart } : {}) };
          expect(countRejectedEvents(info, total)).toBe(old + (total - newStart));
        },
      ),
      { numRuns: 2_000 },
    );
  });
});

describe('Property: classifyError', () => {
  it('sorts any thrown value, SDK-shaped or not, into one of the four kinds without throwing', () => {
    const errorLikeArb = fc.oneof(
      fc.anything(),
      fc.record(
        {
          name: fc.oneof(
            fc.constantFrom('ResourceNotFoundException', 'DataAlreadyAcceptedException', 'ThrottlingException', 'InvalidParameterException', 'TimeoutError'),
            fc.anything(),
          ),
          code: fc.oneof(fc.constantFrom('ECONNRESET', 'ETIMEDOUT', 'EACCES'), fc.anything()),
          $retryable: fc.oneof(fc.constant(undefined), fc.constant(null), fc.record({ throttling: fc.boolean() })),
          $metadata: fc.oneof(
            fc.constant(undefined),
            fc.record({ httpStatusCode: fc.oneof(fc.integer({ min: 100, max: 599 }), fc.constant(undefined)) }, { requiredKeys: [] }),
          ),
        },
        { requiredKeys: [] },
      ),
    );
    fc.assert(
      fc.property(errorLikeArb, (err) => {
        expect(['missing-resource', 'already-accepted', 'retryable', 'rejected']).toContain(classifyError(err));
        expect(typeof errorName(err)).toBe('string');
      }),
      { numRuns: 3_000 },
    );
  });

  it('never drops a batch for an answer that did not come from the service: no HTTP status means retry', () => {
    fc.assert(
      fc.property(
        fc.string({ maxLength: 20 }).filter((name) => !['ResourceNotFoundException', 'DataAlreadyAcceptedException'].includes(name)),
        fc.string({ maxLength: 10 }),
        (name, message) => {
          const err = Object.assign(new Error(message), { name });
          expect(classifyError(err)).toBe('retryable');
        },
      ),
      { numRuns: 1_000 },
    );
  });
});
