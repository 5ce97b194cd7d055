import { afterAll, beforeAll, beforeEach, describe, expect, it } from '@jest/globals';
import { GetCommand, PutCommand } from '@aws-sdk/lib-dynamodb';
import type { Analysis } from '../../src/domain/analysis/types.js';
import { ValidationError } from '../../src/domain/errors.js';
import type { Incident, IncidentDelta } from '../../src/domain/incident.js';
import { withDefaults } from '../../src/config.js';
import { buildServices, type Services } from '../../src/wiring.js';
import { ensureTables, startDynalite } from '../../../infra/src/local/dynamodb.js';
import { localTableNames } from '../../../infra/src/tables.js';

const ID = 'a1b2c3d4e5f60718';

/** One batch's worth of MISSING_PRICE occurrences at the given timestamps. */
function delta(occurredAt: readonly string[], id = ID): IncidentDelta {
  const minuteCounts: Record<string, number> = {};
  for (const at of occurredAt) minuteCounts[at.slice(0, 16)] = (minuteCounts[at.slice(0, 16)] ?? 0) + 1;
  const sorted = [...occurredAt].sort();
  return {
    id,
    fingerprint: id,
    code: 'MISSING_PRICE',
    title: 'Product has no price',
    severity: 'high',
    category: 'inventory',
    template: 'Product <int> has no price',
    count: occurredAt.length,
    storeCounts: { 'store-001': occurredAt.length },
    kioskCounts: { 'store-001/kiosk-01': occurredAt.length },
    minuteCounts,
    firstSeen: sorted[0]!,
    lastSeen: sorted[sorted.length - 1]!,
    sample: '[ERROR] Product 999 has no price',
  };
}

const at = (hhmm: string, seconds = '00') => `2026-11-26T${hhmm}:${seconds}.000Z`;
const total = (incident: Incident) => (incident.recent?.counts ?? []).reduce((a, b) => a + b, 0);
const later = (iso: string, ms: number) => new Date(Date.parse(iso) + ms).toISOString();

describe('DynamoIncidentStore', () => {
  let dynamo: Awaited<ReturnType<typeof startDynalite>>;
  let services: Services;
  let tables: ReturnType<typeof localTableNames>;
  let prefix = 0;

  const storedMinutes = async (id = ID) => {
    const out = await services.db.send(new GetCommand({ TableName: tables.incidents, Key: { id }, ConsistentRead: true }));
    return (out.Item?.recentMinutes ?? {}) as Record<string, number>;
  };

  beforeAll(async () => {
    dynamo = await startDynalite({ port: 0, host: '127.0.0.1' });
  });
  afterAll(async () => {
    await dynamo.close();
  });
  beforeEach(async () => {
    tables = localTableNames(`s${++prefix}`);
    await ensureTables(dynamo.endpoint, tables);
    services = buildServices(withDefaults({ tables, dynamodbEndpoint: dynamo.endpoint, retentionDays: 1 }));
  });

  describe('recent occurrences (the sparkline)', () => {
    it('counts occurrences per minute across batches and minutes, in order and late', async () => {
      // Prepare: 7 occurrences over four minutes, the last batch arriving after a newer one (an agent catching up).
      await services.incidents.applyDelta(delta([at('12:00', '05'), at('12:00', '40')]));
      await services.incidents.applyDelta(delta([at('12:02'), at('12:03'), at('12:03', '30')]));

      // Act
      const { incident } = await services.incidents.applyDelta(delta([at('12:01'), at('12:02', '10')]));

      // Assess
      expect(incident.occurrences).toBe(7);
      expect(incident.recent?.start).toBe('2026-11-26T11:04');
      expect(incident.recent?.counts.slice(-4)).toEqual([2, 1, 2, 2]);
      expect(total(incident)).toBe(7);
      expect(await services.incidents.get(ID)).toMatchObject({ recent: incident.recent });
    });

    it('loses no count when many batches for the same minutes are applied at once', async () => {
      await services.incidents.applyDelta(delta([at('12:00')]));
      const batches = Array.from({ length: 20 }, (_, i) => delta([at('12:01', String(i).padStart(2, '0')), at(i % 2 ? '12:02' : '12:01', '59')]));

      await Promise.all(batches.map((b) => services.incidents.applyDelta(b)));

      const incident = (await services.incidents.get(ID))!;
      expect(incident.occurrences).toBe(41);
      expect(total(incident)).toBe(41);
      expect(incident.recent?.counts.slice(-3)).toEqual([1, 30, 10]);
    });

    it('drops minutes that have left the hour before lastSeen from the stored item', async () => {
      await services.incidents.applyDelta(delta([at('10:00'), at('10:30'), at('11:40')]));

      const { incident } = await services.incidents.applyDelta(delta([at('11:45')]));
      // A late batch from long before the window is counted, but its minute is not kept.
      const late = await services.incidents.applyDelta(delta([at('09:15')]));

      expect(Object.keys(await storedMinutes()).sort()).toEqual(['2026-11-26T11:40', '2026-11-26T11:45']);
      expect(total(incident)).toBe(2);
      expect(late.incident.occurrences).toBe(5);
      expect(late.incident.recent).toEqual(incident.recent);
    });

    it('starts counting on an incident stored before recent occurrences existed', async () => {
      // Prepare: the item as earlier versions wrote it, without the per-minute map.
      const { incident: created } = await services.incidents.applyDelta(delta([at('12:00')]));
      const { recent: _recent, ...legacy } = created;
      await services.db.send(new PutCommand({ TableName: tables.incidents, Item: { ...legacy, kind: 'incident' } }));
      expect(await storedMinutes()).toEqual({});

      const { incident } = await services.incidents.applyDelta(delta([at('12:01'), at('12:01', '30')]));

      expect(incident.occurrences).toBe(3);
      expect(incident.recent?.counts.slice(-2)).toEqual([0, 2]);
    });
  });

  describe('updatedAt and list({ updatedSince })', () => {
    const analysis: Analysis = {
      summary: 's',
      rootCause: 'r',
      suggestions: [],
      confidence: 0.5,
      confidenceReason: 'c',
      source: 'builtin',
      similarIncidents: [],
      analyzedAt: '2020-01-01T00:00:00.000Z',
      durationMs: 1,
    };

    it('moves updatedAt and version together on every write that changes the incident', async () => {
      const { incident: first } = await services.incidents.applyDelta(delta([at('12:00')]));
      let previous = first;
      const t = (n: number) => later(first.updatedAt, n * 1000);
      const writes: Array<[string, () => Promise<unknown>]> = [
        ['applyDelta', () => services.incidents.applyDelta(delta([at('12:01')]))],
        ['late applyDelta lowering firstSeen', () => services.incidents.applyDelta(delta([at('11:59')]))],
        ['markWorkflowStarted', () => services.incidents.markWorkflowStarted(ID, t(3))],
        ['setAnalysis', () => services.incidents.setAnalysis(ID, analysis, t(4))],
        ['setStatus', () => services.incidents.setStatus(ID, 'resolved', t(5))],
        ['markRegressed', () => services.incidents.markRegressed(ID, t(6))],
        ['claimTicket', () => services.incidents.claimTicket(ID, 'exec-1', t(7), t(0))],
        ['claimTicket resumed', () => services.incidents.claimTicket(ID, 'exec-1', t(8), t(0))],
        ['updatePendingTicket', () => services.incidents.updatePendingTicket(ID, 'exec-1', { ambiguousAt: t(9) }, t(9))],
        [
          'finishTicket',
          () =>
            services.incidents.finishTicket(
              ID,
              'exec-1',
              { status: 'created', key: 'OPS-1', url: 'https://jira.example.com/browse/OPS-1', occurrences: 3 },
              t(10),
            ),
        ],
      ];
      for (const [name, write] of writes) {
        await write();
        const now = (await services.incidents.get(ID))!;
        expect({ name, newerVersion: now.version > previous.version, laterUpdatedAt: now.updatedAt > previous.updatedAt }).toEqual({
          name,
          newerVersion: true,
          laterUpdatedAt: true,
        });
        previous = now;
      }
      // The analysis was stamped long before it was stored; updatedAt is the store time, not analyzedAt.
      expect(previous.analysis?.analyzedAt).toBe('2020-01-01T00:00:00.000Z');
    });

    it('does not count a second workflow start as a change', async () => {
      await services.incidents.applyDelta(delta([at('12:00')]));
      await services.incidents.markWorkflowStarted(ID, later(new Date().toISOString(), 1000));
      const started = (await services.incidents.get(ID))!;

      await services.incidents.markWorkflowStarted(ID, later(started.updatedAt, 1000));

      expect(await services.incidents.get(ID)).toEqual(started);
    });

    it('returns incidents changed since a moment, however long ago they were last seen, most recently changed first', async () => {
      // Prepare: an old incident, then newer ones; the old one's status changes afterwards.
      const ids = ['0000000000000001', '0000000000000002', '0000000000000003', '0000000000000004'];
      for (const [i, id] of ids.entries()) await services.incidents.applyDelta(delta([at(`12:0${i}`)], id));
      const newest = (await services.incidents.get(ids[3]!))!;
      const since = later(newest.updatedAt, 500);
      await services.incidents.setStatus(ids[0]!, 'acknowledged', later(newest.updatedAt, 1000));
      await services.incidents.setStatus(ids[2]!, 'resolved', later(newest.updatedAt, 2000));

      // Act
      const changed = await services.incidents.list({ updatedSince: since, limit: 10 });
      const plain = await services.incidents.list({ limit: 1 });

      // Assess
      expect(changed.items.map((i) => [i.id, i.status])).toEqual([
        [ids[2], 'resolved'],
        [ids[0], 'acknowledged'],
      ]);
      expect(changed.nextCursor).toBeUndefined();
      expect(plain.items[0]?.id).toBe(ids[3]);
      expect((await services.incidents.list({ updatedSince: later(newest.updatedAt, 2000), limit: 10 })).items.map((i) => i.id)).toEqual([ids[2]]);
    });

    it('pages an updatedSince listing with its own cursor and refuses a cursor from the plain listing', async () => {
      const ids = ['0000000000000011', '0000000000000012', '0000000000000013'];
      for (const [i, id] of ids.entries()) await services.incidents.applyDelta(delta([at(`12:0${i}`)], id));
      const since = '2000-01-01T00:00:00.000Z';

      const first = await services.incidents.list({ updatedSince: since, limit: 2 });
      const second = await services.incidents.list({ updatedSince: since, limit: 2, cursor: first.nextCursor! });
      const plain = await services.incidents.list({ limit: 1 });

      expect([...first.items, ...second.items].map((i) => i.id).sort()).toEqual(ids);
      expect(second.nextCursor).toBeUndefined();
      await expect(services.incidents.list({ updatedSince: since, limit: 2, cursor: plain.nextCursor! })).rejects.toThrow(ValidationError);
    });
  });
});
