// Why the agent's hot-path file operations are synchronous (`*Sync`), against the usual Node advice.
//
// Every fs/promises call is a round trip through the libuv thread pool: wake a worker (futex), run the syscall, then
// wake the event loop again (eventfd write, epoll wake, eventfd read). The syscalls themselves are small writes,
// reads, fstats and renames on a local disk that cost microseconds of CPU (an fsync waits for the disk, but waiting
// burns no CPU); the round trip around each costs more than the call, and kiosk VMs make those context switches
// expensive. A batch took 20-30 such calls: one agent at 4 lines/s used 3% of a core (~18 ms CPU per batch; a
// 50-agent soak on 2 cores starved the server), ~330 syscalls per batch of which ~155 futex. Made synchronous: ~70
// syscalls (~5 futex) and ~13 ms CPU per batch. The price is that the loop now waits out the fsyncs and renames
// itself (~9 ms per batch on the soak VM's disk), which is fine here: the agent follows one file with one batch in
// flight, so there is nothing more urgent the loop could be doing meanwhile.
//
// What stays asynchronous: start-up (loading state, scanning the buffer), directory listings, and the network. This
// assumes the state directory and the log are on local disk: on a network filesystem whose server hangs, these calls
// would block the whole loop (metrics, shipping) instead of one pool thread.

import { closeSync, fsyncSync, openSync, writeSync } from 'node:fs';

/** writeSync may write fewer bytes than asked: loop until all of `data` is written (at `position`, if given). */
export function writeAllSync(fd: number, data: Uint8Array, position?: number): void {
  let written = 0;
  while (written < data.length) {
    written += writeSync(fd, data, written, data.length - written, position === undefined ? null : position + written);
  }
}

/** Creates or replaces `path` (mode 0600) holding `data`; with `durable`, fsyncs it before closing. */
export function writeFileQuickSync(path: string, data: Uint8Array, { durable }: { durable: boolean }): void {
  const fd = openSync(path, 'w', 0o600);
  try {
    writeAllSync(fd, data);
    if (durable) fsyncSync(fd);
  } finally {
    closeSync(fd);
  }
}

/** fsyncs a directory so a rename inside it survives a power cut. Best effort: not every platform allows it. */
export function syncDirectorySync(dir: string): void {
  let fd: number;
  try {
    fd = openSync(dir, 'r');
  } catch {
    return;
  }
  try {
    fsyncSync(fd);
  } catch {
    // Best effort by design (Windows cannot fsync a directory; the rename is still atomic there).
  } finally {
    closeQuietly(fd);
  }
}

/** Closes `fd`, ignoring failure: for descriptors whose close cannot lose data (read-only, or already failed). */
export function closeQuietly(fd: number): void {
  try {
    closeSync(fd);
  } catch {
    // Nothing left to do with a descriptor that would not close.
  }
}

export function isNotFound(err: unknown): boolean {
  return (err as NodeJS.ErrnoException | undefined)?.code === 'ENOENT';
}
