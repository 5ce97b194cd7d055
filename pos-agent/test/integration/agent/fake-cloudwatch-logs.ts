// Just enough of the CloudWatch Logs JSON protocol (awsJson1.1, `X-Amz-Target: Logs_20140328.<Op>`) for the agent:
// CreateLogGroup, CreateLogStream and PutLogEvents, with the real service's batch checks, plus injectable failures.
// Deliberately independent of the project's local emulator: this tests the agent, not the emulator.
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

export interface StoredEvent {
  readonly timestamp: number;
  readonly message: string;
}

type Failure = { status: number; type: string; message: string };

export class FakeCloudWatchLogs {
  readonly groups = new Map<string, Map<string, StoredEvent[]>>();
  readonly calls: string[] = [];
  /** Every n-th PutLogEvents call (1-based) fails with this error before storing anything. */
  failEvery: { n: number; failure: Failure }[] = [];
  private putCount = 0;
  private server: Server | undefined;

  static throttling(n: number): { n: number; failure: Failure } {
    return { n, failure: { status: 400, type: 'ThrottlingException', message: 'Rate exceeded' } };
  }

  static internalError(n: number): { n: number; failure: Failure } {
    return { n, failure: { status: 500, type: 'ServiceUnavailableException', message: 'The service is unavailable' } };
  }

  async start(): Promise<string> {
    this.server = createServer((req, res) => void this.handle(req, res));
    await new Promise<void>((resolve) => this.server?.listen(0, '127.0.0.1', resolve));
    const { port } = this.server.address() as AddressInfo;
    return `http://127.0.0.1:${port}`;
  }

  async stop(): Promise<void> {
    const server = this.server;
    if (server === undefined) return;
    server.closeAllConnections();
    await new Promise<void>((resolve) => server.close(() => resolve()));
  }

  events(group: string, stream: string): StoredEvent[] {
    return this.groups.get(group)?.get(stream) ?? [];
  }

  private async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const chunks: Buffer[] = [];
    for await (const chunk of req) chunks.push(chunk as Buffer);
    const target = String(req.headers['x-amz-target'] ?? '');
    const operation = target.startsWith('Logs_20140328.') ? target.slice('Logs_20140328.'.length) : '';
    this.calls.push(operation);
    let body: Record<string, unknown>;
    try {
      body = JSON.parse(Buffer.concat(chunks).toString('utf8')) as Record<string, unknown>;
    } catch {
      this.fail(res, { status: 400, type: 'SerializationException', message: 'body is not JSON' });
      return;
    }
    const groupName = String(body['logGroupName'] ?? '');
    const streamName = String(body['logStreamName'] ?? '');
    switch (operation) {
      case 'CreateLogGroup':
        if (this.groups.has(groupName)) return this.fail(res, alreadyExists('log group'));
        this.groups.set(groupName, new Map());
        return this.ok(res, {});
      case 'CreateLogStream': {
        const group = this.groups.get(groupName);
        if (group === undefined) return this.fail(res, notFound('log group'));
        if (group.has(streamName)) return this.fail(res, alreadyExists('log stream'));
        group.set(streamName, []);
        return this.ok(res, {});
      }
      case 'PutLogEvents':
        return this.putLogEvents(res, groupName, streamName, body['logEvents']);
      default:
        return this.fail(res, { status: 400, type: 'UnknownOperationException', message: `unsupported target ${target}` });
    }
  }

  private putLogEvents(res: ServerResponse, groupName: string, streamName: string, rawEvents: unknown): void {
    this.putCount += 1;
    const injected = this.failEvery.find(({ n }) => this.putCount % n === 0);
    if (injected !== undefined) return this.fail(res, injected.failure);
    const group = this.groups.get(groupName);
    if (group === undefined) return this.fail(res, notFound('log group'));
    const stream = group.get(streamName);
    if (stream === undefined) return this.fail(res, notFound('log stream'));
    const events = Array.isArray(rawEvents) ? (rawEvents as StoredEvent[]) : [];
    const problem = batchProblem(events);
    if (problem !== undefined) return this.fail(res, { status: 400, type: 'InvalidParameterException', message: problem });
    stream.push(...events.map((event) => ({ timestamp: event.timestamp, message: event.message })));
    this.ok(res, { nextSequenceToken: String(this.putCount) });
  }

  private ok(res: ServerResponse, body: unknown): void {
    res.writeHead(200, { 'content-type': 'application/x-amz-json-1.1' });
    res.end(JSON.stringify(body));
  }

  private fail(res: ServerResponse, failure: Failure): void {
    res.writeHead(failure.status, { 'content-type': 'application/x-amz-json-1.1', 'x-amzn-errortype': failure.type });
    res.end(JSON.stringify({ __type: failure.type, message: failure.message }));
  }
}

function notFound(what: string): Failure {
  return { status: 400, type: 'ResourceNotFoundException', message: `The specified ${what} does not exist.` };
}

function alreadyExists(what: string): Failure {
  return { status: 400, type: 'ResourceAlreadyExistsException', message: `The specified ${what} already exists` };
}

function batchProblem(events: StoredEvent[]): string | undefined {
  if (events.length === 0 || events.length > 10_000) return `batch has ${events.length} events`;
  let bytes = 0;
  for (let i = 0; i < events.length; i += 1) {
    const event = events[i] as StoredEvent;
    if (typeof event.message !== 'string' || event.message.length === 0) return 'empty message';
    const size = Buffer.byteLength(event.message, 'utf8');
    if (size + 26 > 256 * 1024) return 'event too large';
    bytes += size + 26;
    if (i > 0 && event.timestamp < (events[i - 1] as StoredEvent).timestamp) return 'Log events in a single PutLogEvents request must be in chronological order.';
  }
  if (bytes > 1_048_576) return `batch is ${bytes} bytes`;
  const span = (events.at(-1)?.timestamp ?? 0) - (events[0]?.timestamp ?? 0);
  if (span > 24 * 60 * 60 * 1000) return 'batch spans more than 24 hours';
  return undefined;
}
