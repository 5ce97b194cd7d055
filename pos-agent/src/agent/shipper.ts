// The only module that talks to CloudWatch Logs. It sends one batch at a time per stream (so a stream's batches land
// in file order), creates the log group/stream when they are missing, and retries transient failures with
// exponential backoff and full jitter until the batch is accepted or the caller aborts.

import {
  CloudWatchLogsClient,
  CreateLogGroupCommand,
  CreateLogStreamCommand,
  PutLogEventsCommand,
  type RejectedLogEventsInfo,
} from '@aws-sdk/client-cloudwatch-logs';
import { AgentAbortedError } from './errors.js';
import type { LogEvent } from './types.js';

/** What the shipper needs of a batch: its events, already sorted and within every PutLogEvents limit. */
export interface ShippableBatch {
  readonly events: readonly LogEvent[];
}

export const DEFAULT_RETRY_BASE_MS = 200;
export const DEFAULT_RETRY_CAP_MS = 30_000;

export type ShipOutcome =
  | { readonly status: 'accepted'; readonly acceptedEvents: number; readonly rejectedEvents: number; readonly rejectedInfo?: RejectedLogEventsInfo }
  /** The service refused the batch itself (e.g. InvalidParameterException): retrying the same bytes cannot help. */
  | { readonly status: 'dropped'; readonly reason: string; readonly error: unknown };

export interface RetryNotice {
  readonly operation: 'PutLogEvents' | 'CreateLogStream' | 'CreateLogGroup';
  /** 0 for the first retry of this batch. */
  readonly attempt: number;
  readonly delayMs: number;
  readonly error: unknown;
}

export interface ShipperOptions {
  readonly client: CloudWatchLogsClient;
  readonly logGroup: string;
  readonly logStream: string;
  readonly retryBaseMs?: number;
  readonly retryCapMs?: number;
  /** In [0, 1): the jitter source. */
  readonly random?: () => number;
  readonly sleep?: (ms: number, signal?: AbortSignal) => Promise<void>;
  readonly onRetry?: (notice: RetryNotice) => void;
  readonly onCreated?: (resource: 'log-group' | 'log-stream') => void;
}

export type ErrorKind = 'missing-resource' | 'already-accepted' | 'retryable' | 'rejected';

export class CloudWatchShipper {
  private readonly options: ShipperOptions;
  private readonly retryBaseMs: number;
  private readonly retryCapMs: number;
  private readonly random: () => number;
  private readonly sleep: (ms: number, signal?: AbortSignal) => Promise<void>;
  private queueTail: Promise<unknown> = Promise.resolve();

  constructor(options: ShipperOptions) {
    this.options = options;
    this.retryBaseMs = options.retryBaseMs ?? DEFAULT_RETRY_BASE_MS;
    this.retryCapMs = options.retryCapMs ?? DEFAULT_RETRY_CAP_MS;
    this.random = options.random ?? Math.random;
    this.sleep = options.sleep ?? abortableSleep;
  }

  get logGroup(): string {
    return this.options.logGroup;
  }

  get logStream(): string {
    return this.options.logStream;
  }

  /**
   * Resolves once the batch is accepted (possibly with some events rejected as too old/new) or refused for good.
   * Rejects with AgentAbortedError only when `signal` aborts. Calls queue: one batch in flight per stream.
   */
  send(batch: ShippableBatch, signal?: AbortSignal): Promise<ShipOutcome> {
    const run = this.queueTail.then(() => this.sendNow(batch, signal));
    this.queueTail = run.catch(() => undefined);
    return run;
  }

  /** Delay before retry number `attempt` (0-based): full jitter over an exponential ceiling. */
  backoffDelay(attempt: number): number {
    const ceiling = Math.min(this.retryCapMs, this.retryBaseMs * 2 ** Math.min(attempt, 30));
    return Math.floor(this.random() * ceiling);
  }

  private async sendNow(batch: ShippableBatch, signal: AbortSignal | undefined): Promise<ShipOutcome> {
    let attempt = 0;
    let createdForThisBatch = false;
    for (;;) {
      if (isAborted(signal)) throw new AgentAbortedError();
      try {
        const output = await this.options.client.send(
          new PutLogEventsCommand({
            logGroupName: this.options.logGroup,
            logStreamName: this.options.logStream,
            logEvents: batch.events.map((event) => ({ timestamp: event.timestamp, message: event.message })),
          }),
          { abortSignal: signal },
        );
        const rejectedEvents = countRejectedEvents(output.rejectedLogEventsInfo, batch.events.length);
        return {
          status: 'accepted',
          acceptedEvents: batch.events.length - rejectedEvents,
          rejectedEvents,
          ...(output.rejectedLogEventsInfo === undefined ? {} : { rejectedInfo: output.rejectedLogEventsInfo }),
        };
      } catch (err) {
        if (isAborted(signal)) throw new AgentAbortedError();
        const kind = classifyError(err);
        if (kind === 'already-accepted') return { status: 'accepted', acceptedEvents: batch.events.length, rejectedEvents: 0 };
        if (kind === 'rejected') return { status: 'dropped', reason: errorName(err), error: err };
        if (kind === 'missing-resource') {
          // Still missing right after we created it is eventual consistency: wait before asking again.
          if (createdForThisBatch) await this.backoff('PutLogEvents', attempt++, err, signal);
          createdForThisBatch = true;
          attempt = await this.ensureStream(attempt, signal);
          continue;
        }
        await this.backoff('PutLogEvents', attempt++, err, signal);
      }
    }
  }

  // Creating the stream first needs only logs:CreateLogStream, which a kiosk role is more likely to have than
  // logs:CreateLogGroup; the group is created only when the stream cannot be because the group is missing.
  // Failures here are retried rather than dropped: a missing destination is not a fault of the batch.
  private async ensureStream(startAttempt: number, signal: AbortSignal | undefined): Promise<number> {
    let attempt = startAttempt;
    for (;;) {
      if (isAborted(signal)) throw new AgentAbortedError();
      let operation: RetryNotice['operation'] = 'CreateLogStream';
      try {
        if (await this.createStream(signal)) return attempt;
        operation = 'CreateLogGroup';
        const createdGroup = await this.tolerateExisting(() =>
          this.options.client.send(new CreateLogGroupCommand({ logGroupName: this.options.logGroup }), { abortSignal: signal }),
        );
        if (createdGroup) this.options.onCreated?.('log-group');
        operation = 'CreateLogStream';
        if (await this.createStream(signal)) return attempt;
      } catch (err) {
        if (isAborted(signal)) throw new AgentAbortedError();
        await this.backoff(operation, attempt++, err, signal);
      }
    }
  }

  /** True when the stream now exists; false when its group is missing. */
  private async createStream(signal: AbortSignal | undefined): Promise<boolean> {
    try {
      const created = await this.tolerateExisting(() =>
        this.options.client.send(new CreateLogStreamCommand({ logGroupName: this.options.logGroup, logStreamName: this.options.logStream }), {
          abortSignal: signal,
        }),
      );
      if (created) this.options.onCreated?.('log-stream');
      return true;
    } catch (err) {
      if (errorName(err) === 'ResourceNotFoundException') return false;
      throw err;
    }
  }

  /** Runs a create call; true if it created something, false if it already existed. */
  private async tolerateExisting(create: () => Promise<unknown>): Promise<boolean> {
    try {
      await create();
      return true;
    } catch (err) {
      if (errorName(err) === 'ResourceAlreadyExistsException') return false;
      throw err;
    }
  }

  private async backoff(operation: RetryNotice['operation'], attempt: number, error: unknown, signal: AbortSignal | undefined): Promise<void> {
    const delayMs = this.backoffDelay(attempt);
    this.options.onRetry?.({ operation, attempt, delayMs, error });
    await this.sleep(delayMs, signal);
    if (isAborted(signal)) throw new AgentAbortedError();
  }
}

// Throttling, server and network failures are transient. Credential and permission errors are retried too: on a
// kiosk they are fixed by provisioning, and the log file holds the data meanwhile (dropping it would be worse).
const RETRYABLE_ERROR_NAMES = new Set([
  'ThrottlingException',
  'Throttling',
  'TooManyRequestsException',
  'RequestLimitExceeded',
  'LimitExceededException',
  'ServiceUnavailableException',
  'ServiceUnavailable',
  'InternalFailure',
  'InternalServerError',
  'InternalServerException',
  'RequestTimeout',
  'RequestTimeoutException',
  'TimeoutError',
  'OperationAbortedException',
  'InvalidSequenceTokenException',
  'ExpiredTokenException',
  'ExpiredToken',
  'RequestExpired',
  'CredentialsProviderError',
  'UnrecognizedClientException',
  'AccessDeniedException',
  'InvalidSignatureException',
  'SignatureDoesNotMatch',
]);

const NETWORK_ERROR_CODES = new Set([
  'ECONNREFUSED',
  'ECONNRESET',
  'ECONNABORTED',
  'ETIMEDOUT',
  'EPIPE',
  'ENOTFOUND',
  'EAI_AGAIN',
  'EHOSTUNREACH',
  'ENETUNREACH',
  'ENETDOWN',
  'UND_ERR_SOCKET',
]);

export function classifyError(err: unknown): ErrorKind {
  const name = errorName(err);
  if (name === 'ResourceNotFoundException') return 'missing-resource';
  if (name === 'DataAlreadyAcceptedException') return 'already-accepted';
  if (RETRYABLE_ERROR_NAMES.has(name)) return 'retryable';
  if (typeof err !== 'object' || err === null) return 'retryable';
  const { code, $retryable, $metadata } = err as { code?: unknown; $retryable?: unknown; $metadata?: { httpStatusCode?: number } };
  if (typeof code === 'string' && NETWORK_ERROR_CODES.has(code)) return 'retryable';
  if ($retryable !== undefined && $retryable !== null) return 'retryable';
  const status = $metadata?.httpStatusCode;
  // No HTTP status means the request never got a service answer (socket, DNS, TLS): transient.
  if (status === undefined) return 'retryable';
  if (status >= 500 || status === 429) return 'retryable';
  return 'rejected';
}

export function errorName(err: unknown): string {
  if (typeof err === 'object' && err !== null) {
    const name = (err as { name?: unknown }).name;
    if (typeof name === 'string') return name;
  }
  return 'UnknownError';
}

/**
 * Events PutLogEvents accepted the batch without: indices are into the (sorted) batch as sent.
 * `tooOldLogEventEndIndex` and `expiredLogEventEndIndex` are exclusive ends of a prefix;
 * `tooNewLogEventStartIndex` is the inclusive start of a suffix.
 */
export function countRejectedEvents(info: RejectedLogEventsInfo | undefined, total: number): number {
  if (info === undefined) return 0;
  const oldPrefix = clamp(Math.max(info.tooOldLogEventEndIndex ?? 0, info.expiredLogEventEndIndex ?? 0), 0, total);
  const newSuffixStart = info.tooNewLogEventStartIndex === undefined ? total : clamp(info.tooNewLogEventStartIndex, oldPrefix, total);
  return oldPrefix + (total - newSuffixStart);
}

// A function, not an inline check: TypeScript would keep `aborted` narrowed to false across the awaits in between.
function isAborted(signal: AbortSignal | undefined): boolean {
  return signal?.aborted === true;
}

function clamp(value: number, min: number, max: number): number {
  return Math.min(Math.max(value, min), max);
}

export function abortableSleep(ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    if (isAborted(signal)) {
      resolve();
      return;
    }
    const onAbort = (): void => {
      clearTimeout(timer);
      resolve();
    };
    const timer = setTimeout(() => {
      signal?.removeEventListener('abort', onAbort);
      resolve();
    }, ms);
    timer.unref();
    signal?.addEventListener('abort', onAbort, { once: true });
  });
}

export interface ClientSettings {
  readonly endpoint?: string;
  readonly region?: string;
  readonly env?: Readonly<Record<string, string | undefined>>;
}

/**
 * A client for the agent. With an `endpoint` (the local emulator) a region and placeholder credentials are filled in
 * when the environment has none; without one, region and credentials come from the SDK's default chain.
 * The SDK's own retries are off: the shipper's backoff is the only retry loop, so attempts are counted once.
 */
export function createCloudWatchLogsClient(settings: ClientSettings = {}): CloudWatchLogsClient {
  const env = settings.env ?? process.env;
  if (settings.endpoint === undefined) {
    return new CloudWatchLogsClient({ maxAttempts: 1, ...(settings.region === undefined ? {} : { region: settings.region }) });
  }
  const hasCredentials = env['AWS_ACCESS_KEY_ID'] !== undefined || env['AWS_PROFILE'] !== undefined;
  return new CloudWatchLogsClient({
    maxAttempts: 1,
    endpoint: settings.endpoint,
    region: settings.region ?? env['AWS_REGION'] ?? env['AWS_DEFAULT_REGION'] ?? 'us-east-1',
    ...(hasCredentials ? {} : { credentials: { accessKeyId: 'local', secretAccessKey: 'local' } }),
  });
}
