import { afterAll, beforeAll, beforeEach, describe, expect, it } from '@jest/globals';
import { gzipSync } from 'node:zlib';
import type { CloudWatchLogsEvent } from 'aws-lambda';
import { ValidationError } from '../../src/domain/errors.js';
import { createIngestHandler } from '../../src/handlers/ingest.js';
import type { IncidentDelta } from '../../src/domain/incident.js';
import type { Notifier } from '../../src/ports.js';
import type { WorkflowInput } from '../../src/use-cases/workflow.js';
import { withDefaults } from '../../src/config.js';
import { buildServices, type Services } from '../../src/wiring.js';
import { ensureTables, startDynalite } from '../../../infra/src/local/dynamodb.js';
import { localTableNames } from '../../../infra/src/tables.js';

class RecordingNotifier implements Notifier {
  readonly sent: Array<{ type: string; data: unknown }> = [];
  async publish(type: string, data: unknown) {
    this.sent.push({ type, data });
    return { seq: this.sent.length, delivered: 1, gone: 0 };
  }
}

function awslogs(data: unknown): CloudWatchLogsEvent {
  return { awslogs: { data: gzipSync(Buffer.from(JSON.stringify(data))).toString('base64') } };
}

const line = (orderId: string, store = 'store-001') =>
  `[2026-11-26T12:00:00.000Z] [ERROR] Product 999 has no price | {"code":"MISSING_PRICE","orderId":"${orderId}","storeId":"${store}","kioskId":"kiosk-02","productId":"999"}`;

function batch(events: Array<{ id: string; message: string; timestamp?: number }>, logStream = 'store-009/kiosk-09') {
  return awslogs({
    messageType: 'DATA_MESSAGE',
    owner: '000000000000',
    logGroup: '/stacklens/pos',
    logStream,
    subscriptionFilters: ['stacklens-errors'],
    logEvents: events.map((e) => ({ timestamp: Date.parse('2026-11-26T12:00:00Z'), ...e })),
  });
}

describe('Handler: ingest', () => {
  let dynamo: Awaited<ReturnType<typeof startDynalite>>;
  let services: Services;
  let notifier: RecordingNotifier;
  let handler: ReturnType<typeof createIngestHandler>;
  let prefix = 0;

  beforeAll(async () => {
    dynamo = await startDynalite({ port: 0, host: '127.0.0.1' });
  });
  afterAll(async () => {
    await dynamo.close();
  });
  beforeEach(async () => {
    // Fresh tables per test keep counts independent without restarting the emulator.
    const tables = localTableNames(`t${++prefix}`);
    await ensureTables(dynamo.endpoint, tables);
    services = buildServices(withDefaults({ tables, dynamodbEndpoint: dynamo.endpoint, retentionDays: 1 }));
    notifier = new RecordingNotifier();
    handler = createIngestHandler({ incidents: services.incidents, stats: services.stats, notifier });
  });

  it('counts a redelivered event once', async () => {
    const event = batch([
      { id: '1', message: line('ORD-1') },
      { id: '2', message: line('ORD-2') },
    ]);
    await handler(event);
    const again = await handler(event);
    expect(again.skipped).toEqual({ duplicate: 2 });
    const { items } = await services.incidents.list({ limit: 10 });
    expect(items).toHaveLength(1);
    expect(items[0]!.occurrences).toBe(2);
    expect(notifier.sent.map((m) => m.type)).toEqual(['incident.created']);
  });

  it('counts a record once when one delivery carries it twice (CloudWatch Logs merged a put and its re-send)', async () => {
    const merged = batch([
      { id: '101', message: `sl1:0123456789ab:1k ${line('ORD-1')}` },
      { id: '102', message: `sl1:0123456789ab:2z ${line('ORD-2')}` },
      { id: '201', message: `sl1:0123456789ab:1k ${line('ORD-1')}` },
      { id: '202', message: `sl1:0123456789ab:2z ${line('ORD-2')}` },
    ]);

    const result = await handler(merged);

    expect(result.skipped).toEqual({ duplicate: 2 });
    const { items } = await services.incidents.list({ limit: 10 });
    expect(items.map((i) => i.occurrences)).toEqual([2]);
  });

  it('counts a record the agent re-sent (new CloudWatch id, same stable id) once, and strips the id before analysis', async () => {
    const first = batch([{ id: '101', message: `sl1:0123456789ab:1k ${line('ORD-1')}` }]);
    const resent = batch([
      { id: '202', message: `sl1:0123456789ab:1k ${line('ORD-1')}` },
      { id: '203', message: `sl1:0123456789ab:2z ${line('ORD-2')}` },
    ]);
    // The same file offset on another kiosk's stream is a different record.
    const otherKiosk = batch([{ id: '301', message: `sl1:0123456789ab:1k ${line('ORD-1')}` }], 'store-010/kiosk-01');

    await handler(first);
    const again = await handler(resent);
    await handler(otherKiosk);

    expect(again.skipped).toEqual({ duplicate: 1 });
    const { items } = await services.incidents.list({ limit: 10 });
    expect(items).toHaveLength(1);
    expect(items[0]!.code).toBe('MISSING_PRICE');
    expect(items[0]!.occurrences).toBe(3);
    expect(items[0]!.sample.startsWith('[2026-11-26T12:00:00.000Z] [ERROR]')).toBe(true);
  });

  describe('a delivery that died after counting and before flagging its occurrences counted', () => {
    // The process dies (Lambda timeout, SIGKILL) between the incident's increment and the occurrence flags.
    const dyingOnce = () => {
      let died = false;
      const incidents = Object.create(services.incidents) as Services['incidents'];
      incidents.markCounted = async (occurrences) => {
        if (!died) {
          died = true;
          throw new Error('process killed');
        }
        return services.incidents.markCounted(occurrences);
      };
      return createIngestHandler({ incidents, stats: services.stats, notifier });
    };
    const first = () =>
      batch([
        { id: '401', message: `sl1:0123456789ab:1k ${line('ORD-1')}` },
        { id: '402', message: `sl1:0123456789ab:2k ${line('ORD-2')}` },
      ]);

    it('is not counted again when the same delivery is retried', async () => {
      await expect(dyingOnce()(first())).rejects.toThrow('process killed');
      const retry = await handler(first());
      const { items } = await services.incidents.list({ limit: 10 });
      expect(items[0]!.occurrences).toBe(2);
      expect(retry).toMatchObject({ recorded: 2 });
      // Settled: a third delivery finds every occurrence flagged, and the incident holds no batch in progress.
      expect((await handler(first())).skipped).toEqual({ duplicate: 2 });
      expect((await services.incidents.list({ limit: 10 })).items[0]!.occurrences).toBe(2);
    });

    it('is not counted again when the agent re-sends its records in a differently cut batch', async () => {
      await expect(dyingOnce()(first())).rejects.toThrow('process killed');
      // The agent restarted from its checkpoint: the same records under new CloudWatch ids, plus one new one.
      const resent = batch([
        { id: '501', message: `sl1:0123456789ab:1k ${line('ORD-1')}` },
        { id: '502', message: `sl1:0123456789ab:2k ${line('ORD-2')}` },
        { id: '503', message: `sl1:0123456789ab:3k ${line('ORD-3')}` },
      ]);
      const again = await handler(resent);
      expect(again.skipped).toEqual({ duplicate: 2 });
      expect((await services.incidents.list({ limit: 10 })).items[0]!.occurrences).toBe(3);
    });

    it('is counted when the delivery died before the increment, whoever delivers it next', async () => {
      const incidents = Object.create(services.incidents) as Services['incidents'];
      incidents.applyDelta = async () => {
        throw new Error('process killed');
      };
      await expect(createIngestHandler({ incidents, stats: services.stats, notifier })(first())).rejects.toThrow('process killed');
      const resent = batch([
        { id: '601', message: `sl1:0123456789ab:1k ${line('ORD-1')}` },
        { id: '602', message: `sl1:0123456789ab:2k ${line('ORD-2')}` },
      ]);
      expect(await handler(resent)).toMatchObject({ recorded: 2 });
      expect((await services.incidents.list({ limit: 10 })).items[0]!.occurrences).toBe(2);
    });
  });

  it('stores no card number that reached the log group without the agent redacting it', async () => {
    const digits = ['5555', '5555', '5555', '4444'];
    await handler(
      batch([
        { id: '701', message: `[2026-11-26T12:00:00.000Z] [ERROR] Card declined for ${digits.join('-')} | {"code":"CARD_DECLINED","storeId":"store-001"}` },
      ]),
    );
    const { items } = await services.incidents.list({ limit: 10 });
    const stored = JSON.stringify([items, await services.incidents.recentOccurrences(items[0]!.id, 10)]);
    expect(stored).not.toMatch(/5555.?5555.?5555.?4444/);
    expect(stored).toContain('555555******4444');
  });

  it('takes store and kiosk from the record before the stream name', async () => {
    await handler(
      batch([
        { id: '1', message: line('ORD-1', 'store-042') },
        { id: '2', message: 'Payment declined: no code here, level missing' },
      ]),
    );
    const { items } = await services.incidents.list({ limit: 10 });
    expect(items[0]!.storeCounts).toEqual({ 'store-042': 1 });
    expect(await services.incidents.kioskCounts(items[0]!.id)).toEqual({ 'store-042/kiosk-02': 1 });
  });

  it.each([
    ['payload_missing', { awslogs: {} }],
    ['payload_not_gzip', { awslogs: { data: Buffer.from('plain text, not gzip').toString('base64') } }],
    ['payload_not_json', { awslogs: { data: gzipSync('not json').toString('base64') } }],
    ['payload_invalid', awslogs({ messageType: 'DATA_MESSAGE', logEvents: 'nope' })],
    ['payload_too_large', { awslogs: { data: gzipSync(Buffer.alloc(17 * 1024 * 1024, 32)).toString('base64') } }],
  ])('skips a corrupt payload (%s) with a counted reason instead of throwing', async (reason, event) => {
    const result = await handler(event as CloudWatchLogsEvent);
    expect(result.skipped).toEqual({ [reason]: 1 });
    expect(await services.stats.read('ingest.skipped')).toEqual({ [reason]: 1 });
  });

  it('ignores CONTROL_MESSAGE reachability checks', async () => {
    const result = await handler(
      awslogs({ messageType: 'CONTROL_MESSAGE', owner: 'CloudwatchLogs', logGroup: 'g', logStream: 's', subscriptionFilters: [], logEvents: [] }),
    );
    expect(result).toEqual({ received: 0, skipped: {} });
  });

  it('counts non-error lines as skipped, not as incidents', async () => {
    const result = await handler(batch([{ id: '1', message: '[2026-11-26T12:00:00.000Z] [INFO] Order ORD-1 completed total=12.50' }]));
    expect(result.skipped).toEqual({ not_error: 1 });
    expect((await services.incidents.list({ limit: 10 })).items).toHaveLength(0);
  });
});

describe('Handler: ingest starting the workflow', () => {
  let dynamo: Awaited<ReturnType<typeof startDynalite>>;
  let services: Services;
  const starts: WorkflowInput[] = [];
  let clock = Date.parse('2026-11-26T12:00:00.000Z');
  let handler: ReturnType<typeof createIngestHandler>;

  beforeAll(async () => {
    dynamo = await startDynalite({ port: 0, host: '127.0.0.1' });
    const tables = localTableNames('wf');
    await ensureTables(dynamo.endpoint, tables);
    services = buildServices(withDefaults({ tables, dynamodbEndpoint: dynamo.endpoint }));
    const names = new Set<string>();
    handler = createIngestHandler({
      incidents: services.incidents,
      stats: services.stats,
      notifier: new RecordingNotifier(),
      workflow: {
        start: async (input) => {
          if (names.has(input.execution)) return 'exists';
          names.add(input.execution);
          starts.push(input);
          return 'started';
        },
      },
      commentWindowMinutes: async () => 10,
      now: () => new Date(clock),
    });
  });
  afterAll(async () => {
    await dynamo.close();
  });

  let nextId = 0;
  const occurrences = (n: number) => batch(Array.from({ length: n }, () => ({ id: `e${++nextId}`, message: line(`ORD-${nextId}`), timestamp: clock })));

  it('starts one workflow per new incident, comments at most once per window, and reopens a resolved incident once', async () => {
    await handler(occurrences(1));
    await handler(occurrences(1));
    expect(starts.map((s) => s.mode)).toEqual(['new']);
    const id = starts[0]!.incidentId;

    // The workflow opened a ticket while 2 occurrences were known.
    await services.incidents.claimTicket(id, 'exec-1', new Date(clock).toISOString(), '2000-01-01');
    await services.incidents.finishTicket(
      id,
      'exec-1',
      { status: 'created', key: 'OPS-1', url: 'https://x.atlassian.net/browse/OPS-1', occurrences: 2 },
      new Date(clock).toISOString(),
    );

    clock += 5 * 60_000;
    await handler(occurrences(3));
    expect(starts).toHaveLength(1);

    clock += 6 * 60_000;
    await handler(occurrences(4));
    await handler(occurrences(1));
    expect(starts.map((s) => s.mode)).toEqual(['new', 'recurrence']);
    expect(starts[1]!.previousOccurrences).toBe(2);

    clock += 11 * 60_000;
    await handler(occurrences(1));
    expect(starts.map((s) => s.mode)).toEqual(['new', 'recurrence', 'recurrence']);
    expect(starts[2]!.previousOccurrences).toBe(9);

    await services.incidents.setStatus(id, 'resolved', new Date(clock).toISOString());
    await Promise.all([handler(occurrences(1)), handler(occurrences(1))]);
    expect(starts.filter((s) => s.mode === 'regression')).toHaveLength(1);
    const incident = await services.incidents.get(id);
    expect(incident!.status).toBe('open');
    expect(incident!.regressions).toBe(1);
  });
});

describe('Adapter: DynamoIncidentStore', () => {
  let dynamo: Awaited<ReturnType<typeof startDynalite>>;
  let services: Services;

  beforeAll(async () => {
    dynamo = await startDynalite({ port: 0, host: '127.0.0.1' });
    const tables = localTableNames('store');
    await ensureTables(dynamo.endpoint, tables);
    services = buildServices(withDefaults({ tables, dynamodbEndpoint: dynamo.endpoint, retentionDays: 1 }));
  });
  afterAll(async () => {
    await dynamo.close();
  });

  const delta = (id: string, overrides: Partial<IncidentDelta> = {}): IncidentDelta => ({
    id,
    fingerprint: id,
    code: 'PRINTER_JAM',
    title: 'PRINTER_JAM: Receipt printer jammed',
    severity: 'medium',
    category: 'hardware',
    template: 'Receipt printer jammed',
    count: 1,
    storeCounts: { 'store-001': 1 },
    kioskCounts: { 'store-001/k1': 1 },
    minuteCounts: { '2026-11-26T12:00': 1 },
    firstSeen: '2026-11-26T12:00:00.000Z',
    lastSeen: '2026-11-26T12:00:00.000Z',
    sample: 'sample',
    ...overrides,
  });

  it('creates an incident exactly once when 20 writers race, and loses no count', async () => {
    const results = await Promise.all(
      Array.from({ length: 20 }, (_, i) => services.incidents.applyDelta(delta('00000000000000aa', { storeCounts: { [`store-${i % 4}`]: 1 } }))),
    );
    expect(results.filter((r) => r.created)).toHaveLength(1);
    const incident = await services.incidents.get('00000000000000aa');
    expect(incident!.occurrences).toBe(20);
    expect(incident!.storeCounts).toEqual({ 'store-0': 5, 'store-1': 5, 'store-2': 5, 'store-3': 5 });
  });

  it('counts a late batch without moving lastSeen backwards, and moves firstSeen earlier', async () => {
    await services.incidents.applyDelta(delta('00000000000000bb', { lastSeen: '2026-11-26T12:10:00.000Z', firstSeen: '2026-11-26T12:05:00.000Z' }));
    const late = await services.incidents.applyDelta(
      delta('00000000000000bb', { firstSeen: '2026-11-26T11:00:00.000Z', lastSeen: '2026-11-26T11:01:00.000Z', sample: 'late' }),
    );
    expect(late.incident.occurrences).toBe(2);
    expect(late.incident.lastSeen).toBe('2026-11-26T12:10:00.000Z');
    expect(late.incident.firstSeen).toBe('2026-11-26T11:00:00.000Z');
    expect(late.incident.sample).toBe('sample');
  });

  it('pages newest first with filters and a cursor that resumes exactly', async () => {
    for (let i = 0; i < 7; i++) {
      await services.incidents.applyDelta(
        delta(`page00000000000${i}`, { code: i % 2 ? 'DB_DEADLOCK' : 'PRINTER_JAM', lastSeen: `2026-11-27T00:00:0${i}.000Z` }),
      );
    }
    const seen: string[] = [];
    let cursor: string | undefined;
    do {
      const page = await services.incidents.list({ code: 'DB_DEADLOCK', limit: 2, ...(cursor ? { cursor } : {}) });
      seen.push(...page.items.map((i) => i.id));
      cursor = page.nextCursor;
    } while (cursor);
    expect(seen).toEqual(['page000000000005', 'page000000000003', 'page000000000001']);
  });

  it('refuses a cursor it did not issue', async () => {
    await expect(services.incidents.list({ limit: 2, cursor: 'garbage' })).rejects.toBeInstanceOf(ValidationError);
  });
});
