// A flood: 100,000 occurrences of 10 problems land in the POS log at once, and the stack's built-in agent ships them
// with automation on and Jira (the Cloud double) configured. How long until every occurrence is counted, and how much
// the flood turned into: incidents, Jira tickets and Jira comments.

import { appendFile } from 'node:fs/promises';
import { startJiraDouble } from '../test/helpers/jira-double/index.js';
import { pollUntil, sleep, startBenchStack, type IncidentSummary } from './bench-stack.js';
import type { BenchFigure } from './types.js';

const OCCURRENCES = 100_000;
/** Ten problems, each its own code and wording, as ten different faults across a store would log them. */
const PROBLEMS: ReadonlyArray<{ code: string; message: (i: number) => string }> = [
  { code: 'PAYMENT_TIMEOUT', message: (i) => `Payment gateway did not answer within 30000ms for order ORD-F${i}` },
  { code: 'MISSING_PRICE', message: (i) => `Product ${900 + (i % 50)} has no price (order ORD-F${i})` },
  { code: 'SCANNER_ERROR', message: (i) => `Barcode scanner on /dev/ttyUSB${i % 4} stopped responding` },
  { code: 'PRINTER_JAM', message: (i) => `Receipt printer reports paper jam after ${i % 300} receipts` },
  { code: 'DB_DEADLOCK', message: (i) => `Deadlock detected on table basket_items, transaction ${i} rolled back` },
  { code: 'LOYALTY_API_DOWN', message: (i) => `Loyalty lookup for member ${10_000 + i} failed: 503 from loyalty API` },
  { code: 'TAX_CALC_ERROR', message: (i) => `Tax service returned no rate for basket ${i}` },
  { code: 'GIFT_CARD_ERROR', message: (i) => `Gift card balance check failed for card ending ${String(i % 10_000).padStart(4, '0')}` },
  { code: 'KDS_TIMEOUT', message: (i) => `Kitchen display did not acknowledge ticket ${i} within 5000ms` },
  { code: 'DISK_FULL', message: (i) => `Local journal write failed: ${i % 100} MB free on /var/lib/pos` },
];
const DRAIN_TIMEOUT_MS = 420_000;
/** The shortest window the settings allow, so that a flood of a few minutes exercises the comment policy at all. */
const COMMENT_WINDOW_MINUTES = 1;

export async function benchFlood(): Promise<BenchFigure[]> {
  const jira = await startJiraDouble({ email: 'bench@example.com', apiToken: 'bench-token', projects: ['OPS'] });
  const bench = await startBenchStack('flood', { jira: { allowHosts: [new URL(jira.url).host] } });
  try {
    await bench.api('PUT', '/integrations/jira', {
      baseUrl: jira.url,
      email: 'bench@example.com',
      apiToken: 'bench-token',
      projectKey: 'OPS',
      issueType: 'Bug',
      priorityMap: { critical: 'Highest', high: 'High', medium: 'Medium', low: 'Low' },
      enabled: true,
      commentWindowMinutes: COMMENT_WINDOW_MINUTES,
    });
    await bench.api('PUT', '/settings/automation', { autoTicket: true, minSeverity: 'low', maxTicketsPerHour: 100, ticketRetryBudgetSeconds: 180 });

    const codes = new Set(PROBLEMS.map((p) => p.code));
    const lines: string[] = [];
    const at = new Date().toISOString();
    for (let i = 0; i < OCCURRENCES; i++) {
      const problem = PROBLEMS[i % PROBLEMS.length]!;
      lines.push(
        `[${at}] [ERROR] ${problem.message(i)} | {"code":"${problem.code}","orderId":"ORD-F${i}","storeId":"store-${String(1 + (i % 7)).padStart(3, '0')}","kioskId":"kiosk-0${1 + (i % 4)}"}\n`,
      );
    }
    const flood = lines.join('');
    const counted = async (): Promise<{ incidents: IncidentSummary[]; occurrences: number }> => {
      const incidents = (await bench.incidents()).filter((incident) => codes.has(incident.code));
      return { incidents, occurrences: incidents.reduce((sum, incident) => sum + incident.occurrences, 0) };
    };

    const started = performance.now();
    await appendFile(bench.stack.logFile, flood);
    const ticketsCreated = (): number => jira.requestsTo('create').filter((r) => r.status === 201).length;
    let allTicketsSeconds = NaN;
    const drained = await pollUntil(
      async () => {
        if (Number.isNaN(allTicketsSeconds) && ticketsCreated() >= PROBLEMS.length) allTicketsSeconds = (performance.now() - started) / 1000;
        const now = await counted();
        return now.occurrences >= OCCURRENCES ? now : undefined;
      },
      DRAIN_TIMEOUT_MS,
      500,
    );
    const drainSeconds = (performance.now() - started) / 1000;
    // Tickets follow the first occurrence of each problem by far less than the drain; this only waits for stragglers.
    await pollUntil(async () => {
      const now = await counted();
      return now.incidents.length >= PROBLEMS.length && now.incidents.every((i) => i.ticket?.status === 'created') ? now : undefined;
    }, 30_000);
    await bench.stack.logs.drain(30_000).catch(() => undefined);
    // A comment claimed by the last batch is posted by a workflow execution that may still be running.
    await sleep(2_000);
    const final = await counted();
    const created = ticketsCreated();
    const comments = jira.requestsTo('comment').filter((r) => r.status === 201).length;
    const minutes = drainSeconds / 60;
    return [
      {
        name: `flood of ${OCCURRENCES.toLocaleString('en-US')} occurrences (10 problems): first write → all counted`,
        value: drained ? drainSeconds : NaN,
        unit: 's',
      },
      // Tickets should not wait for the backlog: each problem's first batch starts its workflow.
      { name: `flood first write → ${PROBLEMS.length} Jira tickets created`, value: allTicketsSeconds, unit: 's' },
      { name: 'flood occurrences counted', value: final.occurrences, unit: 'occurrences', target: String(OCCURRENCES) },
      { name: 'flood incidents created', value: final.incidents.length, unit: 'incidents', target: String(PROBLEMS.length) },
      { name: 'flood Jira tickets created (double)', value: created, unit: 'tickets', target: String(PROBLEMS.length) },
      {
        name: `flood Jira comments posted (≤ 1 per ticket per ${COMMENT_WINDOW_MINUTES}-min window)`,
        value: comments,
        unit: 'comments',
        target: `<= ${PROBLEMS.length * Math.max(1, Math.ceil(minutes / COMMENT_WINDOW_MINUTES))}`,
      },
      { name: 'flood requests Jira would refuse (schema violations)', value: jira.violations.length, unit: 'requests', target: '0' },
    ];
  } finally {
    await bench.close();
    await jira.close();
  }
}
