// A CloudWatch Logs payload bomb against the real ingest handler: about a megabyte (at most a few) of gzip on the wire
// that would inflate to gigabytes, delivered the way the subscription delivers it (base64 in awslogs.data). It must be
// refused with its reason (payload_too_large) and a message naming the limit, in bounded memory, and without costing
// anything already ingested. Memory is the acceptance criterion here: the peak RSS over the call is sampled from a
// worker thread (the handler blocks the main thread while it inflates) and must stay under MEMORY_BOUND.

import { constants, createGzip, gunzipSync, gzipSync } from 'node:zlib';
import v8 from 'node:v8';
import vm from 'node:vm';
import { Worker } from 'node:worker_threads';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import type { CloudWatchLogsEvent } from 'aws-lambda';
import { createIngestHandler } from '../../src/handlers/ingest.js';
import { MemoryStats, memoryIncidentStore, recordingNotifier } from './property/doubles.js';

const MiB = 1024 * 1024;
const GiB = 1024 * MiB;
/** The acceptance bound on what refusing one bomb may cost in memory (RSS and ArrayBuffers, each). */
const MEMORY_BOUND = 256 * MiB;
/** The inflate limit ingest.ts sets (MAX_INFLATED_BYTES), as its refusal message names it. */
const INFLATE_LIMIT = 16 * MiB;
/** What "a few MB" on the wire means here; a Lambda event is at most 6 MB anyway. */
const MAX_WIRE_BYTES = 5 * MiB;

v8.setFlagsFromString('--expose-gc');
const gc = vm.runInNewContext('gc') as () => void;

/** Collects garbage and lets the ArrayBuffer sweeper, which frees backing stores off-thread, catch up. */
async function settle(): Promise<void> {
  for (let i = 0; i < 3; i++) {
    gc();
    await new Promise((resolve) => setImmediate(resolve));
  }
}

// ── Building bombs ─────────────────────────────────────────────────────────────────────────────────────────────────

/** One gzip member of `total` bytes of `fill`, streamed through deflate (run-length strategy: zeros cost nothing). */
async function streamedMember(total: number, fill = 0): Promise<Buffer> {
  const gzip = createGzip({ level: 9, strategy: constants.Z_RLE, chunkSize: MiB });
  const parts: Buffer[] = [];
  gzip.on('data', (chunk: Buffer) => parts.push(chunk));
  const ended = new Promise<void>((resolve, reject) => {
    gzip.on('end', resolve);
    gzip.on('error', reject);
  });
  const block = Buffer.alloc(MiB, fill);
  for (let written = 0; written < total; written += block.length) {
    if (!gzip.write(block)) await new Promise((resolve) => gzip.once('drain', resolve));
  }
  gzip.end();
  await ended;
  return Buffer.concat(parts);
}

/** The inflated size a gzip file declares: the sum of its members' ISIZE trailers (each modulo 2^32). */
function declaredSize(members: readonly Buffer[]): number {
  return members.reduce((sum, member) => sum + member.readUInt32LE(member.length - 4), 0);
}

const event = (gzip: Buffer): CloudWatchLogsEvent => ({ awslogs: { data: gzip.toString('base64') } });

// ── Measuring ──────────────────────────────────────────────────────────────────────────────────────────────────────

/** Samples the process's RSS every millisecond on its own thread, so it keeps sampling while the main thread inflates. */
class PeakRss {
  private readonly worker = new Worker(
    `const { parentPort } = require('node:worker_threads');
     let peak = 0;
     const sample = () => { const rss = process.memoryUsage.rss(); if (rss > peak) peak = rss; };
     const timer = setInterval(sample, 1);
     parentPort.on('message', (message) => {
       if (message === 'reset') { peak = 0; sample(); parentPort.postMessage(peak); }
       else if (message === 'read') { sample(); parentPort.postMessage(peak); }
       else { clearInterval(timer); parentPort.close(); }
     });`,
    { eval: true },
  );

  private ask(message: 'reset' | 'read'): Promise<number> {
    return new Promise((resolve) => {
      this.worker.once('message', resolve);
      this.worker.postMessage(message);
    });
  }

  /**
   * Runs `act` from a collected baseline and answers its result with the peak RSS over it and the ArrayBuffer memory
   * it left behind uncollected (about what it allocated: nothing is collected between the call and the reading).
   */
  async measure<T>(act: () => Promise<T>): Promise<{ result: T; peakRssDelta: number; rssDelta: number; arrayBuffersDelta: number }> {
    await settle();
    const before = process.memoryUsage();
    await this.ask('reset');
    const result = await act();
    const peak = await this.ask('read');
    const after = process.memoryUsage();
    return { result, peakRssDelta: peak - before.rss, rssDelta: after.rss - before.rss, arrayBuffersDelta: after.arrayBuffers - before.arrayBuffers };
  }

  async close(): Promise<void> {
    this.worker.postMessage('stop');
    await this.worker.terminate();
  }
}

/** Runs `act` with stdout and stderr read instead of printed: the skip log line is part of what is asserted. */
async function withOutput<T>(act: () => Promise<T>): Promise<{ result: T; log: string }> {
  const written: string[] = [];
  const streams = [process.stdout, process.stderr] as const;
  const writes = streams.map((stream) => stream.write);
  for (const stream of streams) {
    stream.write = ((chunk: string | Uint8Array) => {
      written.push(typeof chunk === 'string' ? chunk : Buffer.from(chunk).toString('utf8'));
      return true;
    }) as typeof stream.write;
  }
  try {
    return { result: await act(), log: written.join('') };
  } finally {
    streams.forEach((stream, i) => (stream.write = writes[i] as typeof stream.write));
  }
}

// ── The handler ────────────────────────────────────────────────────────────────────────────────────────────────────

function ingest() {
  const { store, incidents, occurrences } = memoryIncidentStore();
  const stats = new MemoryStats();
  const handler = createIngestHandler({ incidents: store, stats, notifier: recordingNotifier([]), now: () => new Date('2026-11-26T12:00:05.000Z') });
  return { handler, incidents, occurrences, stats };
}

function batch(ids: readonly string[]): CloudWatchLogsEvent {
  return event(
    gzipSync(
      JSON.stringify({
        messageType: 'DATA_MESSAGE',
        owner: '123456789012',
        logGroup: '/stacklens/pos',
        logStream: 'store-001/kiosk-01',
        subscriptionFilters: ['stacklens-errors'],
        logEvents: [
          ...ids.map((id, i) => ({
            id,
            timestamp: Date.parse('2026-11-26T12:00:00Z') + i,
            message: `[2026-11-26T12:00:00.000Z] [ERROR] Product ${i} has no price | {"code":"MISSING_PRICE","storeId":"store-001","kioskId":"kiosk-01"}`,
          })),
          { id: `${ids[0] ?? 'x'}-info`, timestamp: Date.parse('2026-11-26T12:00:00Z'), message: '[2026-11-26T12:00:00.000Z] [INFO] Basket opened' },
        ],
      }),
    ),
  );
}

const measurements: Record<string, string> = {};
const mib = (bytes: number) => `${(bytes / MiB).toFixed(1)} MiB`;

describe('CloudWatch Logs payload bomb', () => {
  let sampler: PeakRss;
  let bombs: Array<{ name: string; gzip: Buffer; inflates: number }>;

  beforeAll(async () => {
    sampler = new PeakRss();
    const zeros = await streamedMember(GiB);
    const member = await streamedMember(64 * MiB);
    // A payload that starts as the real thing: were it inflated, it would parse as one event with a 1 GiB message.
    const head = gzipSync(
      '{"messageType":"DATA_MESSAGE","owner":"123456789012","logGroup":"/stacklens/pos","logStream":"store-001/kiosk-01","subscriptionFilters":[],"logEvents":[{"id":"1","timestamp":1764158400000,"message":"',
    );
    const letters = await streamedMember(64 * MiB, 0x41);
    const tail = gzipSync('"}]}');
    const shaped = [head, ...Array<Buffer>(16).fill(letters), tail];
    bombs = [
      { name: 'one gzip member of 1 GiB of zeros', gzip: zeros, inflates: declaredSize([zeros]) },
      {
        name: '64 concatenated members of 64 MiB of zeros (4 GiB)',
        gzip: Buffer.concat(Array<Buffer>(64).fill(member)),
        inflates: declaredSize(Array<Buffer>(64).fill(member)),
      },
      { name: 'a subscription payload whose one message is 1 GiB long', gzip: Buffer.concat(shaped), inflates: declaredSize(shaped) },
    ];
  }, 120_000);

  afterAll(async () => {
    await sampler.close();
    // The figures the acceptance criterion is about, for whoever runs this file.
    console.info(
      `payload bomb measurements:\n${Object.entries(measurements)
        .map(([k, v]) => `  ${k}: ${v}`)
        .join('\n')}`,
    );
  });

  it('is a real bomb: a few MB on the wire that declare at least 1 GiB inflated', () => {
    for (const bomb of bombs) {
      expect(bomb.gzip.length).toBeLessThan(MAX_WIRE_BYTES);
      expect(bomb.inflates).toBeGreaterThanOrEqual(GiB);
      measurements[`${bomb.name}: wire / declared`] = `${mib(bomb.gzip.length)} / ${mib(bomb.inflates)}`;
    }
  });

  it('refuses each bomb as payload_too_large with a message naming the 16 MiB limit, in bounded memory', async () => {
    for (const bomb of bombs) {
      // Prepare
      const { handler, stats, occurrences } = ingest();
      const delivery = event(bomb.gzip);

      // Act
      const { result, peakRssDelta, rssDelta, arrayBuffersDelta } = await sampler.measure(() => withOutput(() => handler(delivery)));

      // Assess
      expect(result.result).toEqual({ received: 0, skipped: { payload_too_large: 1 } });
      const line = JSON.parse(result.log.trim().split('\n').pop() ?? '{}') as { level?: string; reason?: string; detail?: string };
      expect(line).toMatchObject({ level: 'ERROR', reason: 'payload_too_large' });
      expect(line.detail).toContain(String(INFLATE_LIMIT));
      expect(await stats.read('ingest.skipped')).toEqual({ payload_too_large: 1 });
      expect(occurrences.size).toBe(0);
      expect(peakRssDelta).toBeLessThan(MEMORY_BOUND);
      expect(arrayBuffersDelta).toBeLessThan(MEMORY_BOUND);
      measurements[`${bomb.name}: peak RSS delta / RSS delta after / ArrayBuffers allocated`] =
        `${mib(peakRssDelta)} / ${mib(rssDelta)} / ${mib(arrayBuffersDelta)}`;
    }
  });

  it('loses nothing already ingested: batches before and after a bomb are counted whole, and earlier skip counts are kept', async () => {
    // Prepare
    const { handler, incidents, occurrences, stats } = ingest();
    const before = await handler(batch(['a1', 'a2', 'a3']));
    const snapshot = [...incidents.values()].map((incident) => ({ ...incident }));

    // Act
    const refused = await withOutput(() => handler(event(bombs[0]?.gzip ?? Buffer.alloc(0))));
    const afterBomb = [...incidents.values()];
    const after = await handler(batch(['b1', 'b2']));

    // Assess
    expect(before).toMatchObject({ received: 4, recorded: 3, skipped: { not_error: 1 } });
    expect(refused.result).toEqual({ received: 0, skipped: { payload_too_large: 1 } });
    expect(afterBomb).toEqual(snapshot);
    expect(after).toMatchObject({ received: 3, recorded: 2, skipped: { not_error: 1 } });
    expect([...occurrences.keys()].map((key) => key.split('#')[1]).sort()).toEqual(['a1', 'a2', 'a3', 'b1', 'b2']);
    const [incident] = [...incidents.values()];
    expect(incidents.size).toBe(1);
    expect(incident?.occurrences).toBe(5);
    expect(await stats.read('ingest.skipped')).toEqual({ not_error: 2, payload_too_large: 1 });
  });

  it('inflates a payload just under the limit and refuses one just over it: the limit is 16 MiB', async () => {
    const payload = (size: number) => {
      const head =
        '{"messageType":"DATA_MESSAGE","owner":"o","logGroup":"g","logStream":"s","subscriptionFilters":[],"logEvents":[{"id":"1","timestamp":1764158400000,"message":"[INFO] ';
      const tail = '"}]}';
      return event(gzipSync(head + 'x'.repeat(size - head.length - tail.length) + tail));
    };
    const { handler } = ingest();
    expect(await handler(payload(INFLATE_LIMIT))).toMatchObject({ received: 1, skipped: { not_error: 1 } });
    expect((await withOutput(() => handler(payload(INFLATE_LIMIT + 1)))).result).toEqual({ received: 0, skipped: { payload_too_large: 1 } });
  });

  it('does not make gunzipSync reserve the limit up front: a small payload inflated under it holds little memory', async () => {
    // Prepare
    const small = gzipSync(Buffer.from('{"messageType":"CONTROL_MESSAGE"}'));
    const held: Buffer[] = [];
    await settle();
    const before = process.memoryUsage().arrayBuffers;

    // Act: keep every result alive, so a result that were a view of a 16 MiB reservation would keep it allocated.
    for (let i = 0; i < 8; i++) held.push(gunzipSync(small, { maxOutputLength: INFLATE_LIMIT }));
    await settle();
    const growth = process.memoryUsage().arrayBuffers - before;

    // Assess
    expect(held.every((out) => out.toString() === '{"messageType":"CONTROL_MESSAGE"}')).toBe(true);
    expect(growth).toBeLessThan(INFLATE_LIMIT / 4);
    measurements['8 small inflates under the 16 MiB limit, held: ArrayBuffers growth'] = `${(growth / 1024).toFixed(1)} KiB`;
  });
});
