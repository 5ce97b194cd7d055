import { afterEach, describe, expect, it } from '@jest/globals';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { AgentStats } from '../../../src/agent/agent.js';
import { AgentError } from '../../../src/agent/errors.js';
import { PROMETHEUS_CONTENT_TYPE, renderPrometheus, startMetricsServer, type MetricsServer } from '../../../src/agent/metrics.js';
import { makeStats } from './stats-fixture.js';

interface Sample {
  readonly name: string;
  readonly labels: Record<string, string>;
  readonly value: number;
}

interface Exposition {
  readonly help: Map<string, string>;
  readonly type: Map<string, string>;
  readonly samples: Sample[];
}

// A strict reader of the text format: every line must be HELP, TYPE or a sample, and a sample's family must have been
// introduced by HELP and TYPE before it.
function parseExposition(text: string): Exposition {
  expect(text.endsWith('\n')).toBe(true);
  const help = new Map<string, string>();
  const type = new Map<string, string>();
  const samples: Sample[] = [];
  for (const line of text.slice(0, -1).split('\n')) {
    const meta = /^# (HELP|TYPE) ([a-zA-Z_:][a-zA-Z0-9_:]*) (.*)$/.exec(line);
    if (meta !== null) {
      (meta[1] === 'HELP' ? help : type).set(meta[2] as string, meta[3] as string);
      continue;
    }
    const sample = /^([a-zA-Z_:][a-zA-Z0-9_:]*)\{((?:[a-zA-Z_][a-zA-Z0-9_]*="(?:[^"\\\n]|\\.)*",?)*)\} (\S+)$/.exec(line);
    if (sample === null) throw new Error(`Not a valid exposition line: ${JSON.stringify(line)}`);
    const name = sample[1] as string;
    expect(help.has(name)).toBe(true);
    expect(type.has(name)).toBe(true);
    const labels: Record<string, string> = {};
    for (const [, key, raw] of (sample[2] as string).matchAll(/([a-zA-Z_][a-zA-Z0-9_]*)="((?:[^"\\]|\\.)*)"/g)) {
      labels[key as string] = (raw as string).replace(/\\(.)/g, (_, c: string) => (c === 'n' ? '\n' : c));
    }
    samples.push({ name, labels, value: Number(sample[3]) });
  }
  return { help, type, samples };
}

function sampleValue(parsed: Exposition, name: string, extra: Record<string, string> = {}): number | undefined {
  return parsed.samples.find((s) => s.name === name && Object.entries(extra).every(([k, v]) => s.labels[k] === v))?.value;
}

describe('Function: renderPrometheus', () => {
  it('introduces every metric with HELP and TYPE and labels every sample with store and kiosk', () => {
    // Act
    const parsed = parseExposition(renderPrometheus(makeStats(), { store: 'store-12', kiosk: 'kiosk-4' }));

    // Assess
    expect(parsed.samples.length).toBeGreaterThan(20);
    expect([...parsed.help.keys()].sort()).toEqual([...parsed.type.keys()].sort());
    for (const sample of parsed.samples) expect(sample.labels).toMatchObject({ store: 'store-12', kiosk: 'kiosk-4' });
  });

  it('types counters with a _total suffix and lag, pending and buffered amounts as gauges', () => {
    const parsed = parseExposition(renderPrometheus(makeStats(), { store: 's', kiosk: 'k' }));

    for (const [name, type] of parsed.type) {
      if (type === 'counter') expect(name).toMatch(/_total$/);
      else expect(name).not.toMatch(/_total$/);
    }
    for (const gauge of ['lag_bytes', 'pending_records', 'pending_bytes', 'buffered_records', 'buffered_bytes']) {
      expect(parsed.type.get(`stacklens_agent_${gauge}`)).toBe('gauge');
    }
  });

  it('reports each stat under its metric name', () => {
    const parsed = parseExposition(renderPrometheus(makeStats(), { store: 's', kiosk: 'k' }));

    expect(sampleValue(parsed, 'stacklens_agent_lines_read_total')).toBe(120);
    expect(sampleValue(parsed, 'stacklens_agent_records_shipped_total')).toBe(100);
    expect(sampleValue(parsed, 'stacklens_agent_shipped_bytes_total')).toBe(9_000);
    expect(sampleValue(parsed, 'stacklens_agent_retries_total')).toBe(4);
    expect(sampleValue(parsed, 'stacklens_agent_lag_bytes')).toBe(512);
    expect(sampleValue(parsed, 'stacklens_agent_buffered_bytes')).toBe(300);
    expect(sampleValue(parsed, 'stacklens_agent_last_ship_timestamp_seconds')).toBe(1_764_158_400);
  });

  it('gives every numeric stat exactly one sample', () => {
    // Prepare: a distinct value per stat, so a stat wired to the wrong metric would show.
    const stats = makeStats();
    const numericKeys = Object.keys(stats).filter((key) => typeof stats[key as keyof AgentStats] === 'number') as (keyof AgentStats)[];
    numericKeys.forEach((key, i) => Object.assign(stats, { [key]: key === 'lastShipAt' ? 1_000_000 : 2000 + i }));

    // Act
    const parsed = parseExposition(renderPrometheus(stats, { store: 's', kiosk: 'k' }));

    // Assess
    const unlabelled = parsed.samples.filter((s) => Object.keys(s.labels).length === 2);
    const byValue = (a: number, b: number): number => a - b;
    expect(unlabelled.map((s) => s.value).sort(byValue)).toEqual(
      numericKeys.map((key) => (key === 'lastShipAt' ? 1000 : (stats[key] as number))).sort(byValue),
    );
  });

  it('writes one labelled series per skip reason and per redaction kind', () => {
    const parsed = parseExposition(renderPrometheus(makeStats(), { store: 's', kiosk: 'k' }));

    expect(parsed.samples.filter((s) => s.name === 'stacklens_agent_lines_skipped_total').map((s) => [s.labels['reason'], s.value])).toEqual([
      ['binary', 2],
      ['blank', 3],
      ['redact-failed', 0],
    ]);
    expect(parsed.samples.filter((s) => s.name === 'stacklens_agent_redactions_total').map((s) => [s.labels['kind'], s.value])).toEqual([
      ['cvv', 1],
      ['pan', 3],
    ]);
  });

  it('leaves out the last-ship sample until a batch has been accepted', () => {
    const { lastShipAt: _omitted, ...neverShipped } = makeStats();

    const parsed = parseExposition(renderPrometheus(neverShipped, { store: 's', kiosk: 'k' }));

    expect(parsed.type.get('stacklens_agent_last_ship_timestamp_seconds')).toBe('gauge');
    expect(sampleValue(parsed, 'stacklens_agent_last_ship_timestamp_seconds')).toBeUndefined();
  });

  it('escapes backslashes, quotes and newlines in label values', () => {
    // Prepare: ids are validated upstream, but the renderer must not rely on that.
    const awkward = 'a\\b"c\nd';
    const stats = makeStats({ redactions: { [awkward]: 1 } });

    // Act
    const text = renderPrometheus(stats, { store: awkward, kiosk: 'k' });
    const parsed = parseExposition(text);

    // Assess
    expect(text).toContain('store="a\\\\b\\"c\\nd"');
    expect(parsed.samples.find((s) => s.name === 'stacklens_agent_redactions_total')?.labels).toEqual({ store: awkward, kiosk: 'k', kind: awkward });
  });
});

describe('Function: startMetricsServer', () => {
  let server: MetricsServer | undefined;

  afterEach(async () => {
    await server?.close();
    server = undefined;
  });

  it('serves the rendered stats on GET /metrics with the 0.0.4 content type', async () => {
    // Prepare
    let linesRead = 1;
    server = await startMetricsServer({ port: 0, stats: () => makeStats({ linesRead }), labels: { store: 's1', kiosk: 'k1' } });

    // Act
    const first = await fetch(server.url);
    const firstBody = await first.text();
    linesRead = 2;
    const second = await (await fetch(server.url)).text();

    // Assess
    expect(server.url).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/metrics$/);
    expect(first.status).toBe(200);
    expect(first.headers.get('content-type')).toBe(PROMETHEUS_CONTENT_TYPE);
    expect(firstBody).toBe(renderPrometheus(makeStats({ linesRead: 1 }), { store: 's1', kiosk: 'k1' }));
    expect(second).toContain('stacklens_agent_lines_read_total{store="s1",kiosk="k1"} 2\n');
  });

  it('answers GET /healthz with 200 and unknown paths with 404', async () => {
    server = await startMetricsServer({ port: 0, stats: () => makeStats(), labels: { store: 's1', kiosk: 'k1' } });
    const base = server.url.replace(/\/metrics$/, '');

    const health = await fetch(`${base}/healthz`);
    const missing = await fetch(`${base}/nope`);

    expect([health.status, await health.text()]).toEqual([200, 'ok\n']);
    expect(missing.status).toBe(404);
  });

  it('answers other methods than GET and HEAD with 405 and an Allow header', async () => {
    server = await startMetricsServer({ port: 0, stats: () => makeStats(), labels: { store: 's1', kiosk: 'k1' } });

    const post = await fetch(server.url, { method: 'POST', body: 'x' });
    const head = await fetch(server.url, { method: 'HEAD' });

    expect(post.status).toBe(405);
    expect(post.headers.get('allow')).toBe('GET, HEAD');
    expect(head.status).toBe(200);
  });

  it('answers 500 without details when the stats cannot be read', async () => {
    server = await startMetricsServer({
      port: 0,
      stats: () => {
        throw new Error('secret detail');
      },
      labels: { store: 's1', kiosk: 'k1' },
    });

    const response = await fetch(server.url);

    expect(response.status).toBe(500);
    expect(await response.text()).not.toContain('secret detail');
  });

  it('stops accepting connections once closed', async () => {
    // Prepare: a kept-alive connection must not hold close() up.
    const started = await startMetricsServer({ port: 0, stats: () => makeStats(), labels: { store: 's1', kiosk: 'k1' } });
    await (await fetch(started.url)).text();

    // Act
    await started.close();

    // Assess
    await expect(fetch(started.url)).rejects.toThrow();
  });

  it('rejects with DEPENDENCY_FAILED naming the address when the port is taken', async () => {
    // Prepare
    const blocker = createServer();
    await new Promise<void>((resolve) => blocker.listen(0, '127.0.0.1', resolve));
    const { port } = blocker.address() as AddressInfo;

    try {
      // Act
      const attempt = startMetricsServer({ port, stats: () => makeStats(), labels: { store: 's1', kiosk: 'k1' } });

      // Assess
      await expect(attempt).rejects.toBeInstanceOf(AgentError);
      await expect(attempt).rejects.toMatchObject({ code: 'DEPENDENCY_FAILED', message: expect.stringContaining(`127.0.0.1:${port}`) });
    } finally {
      await new Promise((resolve) => blocker.close(resolve));
    }
  });
});
