// Payload bombs against the two local HTTP front doors that read request bodies: the AWS edge (CloudWatch Logs'
// PutLogEvents and the other JSON-protocol emulators) and the API gateway. A 1 MB body that inflates to 1 GiB, sent
// with `content-encoding: gzip` and `deflate`, and a 50 MB body streamed plain (with and without a content-length) must
// each end in a clean 4xx that names the problem, without the process's resident memory growing by more than 256 MB
// while it is handled, and the server must answer the next request as usual.
//
// Neither server inflates request bodies (no AWS SDK client compresses CloudWatch Logs or API calls), so a compressed
// body is opaque bytes to them; the memory bound is what would catch a future change that inflated without a limit.

import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import http from 'node:http';
import { constants, crc32, createGunzip, createInflate, deflateRawSync } from 'node:zlib';
import { startTestStack, type TestStack } from '../helpers/stack.js';

const MiB = 1024 * 1024;
const GiB = 1024 * MiB;
/** The acceptance bound: resident memory may grow by at most this much while one hostile request is handled. */
const RSS_BOUND_BYTES = 256 * MiB;
const STREAMED_BYTES = 50 * MiB;

interface Bombs {
  readonly gzip: Buffer;
  readonly deflate: Buffer;
}

/**
 * 1 GiB of zeros, compressed two ways, built without ever holding the 1 GiB: one 64 MiB chunk is deflated and flushed
 * to a byte boundary, and the same compressed chunk repeated decodes to the same zeros again (its back-references
 * never reach past zeros). gzip frames each copy as its own member (RFC 1952 allows any number); zlib (`deflate`)
 * wraps all copies in one stream with the Adler-32 of 1 GiB of zeros.
 */
function buildBombs(): Bombs {
  const chunk = 64 * MiB;
  const copies = GiB / chunk;
  const zeros = Buffer.alloc(chunk);
  const flushed = deflateRawSync(zeros, { level: 9, finishFlush: constants.Z_SYNC_FLUSH });
  const finalEmptyBlock = Buffer.from([0x03, 0x00]);

  const trailer = Buffer.alloc(8);
  trailer.writeUInt32LE(crc32(zeros), 0);
  trailer.writeUInt32LE(chunk % 2 ** 32, 4);
  const member = Buffer.concat([Buffer.from([0x1f, 0x8b, 0x08, 0, 0, 0, 0, 0, 0x02, 0xff]), flushed, finalEmptyBlock, trailer]);
  const gzip = Buffer.concat(Array.from({ length: copies }, () => member));

  const adler = Buffer.alloc(4);
  // Adler-32 of n zero bytes: a stays 1, b adds 1 per byte.
  adler.writeUInt32BE((((GiB % 65_521) << 16) | 1) >>> 0);
  const deflate = Buffer.concat([Buffer.from([0x78, 0xda]), ...Array.from({ length: copies }, () => flushed), finalEmptyBlock, adler]);
  return { gzip, deflate };
}

/** Inflates on the fly and counts, to prove the bomb is what it claims without holding what it inflates to. */
function inflatedSize(body: Buffer, encoding: 'gzip' | 'deflate'): Promise<number> {
  const inflate = encoding === 'gzip' ? createGunzip({ chunkSize: 4 * MiB }) : createInflate({ chunkSize: 4 * MiB });
  let size = 0;
  return new Promise((resolve, reject) => {
    inflate.on('data', (data: Buffer) => (size += data.length));
    inflate.on('end', () => resolve(size));
    inflate.on('error', reject);
    inflate.end(body);
  });
}

interface Answer {
  readonly status: number;
  readonly headers: http.IncomingHttpHeaders;
  readonly text: string;
  /** Peak resident-set growth over the baseline taken just before the request was sent. */
  readonly rssGrowth: number;
  readonly sentBytes: number;
}

type Body = { readonly kind: 'buffer'; readonly bytes: Buffer } | { readonly kind: 'stream'; readonly bytes: number; readonly declareLength: boolean };

/**
 * Sends one request over a fresh connection and samples the process's RSS every 5 ms until the answer is read. The
 * servers run in this process, so that is their memory (the client side streams from one reused 64 KiB chunk).
 */
async function send(port: number, method: string, path: string, headers: http.OutgoingHttpHeaders, body: Body): Promise<Answer> {
  const baseline = process.memoryUsage().rss;
  let peak = baseline;
  const sampler = setInterval(() => (peak = Math.max(peak, process.memoryUsage().rss)), 5);
  let sentBytes = 0;
  try {
    const answer = await new Promise<Omit<Answer, 'rssGrowth' | 'sentBytes'>>((resolve, reject) => {
      const length = body.kind === 'buffer' ? body.bytes.length : body.declareLength ? body.bytes : undefined;
      const req = http.request({
        host: '127.0.0.1',
        port,
        method,
        path,
        agent: false,
        headers: { ...headers, ...(length === undefined ? {} : { 'content-length': length }) },
      });
      let answered = false;
      req.on('response', (res) => {
        answered = true;
        const chunks: Buffer[] = [];
        res.on('data', (data: Buffer) => chunks.push(data));
        res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, text: Buffer.concat(chunks).toString('utf8') }));
        res.on('error', reject);
      });
      // A server may answer (and close) before reading everything: that is a clean refusal, not a client failure.
      req.on('error', (error) => {
        if (!answered) reject(error);
      });
      if (body.kind === 'buffer') {
        sentBytes = body.bytes.length;
        req.end(body.bytes);
        return;
      }
      const chunk = Buffer.alloc(64 * 1024, 0x61);
      const pump = (): void => {
        while (sentBytes < body.bytes && !answered && !req.destroyed) {
          const part = chunk.subarray(0, Math.min(chunk.length, body.bytes - sentBytes));
          sentBytes += part.length;
          if (!req.write(part)) {
            req.once('drain', pump);
            return;
          }
        }
        req.end();
      };
      pump();
    });
    peak = Math.max(peak, process.memoryUsage().rss);
    return { ...answer, rssGrowth: peak - baseline, sentBytes };
  } finally {
    clearInterval(sampler);
  }
}

const TARGET = 'Logs_20140328.PutLogEvents';
const LOGS_HEADERS = { 'content-type': 'application/x-amz-json-1.1', 'x-amz-target': TARGET };

describe('Payload bombs against the local endpoints', () => {
  let stack: TestStack;
  let edgePort: number;
  let apiPort: number;
  let bombs: Bombs;
  const measured: Array<{ endpoint: string; attack: string; sentMiB: string; status: number; rssGrowthMiB: string }> = [];

  beforeAll(async () => {
    bombs = buildBombs();
    stack = await startTestStack({ pos: false, agent: false });
    edgePort = Number(new URL(stack.urls.edge).port);
    apiPort = Number(new URL(stack.urls.api).port);
  });

  afterAll(async () => {
    console.log(
      `payload bombs (RSS bound ${RSS_BOUND_BYTES / MiB} MiB):\n` +
        measured
          .map((m) => `  ${m.endpoint.padEnd(8)} ${m.attack.padEnd(46)} sent ${m.sentMiB.padStart(6)} MiB -> ${m.status}, RSS +${m.rssGrowthMiB} MiB`)
          .join('\n'),
    );
    await stack?.close();
  });

  function record(endpoint: string, attack: string, answer: Answer): void {
    measured.push({ endpoint, attack, sentMiB: (answer.sentBytes / MiB).toFixed(1), status: answer.status, rssGrowthMiB: (answer.rssGrowth / MiB).toFixed(1) });
  }

  /** The edge still serves the operations our SDK clients call. */
  async function expectEdgeServing(): Promise<void> {
    const answer = await send(
      edgePort,
      'POST',
      '/',
      { 'content-type': 'application/x-amz-json-1.1', 'x-amz-target': 'Logs_20140328.DescribeLogGroups' },
      { kind: 'buffer', bytes: Buffer.from('{}') },
    );
    expect(answer.status).toBe(200);
    expect(JSON.parse(answer.text)).toMatchObject({ logGroups: expect.any(Array) });
  }

  async function expectGatewayServing(): Promise<void> {
    const health = await send(apiPort, 'GET', '/api/health', {}, { kind: 'buffer', bytes: Buffer.alloc(0) });
    expect(health.status).toBe(200);
  }

  /** An AWS JSON error: __type in the body and the x-amzn-errortype header, and a message. */
  function expectAwsRefusal(answer: Answer, statuses: readonly number[]): { __type: string; message: string } {
    expect(statuses).toContain(answer.status);
    const body = JSON.parse(answer.text) as { __type: string; message: string };
    expect(body).toEqual({ __type: expect.stringMatching(/^[A-Z][A-Za-z]+$/), message: expect.any(String) });
    expect(body.message.length).toBeGreaterThan(0);
    expect(answer.headers['x-amzn-errortype']).toBe(body.__type);
    return body;
  }

  it('has bombs of about 1 MB that really inflate to 1 GiB', async () => {
    expect(bombs.gzip.length).toBeLessThan(1.1 * 1000 * 1000);
    expect(bombs.deflate.length).toBeLessThan(1.1 * 1000 * 1000);
    expect(await inflatedSize(bombs.gzip, 'gzip')).toBe(GiB);
    expect(await inflatedSize(bombs.deflate, 'deflate')).toBe(GiB);
  });

  describe('the CloudWatch Logs endpoint (edge)', () => {
    it.each(['gzip', 'deflate'] as const)(
      'refuses a PutLogEvents body compressed with %s that inflates to 1 GiB, within the memory bound',
      async (encoding) => {
        const answer = await send(edgePort, 'POST', '/', { ...LOGS_HEADERS, 'content-encoding': encoding }, { kind: 'buffer', bytes: bombs[encoding] });
        record('edge', `PutLogEvents ${encoding} bomb (1 GiB inflated)`, answer);

        // Not inflated: the compressed bytes are not a JSON document.
        expect(expectAwsRefusal(answer, [400, 413, 415]).__type).toMatch(/SerializationException|RequestEntityTooLargeException|UnsupportedMediaType/);
        expect(answer.rssGrowth).toBeLessThan(RSS_BOUND_BYTES);
        await expectEdgeServing();
      },
    );

    it.each([
      ['streamed without a length', false],
      ['with a content-length', true],
    ] as const)('refuses a 50 MB plain PutLogEvents body %s with 413, within the memory bound', async (how, declareLength) => {
      const answer = await send(edgePort, 'POST', '/', LOGS_HEADERS, { kind: 'stream', bytes: STREAMED_BYTES, declareLength });
      record('edge', `PutLogEvents 50 MB plain, ${how}`, answer);

      expect(expectAwsRefusal(answer, [413]).__type).toBe('RequestEntityTooLargeException');
      expect(answer.rssGrowth).toBeLessThan(RSS_BOUND_BYTES);
      await expectEdgeServing();
    });
  });

  describe('the API gateway', () => {
    it.each(['gzip', 'deflate'] as const)(
      'refuses a login body compressed with %s that inflates to 1 GiB with a 4xx naming the problem, within the memory bound',
      async (encoding) => {
        const answer = await send(
          apiPort,
          'POST',
          '/api/auth/login',
          { 'content-type': 'application/json', 'content-encoding': encoding },
          { kind: 'buffer', bytes: bombs[encoding] },
        );
        record('gateway', `login ${encoding} bomb (1 GiB inflated)`, answer);

        expect([400, 413, 415]).toContain(answer.status);
        const body = JSON.parse(answer.text) as { message?: unknown; error?: { code?: unknown; message?: unknown } };
        // Past the gateway: the API's { error: { code, message } }; refused by the gateway itself: API Gateway's { message }.
        if (body.error !== undefined) expect(body.error).toMatchObject({ code: expect.any(String), message: expect.any(String) });
        else expect(body).toEqual({ message: expect.any(String) });
        expect(answer.rssGrowth).toBeLessThan(RSS_BOUND_BYTES);
        await expectGatewayServing();
      },
    );

    it.each([
      ['streamed without a length', false],
      ['with a content-length', true],
    ] as const)('refuses a 50 MB login body %s with 413, within the memory bound', async (how, declareLength) => {
      const answer = await send(
        apiPort,
        'POST',
        '/api/auth/login',
        { 'content-type': 'application/json' },
        { kind: 'stream', bytes: STREAMED_BYTES, declareLength },
      );
      record('gateway', `login 50 MB plain, ${how}`, answer);

      expect(answer.status).toBe(413);
      expect(JSON.parse(answer.text)).toEqual({ message: expect.any(String) });
      expect(answer.rssGrowth).toBeLessThan(RSS_BOUND_BYTES);
      await expectGatewayServing();
    });

    it('refuses a 50 MB body to a route that needs a token with 401 before reading it, and keeps serving', async () => {
      const answer = await send(
        apiPort,
        'POST',
        '/api/users',
        { 'content-type': 'application/json' },
        { kind: 'stream', bytes: STREAMED_BYTES, declareLength: false },
      );
      record('gateway', 'create-user 50 MB plain, no token', answer);

      expect(answer.status).toBe(401);
      expect(JSON.parse(answer.text)).toEqual({ message: expect.any(String) });
      expect(answer.rssGrowth).toBeLessThan(RSS_BOUND_BYTES);
      await expectGatewayServing();
    });
  });
});
