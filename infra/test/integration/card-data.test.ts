// Card numbers written to the till's log, in the forms POS software prints them, must reach no output of StackLens:
// not the API, the live feed or the Jira ticket (asserted here), nor any log line or stored occurrence (the
// secrets/PAN sweep over the whole suite, infra/test/sweep, sees those). The incident itself must still arrive, with the number
// truncated, or the test would pass on a pipeline that dropped the lines.

import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { appendFile } from 'node:fs/promises';
import { startJiraDouble, type JiraDouble } from '../helpers/jira-double/index.js';
import { connectLive, startTestStack, waitFor, type LiveClient, type TestStack } from '../helpers/stack.js';
import { findPans } from '../sweep/scanner.js';

interface IncidentView {
  id: string;
  code: string;
  occurrences: number;
  sample?: string;
  ticket?: { status: string; key?: string };
}

const CODE = 'CARD_PAYMENT_FAILED';
const printedCards = [
  'card 4111 1111 1111 1111 refused',
  'card 5555-5555-5555-4444 refused',
  'terminal said {"cardNumber":"378282246310005"}',
  'callback GET /pay?pan=6011000990139424&amount=12.50',
];

describe('Card data: numbers written at the till reach no output', () => {
  let jira: JiraDouble;
  let stack: TestStack;
  let live: LiveClient;

  beforeAll(async () => {
    jira = await startJiraDouble({ projects: ['OPS'] });
    stack = await startTestStack({ jira: { allowHosts: [new URL(jira.url).host] } });
    live = await connectLive(stack.urls.ws, await stack.token());
    const saved = await stack.api('PUT', '/api/integrations/jira', {
      baseUrl: jira.url,
      email: 'stacklens-bot@example.com',
      apiToken: 'double-api-token-0001',
      projectKey: 'OPS',
      issueType: 'Bug',
      priorityMap: { critical: 'Highest', high: 'High', medium: 'Medium', low: 'Low' },
      enabled: true,
      commentWindowMinutes: 1,
    });
    expect(saved.status).toBe(200);
    const automation = await stack.api('PUT', '/api/settings/automation', {
      autoTicket: true,
      minSeverity: 'low',
      maxTicketsPerHour: 100,
      ticketRetryBudgetSeconds: 4,
    });
    expect(automation.status).toBe(200);
  });

  afterAll(async () => {
    await live?.close();
    await stack?.close();
    await jira?.close();
  });

  it('shows the incident and opens its ticket with every card number truncated', async () => {
    // Prepare
    const lines = printedCards.map(
      (text) => `[${new Date().toISOString()}] [ERROR] Card payment failed: ${text} | {"code":"${CODE}","storeId":"store-001","kioskId":"kiosk-01"}\n`,
    );

    // Act
    await appendFile(stack.logFile, lines.join(''));
    // The printed forms differ, so the lines may group into more than one incident: wait for all, each with a ticket.
    const incidents = await waitFor(async () => {
      const list = await stack.api<{ items: IncidentView[] }>('GET', `/api/incidents?code=${CODE}`);
      if (list.body.items.reduce((sum, item) => sum + item.occurrences, 0) !== printedCards.length) return undefined;
      const details = await Promise.all(list.body.items.map(async (item) => (await stack.api<IncidentView>('GET', `/api/incidents/${item.id}`)).body));
      return details.every((detail) => detail.ticket?.status === 'created') ? details : undefined;
    }, `${printedCards.length} occurrences of ${CODE}, every incident with a ticket`);

    // Assess
    for (const incident of incidents) expect(incident.sample).toMatch(/\d{6}\*{3,}\d{4}/);
    const outputs = {
      incident: JSON.stringify(incidents),
      live: JSON.stringify(live.messages),
      jira: JSON.stringify(jira.requests.map((request) => request.body)),
    };
    expect(Object.fromEntries(Object.entries(outputs).map(([name, text]) => [name, findPans(text).map((hit) => hit.what)]))).toEqual({
      incident: [],
      live: [],
      jira: [],
    });
    expect(outputs.jira).toMatch(/\d{6}\*{3,}\d{4}/);
  });
});
