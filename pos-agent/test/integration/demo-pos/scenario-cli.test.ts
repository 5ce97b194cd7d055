import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import { parseRecords, type ParsedRecord } from '../../../src/demo-pos/log-format.js';
import { runScenarioCommand } from '../../../src/demo-pos/scenario-cli.js';
import { startDemoPos, type DemoPos } from '../../../src/demo-pos/server.js';

let dir: string;
let logFile: string;
let pos: DemoPos;

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'demo-pos-cli-'));
  logFile = join(dir, 'logs', 'pos-application.log');
  pos = await startDemoPos({ port: 0, logFile });
});

afterAll(async () => {
  await pos.close();
  await rm(dir, { recursive: true, force: true });
});

function sink(): { stream: Writable; text: () => string } {
  const chunks: string[] = [];
  return {
    stream: new Writable({
      write(chunk: Buffer, _encoding, callback) {
        chunks.push(chunk.toString());
        callback();
      },
    }),
    text: () => chunks.join(''),
  };
}

async function cli(argv: string[], env: NodeJS.ProcessEnv = { STACKLENS_POS_URL: pos.url }, signal?: AbortSignal): Promise<{ code: number; stdout: string; stderr: string }> {
  const stdout = sink();
  const stderr = sink();
  const code = await runScenarioCommand(argv, { stdout: stdout.stream, stderr: stderr.stream, env, ...(signal === undefined ? {} : { signal }) });
  return { code, stdout: stdout.text(), stderr: stderr.text() };
}

async function recordsWithCode(code: string): Promise<ParsedRecord[]> {
  return parseRecords(await readFile(logFile, 'utf8')).filter((r) => r.details?.code === code);
}

describe('stacklens scenario run against a real demo POS', () => {
  it('logs the requested count, rotating through three stores and four kiosks', async () => {
    const result = await cli(['run', 'receipt-printer-jam', '--count', '12']);
    expect(result.stderr).toBe('');
    expect(result.code).toBe(0);
    expect(result.stdout).toMatch(/^Triggered 12 x receipt-printer-jam \(PRINTER_JAM\) across 12 store\/kiosk pair\(s\) in \d+ms\n$/);
    const logged = await recordsWithCode('PRINTER_JAM');
    expect(logged).toHaveLength(12);
    const pairs = new Set(logged.map((r) => `${String(r.details?.storeId)}/${String(r.details?.kioskId)}`));
    expect(pairs.size).toBe(12);
    expect(new Set(logged.map((r) => r.details?.storeId))).toEqual(new Set(['store-001', 'store-002', 'store-003']));
    expect(new Set(logged.map((r) => r.details?.kioskId))).toEqual(new Set(['kiosk-01', 'kiosk-02', 'kiosk-03', 'kiosk-04']));
    expect(new Set(logged.map((r) => r.details?.orderId)).size).toBe(12);
  });

  it('uses the given store and kiosk, and splits counts above the per-request limit', async () => {
    const result = await cli(['run', 'time-sync-error', '--count', '1500', '--store', 'store-900', '--kiosk', 'kiosk-77']);
    expect(result.code).toBe(0);
    const logged = await recordsWithCode('TIME_SYNC_ERROR');
    expect(logged).toHaveLength(1500);
    for (const record of logged) expect(record.details).toMatchObject({ storeId: 'store-900', kioskId: 'kiosk-77' });
  });

  it('spreads occurrences at a rate and reports the achieved rate', async () => {
    const result = await cli(['run', 'ui-thread-blocked', '--count', '10', '--rate', '40', '--store', 'store-010']);
    expect(result.code).toBe(0);
    expect(result.stdout).toContain('Triggering 10 x ui-thread-blocked (UI_FREEZE) at 40/s');
    expect(result.stdout).toMatch(/Sent 10\/10 in \d+\.\d{2}s: achieved \d+\.\d\/s \(target 40\/s\)\n$/);
    const logged = await recordsWithCode('UI_FREEZE');
    expect(logged).toHaveLength(10);
    // With only --store given, kiosks still rotate.
    expect(new Set(logged.map((r) => r.details?.kioskId)).size).toBe(4);
  });

  it('stops load generation when interrupted and says how far it got', async () => {
    const controller = new AbortController();
    const running = cli(['run', 'cpu-overload', '--count', '1000', '--rate', '5'], { STACKLENS_POS_URL: pos.url }, controller.signal);
    // Abort once the first occurrence has reached the log, so the run is known to be under way.
    while ((await recordsWithCode('CPU_OVERLOAD').catch(() => [])).length === 0) await new Promise((resolve) => setTimeout(resolve, 20));
    controller.abort();
    const result = await running;
    expect(result.code).toBe(130);
    expect(result.stdout).toMatch(/Interrupted\. Sent \d+\/1000 in/);
    expect((await recordsWithCode('CPU_OVERLOAD')).length).toBeLessThan(1000);
  });

  it('reads the POS address from POS_PORT when STACKLENS_POS_URL is not set', async () => {
    const port = new URL(pos.url).port;
    const result = await cli(['run', 'font-render-failure'], { POS_PORT: port });
    expect(result.code).toBe(0);
    expect(await recordsWithCode('FONT_RENDER_FAIL')).toHaveLength(1);
  });

  it('exits 2 with a clear message when the POS is unreachable', async () => {
    // A port that was just free: bind, note it, release it.
    const probe = createServer();
    await new Promise<void>((resolve) => probe.listen(0, '127.0.0.1', resolve));
    const { port } = probe.address() as AddressInfo;
    await new Promise<void>((resolve) => probe.close(() => resolve()));
    const result = await cli(['run', 'missing-price'], { STACKLENS_POS_URL: `http://127.0.0.1:${port}` });
    expect(result.code).toBe(2);
    expect(result.stderr).toContain(`cannot reach the demo POS at http://127.0.0.1:${port} (ECONNREFUSED)`);
    expect(result.stderr).toContain('STACKLENS_POS_URL');
  });

  it('exits 1 when the POS does not know the scenario', async () => {
    // Something that answers 404 for every trigger, like a POS from an older build would for a new scenario.
    const old = createServer((_req, res) => {
      res.writeHead(404, { 'content-type': 'application/json' });
      res.end(JSON.stringify({ error: { code: 'NOT_FOUND', message: 'Unknown scenario "missing-price"' } }));
    });
    await new Promise<void>((resolve) => old.listen(0, '127.0.0.1', resolve));
    const { port } = old.address() as AddressInfo;
    try {
      const result = await cli(['run', 'missing-price'], { STACKLENS_POS_URL: `http://127.0.0.1:${port}` });
      expect(result.code).toBe(1);
      expect(result.stderr).toContain('does not know scenario "missing-price": Unknown scenario "missing-price"');
    } finally {
      old.closeAllConnections();
      await new Promise<void>((resolve) => old.close(() => resolve()));
    }
  });
});
