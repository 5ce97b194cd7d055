import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { CloudWatchLogsClient } from '@aws-sdk/client-cloudwatch-logs';
import { sendAwsJson } from '../../../src/local/aws-error.js';
import { handleLogsRequest, MAX_LOGS_REQUEST_BYTES } from '../../../src/local/cloudwatch-logs/http.js';
import type { LocalCloudWatchLogs } from '../../../src/local/cloudwatch-logs/service.js';

const TARGET_PREFIX = 'Logs_20140328.';

export interface EdgeTestServer {
  readonly endpoint: string;
  close(): Promise<void>;
}

/** A loopback stand-in for the edge server: routes `X-Amz-Target: Logs_20140328.<Operation>` to handleLogsRequest. */
export async function createEdgeTestServer(svc: LocalCloudWatchLogs): Promise<EdgeTestServer> {
  const server = http.createServer((req, res) => {
    void (async () => {
      const target = req.headers['x-amz-target'];
      const body = await readCapped(req, MAX_LOGS_REQUEST_BYTES + 1);
      if (req.method !== 'POST' || typeof target !== 'string' || !target.startsWith(TARGET_PREFIX)) {
        sendAwsJson(res, 404, { __type: 'UnknownOperationException', message: `No route for ${req.method ?? ''} ${String(target)}` });
        return;
      }
      await handleLogsRequest(svc, target.slice(TARGET_PREFIX.length), body, res);
    })().catch(() => res.destroy());
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    endpoint: `http://127.0.0.1:${port}`,
    close: async () => {
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}

/** Keeps at most `cap` bytes, so an oversized body still reaches the handler's 413 without being held whole. */
async function readCapped(req: http.IncomingMessage, cap: number): Promise<Buffer> {
  const chunks: Buffer[] = [];
  let kept = 0;
  for await (const chunk of req) {
    const buffer = chunk as Buffer;
    if (kept < cap) {
      const slice = buffer.subarray(0, cap - kept);
      chunks.push(slice);
      kept += slice.length;
    }
  }
  return Buffer.concat(chunks);
}

export function logsClient(endpoint: string): CloudWatchLogsClient {
  return new CloudWatchLogsClient({
    endpoint,
    region: 'us-east-1',
    credentials: { accessKeyId: 'local', secretAccessKey: 'local' },
    maxAttempts: 1,
  });
}
