// Property-based tests of the checkpoint: any position saved is loaded back exactly; a damaged or hand-edited checkpoint
// file is never trusted unless it is a whole, valid checkpoint of this file (and then nothing in it is invented); and the
// start decision never points outside the file.

import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { readFile, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import fc from 'fast-check';
import { CheckpointStore, decideStart, type Checkpoint } from '../../../src/agent/checkpoint.js';
import type { FileIdentity, FilePosition } from '../../../src/agent/types.js';
import { propertyTempDir } from './temp.js';

const identityArb: fc.Arbitrary<FileIdentity> = fc.record(
  { dev: fc.stringMatching(/^\d{1,20}$/), ino: fc.stringMatching(/^\d{1,20}$/), fp: fc.stringMatching(/^[0-9a-f]{1,64}$/) },
  { requiredKeys: ['dev', 'ino'] },
);
const positionArb: fc.Arbitrary<FilePosition> = fc.record({ identity: identityArb, offset: fc.oneof(fc.nat(), fc.constantFrom(0, Number.MAX_SAFE_INTEGER)) });

describe('Property: CheckpointStore', () => {
  let temp: { dir: string; cleanup: () => Promise<void> };
  let store: CheckpointStore;

  beforeAll(async () => {
    temp = await propertyTempDir('stacklens-checkpoint-prop-');
    store = new CheckpointStore(join(temp.dir, 'state'), join(temp.dir, 'pos.log'));
  });
  afterAll(async () => {
    await temp.cleanup();
  });

  it('loads back exactly the position it saved', async () => {
    await fc.assert(
      fc.asyncProperty(positionArb, fc.date({ noInvalidDate: true, min: new Date(0), max: new Date(4_102_444_800_000) }), async (position, at) => {
        await store.save(position, at);
        const loaded = await store.load();
        expect(loaded).toEqual({
          status: 'found',
          checkpoint: {
            version: 1,
            file: store.file,
            dev: position.identity.dev,
            ino: position.identity.ino,
            ...(position.identity.fp === undefined ? {} : { fp: position.identity.fp }),
            offset: position.offset,
            updatedAt: at.toISOString(),
          },
        });
      }),
      { numRuns: 200 },
    );
  });

  /** What the format allows, written from its description rather than taken from the schema. */
  function validCheckpoint(value: unknown): Checkpoint | undefined {
    if (typeof value !== 'object' || value === null || Array.isArray(value)) return undefined;
    const v = value as Record<string, unknown>;
    const digits = (x: unknown) => typeof x === 'string' && /^\d+$/.test(x);
    if (v['version'] !== 1 || v['file'] !== store.file || !digits(v['dev']) || !digits(v['ino'])) return undefined;
    if (v['fp'] !== undefined && !(typeof v['fp'] === 'string' && /^[0-9a-f]{1,64}$/.test(v['fp']))) return undefined;
    if (!Number.isSafeInteger(v['offset']) || (v['offset'] as number) < 0 || typeof v['updatedAt'] !== 'string') return undefined;
    return {
      version: 1,
      file: v['file'] as string,
      dev: v['dev'] as string,
      ino: v['ino'] as string,
      ...(v['fp'] === undefined ? {} : { fp: v['fp'] as string }),
      offset: v['offset'] as number,
      updatedAt: v['updatedAt'] as string,
    };
  }

  it('trusts a damaged or edited file only when it is a whole valid checkpoint of this file, and never throws', async () => {
    const fieldArb = fc.constantFrom('version', 'file', 'dev', 'ino', 'fp', 'offset', 'updatedAt', 'extra');
    const valueArb = fc.oneof(
      fc.jsonValue({ maxDepth: 1 }),
      fc.constantFrom(1, 2, '1', -1, 1.5, 2 ** 53, '', '00', '12a', 'ABC', 'a'.repeat(65), '/elsewhere/pos.log', null),
    );
    const damageArb = fc.oneof(
      fc.record({ kind: fc.constant('truncate' as const), at: fc.nat() }),
      fc.record({ kind: fc.constant('flip' as const), at: fc.nat(), bit: fc.integer({ min: 0, max: 7 }) }),
      fc.record({ kind: fc.constant('edit' as const), field: fieldArb, value: fc.option(valueArb, { nil: undefined }) }),
      fc.record({
        kind: fc.constant('replace' as const),
        bytes: fc.oneof(
          fc.uint8Array({ maxLength: 200 }),
          fc.jsonValue().map((value) => new Uint8Array(Buffer.from(JSON.stringify(value)))),
        ),
      }),
    );
    await fc.assert(
      fc.asyncProperty(positionArb, damageArb, async (position, how) => {
        await store.save(position);
        const original = await readFile(store.path);
        let bytes: Buffer = Buffer.from(original);
        if (how.kind === 'truncate') bytes = bytes.subarray(0, how.at % (bytes.length + 1));
        if (how.kind === 'flip') bytes[how.at % bytes.length] = bytes[how.at % bytes.length]! ^ (1 << how.bit);
        if (how.kind === 'edit') {
          const edited = JSON.parse(original.toString('utf8')) as Record<string, unknown>;
          if (how.value === undefined) delete edited[how.field];
          else edited[how.field] = how.value;
          bytes = Buffer.from(JSON.stringify(edited));
        }
        if (how.kind === 'replace') bytes = Buffer.from(how.bytes);
        await writeFile(store.path, bytes);

        const loaded = await store.load();
        let expected: Checkpoint | undefined;
        try {
          expected = validCheckpoint(JSON.parse(bytes.toString('utf8')));
        } catch {
          expected = undefined;
        }
        if (expected === undefined) {
          expect(loaded).toEqual({ status: 'invalid', problem: expect.stringContaining(store.path) });
        } else {
          expect(loaded).toEqual({ status: 'found', checkpoint: expected });
        }
      }),
      { numRuns: 400 },
    );
  });

  it('reports a missing file as missing', async () => {
    await rm(store.path, { force: true });
    expect(await store.load()).toEqual({ status: 'missing' });
  });
});

describe('Property: decideStart', () => {
  const checkpointArb = fc.option(
    fc.record(
      {
        version: fc.constant(1 as const),
        file: fc.constant('/var/log/pos.log'),
        dev: fc.constantFrom('1', '2'),
        ino: fc.constantFrom('42', '43'),
        fp: fc.constantFrom('aa', 'bb'),
        offset: fc.nat({ max: 5_000 }),
        updatedAt: fc.constant('2026-11-26T12:00:00.000Z'),
      },
      { requiredKeys: ['version', 'file', 'dev', 'ino', 'offset', 'updatedAt'] },
    ),
    { nil: undefined },
  );
  const nowIdentityArb = fc.record(
    { dev: fc.constantFrom('1', '2'), ino: fc.constantFrom('42', '43'), fp: fc.constantFrom('aa', 'bb') },
    { requiredKeys: ['dev', 'ino'] },
  );

  it('starts inside the file: at the checkpoint only for the same file still that long, else at 0 with the old position to recover, or per fromBeginning', () => {
    fc.assert(
      fc.property(checkpointArb, fc.boolean(), nowIdentityArb, fc.nat({ max: 5_000 }), (checkpoint, fromBeginning, identity, size) => {
        const decision = decideStart(checkpoint, fromBeginning, identity, size);
        expect(decision.offset).toBeGreaterThanOrEqual(0);
        expect(decision.offset).toBeLessThanOrEqual(size);
        if (checkpoint === undefined) {
          expect(decision).toEqual(fromBeginning ? { offset: 0, reason: 'beginning' } : { offset: size, reason: 'end' });
          return;
        }
        const sameInode = checkpoint.dev === identity.dev && checkpoint.ino === identity.ino;
        const sameFile = sameInode && (checkpoint.fp === undefined || identity.fp === checkpoint.fp);
        if (sameFile && checkpoint.offset <= size) {
          expect(decision).toEqual({ offset: checkpoint.offset, reason: 'resume' });
          return;
        }
        expect(decision).toEqual({
          offset: 0,
          reason: sameInode ? 'truncated' : 'rotated',
          recover: {
            identity: { dev: checkpoint.dev, ino: checkpoint.ino, ...(checkpoint.fp === undefined ? {} : { fp: checkpoint.fp }) },
            offset: checkpoint.offset,
          },
        });
      }),
      { numRuns: 2_000 },
    );
  });
});
