// Sustained ingest: error events per second from PutLogEvents on the local CloudWatch Logs endpoint into stored,
// counted occurrences in the local DynamoDB, for a fleet of many stores and kiosks, as fast as the pipeline keeps up.

import { CloudWatchLogsClient, CreateLogStreamCommand, PutLogEventsCommand } from '@aws-sdk/client-cloudwatch-logs';
import { KNOWN_CODES } from '../../functions/src/domain/catalog.js';
import { LOG_GROUP_NAME } from '../src/pipeline.js';
import { pollUntil, sleep, startBenchStack } from './bench-stack.js';
import { median } from './run.js';
import type { BenchFigure } from './types.js';

const STORES = 40;
const KIOSKS_PER_STORE = 5;
/** Distinct problems across the fleet: the incidents the events fold into. */
const PROBLEMS = 20;
/** Events per PutLogEvents: a busy kiosk's batch at the agent's one-second flush. */
const EVENTS_PER_PUT = 50;
/**
 * Delivery jobs (one per PutLogEvents) allowed to wait at the endpoint. Enough to keep every delivery lane busy;
 * a bounded backlog means the rate measured is the rate the pipeline sustains, not the rate the endpoint accepts.
 */
const MAX_BACKLOG = 16;
const WARM_UP_MS = 4_000;
const WINDOW_MS = 8_000;
const WINDOWS = 3;

export async function benchIngest(): Promise<BenchFigure[]> {
  const bench = await startBenchStack('ingest', { agent: false });
  const { stack } = bench;
  const logs = new CloudWatchLogsClient({
    endpoint: stack.urls.edge,
    region: 'us-east-1',
    credentials: { accessKeyId: 'local', secretAccessKey: 'local' },
  });
  try {
    const codes = [...KNOWN_CODES.keys()].slice(0, PROBLEMS);
    // Each kiosk keeps hitting one problem, so a put updates one incident. Ingest pays per incident in a batch as well
    // as per event: the same puts spread over all 20 problems sustain about a quarter of this rate.
    const streams: Array<{ name: string; store: string; kiosk: string; code: string; fileKey: string; offset: number }> = [];
    for (let s = 1; s <= STORES; s++) {
      for (let k = 1; k <= KIOSKS_PER_STORE; k++) {
        const store = `store-${String(s).padStart(3, '0')}`;
        const kiosk = `kiosk-${String(k).padStart(2, '0')}`;
        const name = `${store}/${kiosk}`;
        await logs.send(new CreateLogStreamCommand({ logGroupName: LOG_GROUP_NAME, logStreamName: name }));
        streams.push({ name, store, kiosk, code: codes[streams.length % codes.length]!, fileKey: (s * 1000 + k).toString(16).padStart(12, '0'), offset: 0 });
      }
    }

    let sent = 0;
    let sending = true;
    let next = 0;
    const drive = async (): Promise<void> => {
      while (sending) {
        if (stack.logs.stats().pending >= MAX_BACKLOG) {
          await sleep(2);
          continue;
        }
        const stream = streams[next++ % streams.length]!;
        const now = Date.now();
        const logEvents = [];
        const code = stream.code;
        for (let i = 0; i < EVENTS_PER_PUT; i++) {
          const order = `ORD-${stream.store.slice(6)}${stream.kiosk.slice(6)}-${String(stream.offset).padStart(8, '0')}`;
          const record = `[${new Date(now).toISOString()}] [ERROR] ${code.toLowerCase().replaceAll('_', ' ')} while processing order ${order} | {"code":"${code}","orderId":"${order}","storeId":"${stream.store}","kioskId":"${stream.kiosk}"}`;
          // The stable id the agent puts in front of every record: ingest counts one occurrence per id.
          logEvents.push({ timestamp: now, message: `sl1:${stream.fileKey}:${stream.offset.toString(36)} ${record}` });
          stream.offset += record.length + 1;
        }
        await logs.send(new PutLogEventsCommand({ logGroupName: LOG_GROUP_NAME, logStreamName: stream.name, logEvents }));
        sent += logEvents.length;
      }
    };

    const countedSoFar = async (): Promise<number> => (await bench.incidents()).reduce((sum, incident) => sum + incident.occurrences, 0);
    const driving = drive();
    await sleep(WARM_UP_MS);
    const rates: number[] = [];
    let before = { at: performance.now(), count: await countedSoFar() };
    // The whole stack runs in this process: its event loop and its CPU time are the pipeline's (the driver's share is
    // one PutLogEvents per EVENTS_PER_PUT events, next to one DynamoDB write per event).
    const firstCount = before.count;
    const loopBefore = performance.eventLoopUtilization();
    const cpuBefore = process.cpuUsage();
    for (let w = 0; w < WINDOWS; w++) {
      await sleep(WINDOW_MS);
      const after = { at: performance.now(), count: await countedSoFar() };
      rates.push(((after.count - before.count) * 1000) / (after.at - before.at));
      before = after;
    }
    const loopBusy = performance.eventLoopUtilization(loopBefore).utilization;
    const cpu = process.cpuUsage(cpuBefore);
    const cpuMsPerEvent = (cpu.user + cpu.system) / 1000 / Math.max(1, before.count - firstCount);
    sending = false;
    await driving;
    // Everything sent is given time to land; what has not by then is reported as lost.
    await stack.logs.drain(60_000).catch(() => undefined);
    await pollUntil(async () => ((await countedSoFar()) >= sent ? true : undefined), 10_000);
    const incidents = await bench.incidents();
    const counted = incidents.reduce((sum, incident) => sum + incident.occurrences, 0);
    const stored = await bench.storedOccurrences();
    return [
      {
        name: `ingest: error events/s, PutLogEvents → counted occurrences (${streams.length} streams, ${EVENTS_PER_PUT} per put, ${WINDOW_MS / 1000} s windows)`,
        value: median(rates),
        unit: 'events/s',
        runs: rates,
      },
      {
        name: `ingest: CPU per event, whole stack, all threads (event loop busy ${Math.round(loopBusy * 100)}% of the windows)`,
        value: cpuMsPerEvent,
        unit: 'ms',
      },
      // An event is kept when it is stored as an occurrence marked counted AND its incident's counter includes it.
      {
        name: `ingest events lost (of ${sent.toLocaleString('en-US')} sent)`,
        value: sent - Math.min(sent, stored.counted, counted),
        unit: 'events',
        target: '0',
      },
      {
        name: 'ingest events stored or counted more than once',
        value: Math.max(0, stored.items - sent) + Math.max(0, counted - sent),
        unit: 'events',
        target: '0',
      },
      { name: 'ingest incidents (one per problem)', value: incidents.length, unit: 'incidents', target: String(PROBLEMS) },
    ];
  } finally {
    logs.destroy();
    await bench.close();
  }
}
