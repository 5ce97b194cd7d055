import { afterEach, beforeEach, describe, expect, it } from '@jest/globals';
import { readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { CheckpointStore, decideStart, type Checkpoint } from '../../../src/agent/checkpoint.js';
import { AgentError } from '../../../src/agent/errors.js';
import { makeTempDir } from './helpers.js';

describe('Class: CheckpointStore', () => {
  let dir: string;
  let cleanup: () => Promise<void>;

  beforeEach(async () => {
    ({ dir, cleanup } = await makeTempDir());
  });

  afterEach(async () => {
    await cleanup();
  });

  describe('Method: save', () => {
    it('writes the file identity and offset so that load returns them', async () => {
      // Prepare
      const store = new CheckpointStore(join(dir, 'state'), join(dir, 'pos.log'));

      // Act
      await store.save({ identity: { dev: '2049', ino: '18446744073709551615' }, offset: 1234 }, new Date('2026-11-26T12:00:00Z'));
      const loaded = await store.load();

      // Assess
      expect(loaded).toEqual({
        status: 'found',
        checkpoint: {
          version: 1,
          file: join(dir, 'pos.log'),
          dev: '2049',
          ino: '18446744073709551615',
          offset: 1234,
          updatedAt: '2026-11-26T12:00:00.000Z',
        },
      });
    });

    it('replaces the previous state through a rename and leaves no temp file behind', async () => {
      // Prepare
      const store = new CheckpointStore(dir, join(dir, 'pos.log'));

      // Act
      await Promise.all([1, 2, 3].map((offset) => store.save({ identity: { dev: '1', ino: '2' }, offset })));

      // Assess
      const files = await readdir(dir);
      expect(files).toEqual([store.path.slice(dir.length + 1)]);
      const saved = JSON.parse(await readFile(store.path, 'utf8')) as Checkpoint;
      expect(saved.offset).toBe(3);
    });

    it('recreates a state directory removed while the agent runs, and saves into it', async () => {
      // Prepare
      const stateDir = join(dir, 'state');
      const store = new CheckpointStore(stateDir, join(dir, 'pos.log'));
      await store.save({ identity: { dev: '1', ino: '2' }, offset: 1 });
      await rm(stateDir, { recursive: true });

      // Act
      await store.save({ identity: { dev: '1', ino: '2' }, offset: 2 });

      // Assess
      expect(await readdir(stateDir)).toEqual([store.path.slice(stateDir.length + 1)]);
      const loaded = await store.load();
      expect(loaded.status === 'found' ? loaded.checkpoint.offset : undefined).toBe(2);
    });

    it('rejects with CHECKPOINT_FAILED when the state directory cannot be created, and keeps serving later saves', async () => {
      // Prepare: a regular file where a parent directory should be.
      await writeFile(join(dir, 'blocker'), '');
      const store = new CheckpointStore(join(dir, 'blocker', 'state'), join(dir, 'pos.log'));

      // Act
      const failed = store.save({ identity: { dev: '1', ino: '2' }, offset: 1 });
      const next = store.save({ identity: { dev: '1', ino: '2' }, offset: 2 });

      // Assess
      await expect(failed).rejects.toBeInstanceOf(AgentError);
      await expect(failed).rejects.toMatchObject({ code: 'CHECKPOINT_FAILED', message: expect.stringContaining(`Could not write checkpoint ${store.path}`) });
      await expect(next).rejects.toMatchObject({ code: 'CHECKPOINT_FAILED' });
      await expect(store.settled()).resolves.toBeUndefined();
      expect(await readdir(dir)).toEqual(['blocker']);
    });
  });

  describe('Method: load', () => {
    it('reports a missing checkpoint', async () => {
      expect(await new CheckpointStore(dir, join(dir, 'pos.log')).load()).toEqual({ status: 'missing' });
    });

    it('reports a corrupt checkpoint as invalid instead of throwing', async () => {
      // Prepare
      const store = new CheckpointStore(dir, join(dir, 'pos.log'));
      await writeFile(store.path, '{"version":1,"offs');

      // Act
      const loaded = await store.load();

      // Assess
      expect(loaded).toMatchObject({ status: 'invalid' });
    });

    it('reports a checkpoint that belongs to another file as invalid', async () => {
      // Prepare
      const store = new CheckpointStore(dir, join(dir, 'pos.log'));
      const other: Checkpoint = { version: 1, file: '/elsewhere.log', dev: '1', ino: '2', offset: 3, updatedAt: 'x' };
      await writeFile(store.path, JSON.stringify(other));

      // Act
      const loaded = await store.load();

      // Assess
      expect(loaded.status).toBe('invalid');
      expect(loaded.status === 'invalid' ? loaded.problem : '').toContain('/elsewhere.log');
    });
  });
});

describe('Function: decideStart', () => {
  const checkpoint: Checkpoint = { version: 1, file: '/pos.log', dev: '1', ino: '2', offset: 500, updatedAt: 'x' };

  it('resumes at the saved offset in the same file', () => {
    expect(decideStart(checkpoint, false, { dev: '1', ino: '2' }, 800)).toEqual({ offset: 500, reason: 'resume' });
  });

  it('starts at 0 when the same file is now shorter than the saved offset', () => {
    expect(decideStart(checkpoint, false, { dev: '1', ino: '2' }, 100)).toEqual({
      offset: 0,
      reason: 'truncated',
      recover: { identity: { dev: '1', ino: '2' }, offset: 500 },
    });
  });

  it('starts at 0 in a different file, which replaced the checkpointed one while the agent was stopped', () => {
    expect(decideStart(checkpoint, false, { dev: '1', ino: '3' }, 800)).toEqual({
      offset: 0,
      reason: 'rotated',
      recover: { identity: { dev: '1', ino: '2' }, offset: 500 },
    });
  });

  it('starts at 0 when the same inode now starts with other bytes (rewritten in place or the inode was reused)', () => {
    const withFingerprint: Checkpoint = { ...checkpoint, fp: 'aaaa' };

    expect(decideStart(withFingerprint, false, { dev: '1', ino: '2', fp: 'aaaa' }, 800)).toEqual({ offset: 500, reason: 'resume' });
    expect(decideStart(withFingerprint, false, { dev: '1', ino: '2', fp: 'bbbb' }, 800)).toEqual({
      offset: 0,
      reason: 'truncated',
      recover: { identity: { dev: '1', ino: '2', fp: 'aaaa' }, offset: 500 },
    });
  });

  it('treats a file that lost its fingerprint (now under 64 bytes) as truncated, not as the same file', () => {
    const withFingerprint: Checkpoint = { ...checkpoint, offset: 13, fp: 'aaaa' };

    expect(decideStart(withFingerprint, false, { dev: '1', ino: '2' }, 40)).toEqual({
      offset: 0,
      reason: 'truncated',
      recover: { identity: { dev: '1', ino: '2', fp: 'aaaa' }, offset: 13 },
    });
  });

  it('starts at the end without a checkpoint unless fromBeginning is set', () => {
    expect(decideStart(undefined, false, { dev: '1', ino: '2' }, 800)).toEqual({ offset: 800, reason: 'end' });
    expect(decideStart(undefined, true, { dev: '1', ino: '2' }, 800)).toEqual({ offset: 0, reason: 'beginning' });
  });
});
