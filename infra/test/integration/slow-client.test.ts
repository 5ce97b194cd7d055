// A dashboard that stops reading (a frozen tab, a laptop on a bad link) must not hold up the others: the pipeline keeps
// pushing to every reader, and the gateway drops the one that does not read once its backlog passes the limit, as API
// Gateway drops a connection it cannot deliver to.
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { appendFile } from 'node:fs/promises';
import WebSocket from 'ws';
import { startTestStack, waitFor, type TestStack } from '../helpers/stack.js';

interface Reader {
  readonly socket: WebSocket;
  readonly messages: string[];
  closeCode?: number;
}

async function open(stack: TestStack): Promise<Reader> {
  const socket = new WebSocket(`${stack.urls.ws}?token=${encodeURIComponent(await stack.token())}`);
  const reader: Reader = { socket, messages: [] };
  socket.on('message', (raw) => reader.messages.push(String(raw)));
  socket.on('close', (code) => (reader.closeCode = code));
  await new Promise((resolve, reject) => socket.once('open', resolve).once('error', reject));
  return reader;
}

function countedByCode(reader: Reader): Map<string, number> {
  const counted = new Map<string, number>();
  for (const raw of reader.messages) {
    const data = (JSON.parse(raw) as { data?: { code?: string; occurrences?: number } }).data;
    if (data?.code && typeof data.occurrences === 'number') counted.set(data.code, Math.max(counted.get(data.code) ?? 0, data.occurrences));
  }
  return counted;
}

describe('A WebSocket client that stops reading', () => {
  let stack: TestStack;

  beforeAll(async () => {
    stack = await startTestStack({ pos: false });
  });
  afterAll(async () => {
    await stack?.close();
  });

  it('does not delay the live updates of a client that reads', async () => {
    // Prepare: two dashboards, one of which stops reading right after connecting
    const reading = await open(stack);
    const stalled = await open(stack);
    stalled.socket.pause();
    // Letters, not digits: digits in a code are a variable part and would fold the ten into one incident.
    const codes = Array.from({ length: 10 }, (_, i) => `SLOW_READER_${String.fromCharCode(65 + i)}`);

    // Act: 300 errors across ten incidents
    for (let i = 0; i < 300; i++) {
      const code = codes[i % codes.length]!;
      await appendFile(stack.logFile, `[${new Date().toISOString()}] [ERROR] Slow reader probe ${code} | {"code":"${code}","orderId":"SR-${i}","storeId":"store-001","kioskId":"kiosk-01"}\n`);
    }

    // Assess: the reading client sees every count reach 30, while the stalled one has taken in nothing
    await waitFor(() => codes.every((code) => countedByCode(reading).get(code) === 30), 'every incident at 30 occurrences on the reading client', 60_000).catch((error: unknown) => {
      throw new Error(`${String(error)}; seen: ${JSON.stringify([...countedByCode(reading)])}; last: ${reading.messages.at(-1)?.slice(0, 400)}`);
    });
    expect(stalled.messages).toHaveLength(0);
    expect(stack.gateway.connectionCount()).toBe(2);
    stalled.socket.resume();
    await waitFor(() => codes.every((code) => countedByCode(stalled).get(code) === 30), 'the stalled client to catch up once it reads again', 60_000);
    reading.socket.close();
    stalled.socket.close();
  }, 150_000);

  it('is disconnected once its backlog passes the limit, while every message still reaches the client that reads', async () => {
    // Prepare
    const before = new Set(await stack.services.connections.all());
    const reading = await open(stack);
    const stalled = await open(stack);
    stalled.socket.pause();
    const ids = (await stack.services.connections.all()).filter((id) => !before.has(id));
    expect(ids).toHaveLength(2);
    const connectionsBefore = stack.gateway.connectionCount();
    const post = (id: string, body: string) => fetch(`${stack.urls.edge}/ws-api/@connections/${id}`, { method: 'POST', body });
    const payload = JSON.stringify({ type: 'probe', data: { pad: 'x'.repeat(100 * 1024) } });

    // Act: 100 KB messages to both until the stalled one is refused (bounded at 30 MB)
    const statuses = new Map<string, number[]>(ids.map((id) => [id, []]));
    let posted = 0;
    for (; posted < 300; posted++) {
      const answers = await Promise.all(ids.map(async (id) => [id, (await post(id, payload)).status] as const));
      for (const [id, status] of answers) statuses.get(id)!.push(status);
      if (answers.some(([, status]) => status === 410)) break;
    }

    // Assess: one connection answered 410 and is gone, the other took every message, and it received them all
    const refused = ids.filter((id) => statuses.get(id)!.includes(410));
    expect(refused).toHaveLength(1);
    const kept = ids.find((id) => id !== refused[0])!;
    expect(statuses.get(kept)!.every((status) => status === 200)).toBe(true);
    await waitFor(() => reading.messages.filter((m) => m.includes('"probe"')).length === statuses.get(kept)!.length, 'every probe on the reading client');
    expect(stack.gateway.connectionCount()).toBe(connectionsBefore - 1);
    stalled.socket.resume();
    await waitFor(() => stalled.closeCode !== undefined, 'the stalled client to see its connection closed');
    reading.socket.close();
  });
});
