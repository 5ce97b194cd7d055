import { gunzipSync } from 'node:zlib';
import type { CloudWatchLogsDecodedData, CloudWatchLogsEvent } from 'aws-lambda';
import { LocalCloudWatchLogs, type CloudWatchLogsServiceOptions } from '../../../src/local/cloudwatch-logs/service.js';

export { failure } from '../../helpers/aws-test-server.js';

export const NOW = Date.UTC(2026, 10, 26, 12, 0, 0);
export const GROUP = '/stacklens/pos';
export const STREAM = 'store-12/kiosk-3';

/** Decodes a delivered Lambda event the way a consumer does: base64, gunzip, JSON. */
export function decode(event: CloudWatchLogsEvent): CloudWatchLogsDecodedData {
  return JSON.parse(gunzipSync(Buffer.from(event.awslogs.data, 'base64')).toString('utf8')) as CloudWatchLogsDecodedData;
}

export interface Recorder {
  readonly events: CloudWatchLogsEvent[];
  readonly messages: () => CloudWatchLogsDecodedData[];
  readonly data: () => CloudWatchLogsDecodedData[];
}

export function recorder(): Recorder & { deliver: (event: CloudWatchLogsEvent) => Promise<void> } {
  const events: CloudWatchLogsEvent[] = [];
  return {
    events,
    deliver: async (event) => {
      events.push(event);
    },
    messages: () => events.map(decode),
    data: () => events.map(decode).filter((message) => message.messageType === 'DATA_MESSAGE'),
  };
}

export function newService(options: Partial<CloudWatchLogsServiceOptions> = {}): { svc: LocalCloudWatchLogs; delivered: Recorder } {
  const delivered = recorder();
  const svc = new LocalCloudWatchLogs({ deliver: delivered.deliver, now: () => NOW, deliveryRetryDelayMs: 1, ...options });
  return { svc, delivered };
}

export async function withStream(svc: LocalCloudWatchLogs, group = GROUP, stream = STREAM): Promise<void> {
  await svc.handle('CreateLogGroup', { logGroupName: group });
  await svc.handle('CreateLogStream', { logGroupName: group, logStreamName: stream });
}

export function events(messages: readonly string[], timestamp = NOW): Array<{ timestamp: number; message: string }> {
  return messages.map((message, index) => ({ timestamp: timestamp + index, message }));
}
