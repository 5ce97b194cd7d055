// Stable event ids. CloudWatch Logs gives every accepted event a fresh id, so a batch re-sent after a crash (the
// price of at-least-once delivery) would look like new errors downstream. The agent therefore names each record by
// where it came from: the file (device, inode, first-bytes fingerprint) and the byte offset of its first line. The
// same line read again after a restart, from a rotated copy or a replayed disk buffer gets the same id, and ingest
// keeps one occurrence per id.
//
// Wire form, in front of the message: `sl1:<12 hex file key>:<base-36 offset> <record>`. The format is documented in
// docs/log-format.md and parsed by functions/src/domain/event-id.ts.

import { createHash } from 'node:crypto';
import type { FileIdentity, FilePosition } from './types.js';

export const EVENT_ID_VERSION = 'sl1';

const fileKeys = new WeakMap<FileIdentity, string>();

/** 48 bits of SHA-256: collisions between two files of one kiosk stream are vanishingly unlikely. */
export function fileKey(identity: FileIdentity): string {
  let key = fileKeys.get(identity);
  if (key === undefined) {
    key = createHash('sha256')
      .update(`${identity.dev}:${identity.ino}:${identity.fp ?? ''}`)
      .digest('hex')
      .slice(0, 12);
    fileKeys.set(identity, key);
  }
  return key;
}

export function eventId(origin: FilePosition): string {
  return `${EVENT_ID_VERSION}:${fileKey(origin.identity)}:${origin.offset.toString(36)}`;
}

/** Ids for records the agent writes itself (a buffer-overflow notice): a namespace no file key can take. */
export function agentEventId(kind: string, sequence: number): string {
  return `${EVENT_ID_VERSION}:agent-${kind}:${sequence.toString(36)}`;
}
