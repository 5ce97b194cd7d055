import { backoffDelay } from './backoff.js';
import type { Incident, LiveMessage } from './types.js';

export type ConnectionStatus = 'connecting' | 'live' | 'reconnecting' | 'offline';

/** The part of the browser WebSocket this client uses (tests pass a fake). */
export interface SocketLike {
  onopen: ((event: unknown) => void) | null;
  onclose: ((event: { code: number }) => void) | null;
  onerror: ((event: unknown) => void) | null;
  onmessage: ((event: { data: unknown }) => void) | null;
  close(code?: number, reason?: string): void;
}

export interface LiveOptions {
  /** Complete URL including `?token=`. */
  readonly url: () => string;
  readonly onMessage: (message: LiveMessage) => void;
  /** Every successful (re)connect; the caller refetches what it may have missed. */
  readonly onOpen: (reconnected: boolean) => void;
  readonly onStatus: (status: ConnectionStatus, nextRetryAt?: number) => void;
  /** A connect attempt failed before opening; `failures` counts them since the last open. */
  readonly onConnectFailure?: (failures: number) => void;
  readonly createSocket?: (url: string) => SocketLike;
  readonly isOnline?: () => boolean;
  readonly random?: () => number;
  readonly now?: () => number;
  readonly setTimer?: (fn: () => void, ms: number) => unknown;
  readonly clearTimer?: (handle: unknown) => void;
}

const MESSAGE_TYPES = new Set(['incident.created', 'incident.updated']);

/** Accepts a frame only if it has the fields the dashboard relies on; anything else is ignored, never thrown. */
export function parseLiveMessage(raw: unknown): LiveMessage | undefined {
  if (typeof raw !== 'string') return undefined;
  let value: unknown;
  try {
    value = JSON.parse(raw);
  } catch {
    return undefined;
  }
  if (typeof value !== 'object' || value === null) return undefined;
  const m = value as Record<string, unknown>;
  if (typeof m.type !== 'string' || !MESSAGE_TYPES.has(m.type) || typeof m.seq !== 'number') return undefined;
  const data = m.data as Partial<Incident> | undefined;
  if (typeof data !== 'object' || data === null || typeof data.id !== 'string' || typeof data.version !== 'number') return undefined;
  return m as unknown as LiveMessage;
}

/** One WebSocket kept open: reconnects with backoff, pauses while the browser is offline, reports its status. */
export class LiveConnection {
  private socket: SocketLike | undefined;
  private timer: unknown;
  private attempt = 0;
  private failures = 0;
  private everOpened = false;
  private stopped = true;
  private status: ConnectionStatus = 'connecting';
  private readonly createSocket: (url: string) => SocketLike;
  private readonly isOnline: () => boolean;
  private readonly random: () => number;
  private readonly now: () => number;
  private readonly setTimer: (fn: () => void, ms: number) => unknown;
  private readonly clearTimer: (handle: unknown) => void;

  constructor(private readonly options: LiveOptions) {
    this.createSocket = options.createSocket ?? ((url) => new WebSocket(url) as unknown as SocketLike);
    this.isOnline = options.isOnline ?? (() => true);
    this.random = options.random ?? Math.random;
    this.now = options.now ?? Date.now;
    this.setTimer = options.setTimer ?? ((fn, ms) => setTimeout(fn, ms));
    this.clearTimer = options.clearTimer ?? ((handle) => clearTimeout(handle as ReturnType<typeof setTimeout>));
  }

  get currentStatus(): ConnectionStatus {
    return this.status;
  }

  start(): void {
    if (!this.stopped) return;
    this.stopped = false;
    this.connect();
  }

  stop(): void {
    this.stopped = true;
    this.clearTimer(this.timer);
    this.timer = undefined;
    this.drop();
  }

  /** The browser is back online: try now instead of waiting out the backoff. */
  wentOnline(): void {
    if (this.stopped || this.status === 'live') return;
    this.clearTimer(this.timer);
    this.timer = undefined;
    this.attempt = 0;
    this.connect();
  }

  wentOffline(): void {
    if (this.stopped) return;
    this.clearTimer(this.timer);
    this.timer = undefined;
    this.drop();
    this.setStatus('offline');
  }

  private connect(): void {
    if (this.stopped) return;
    if (!this.isOnline()) {
      this.setStatus('offline');
      return;
    }
    this.setStatus(this.everOpened ? 'reconnecting' : 'connecting');
    let opened = false;
    let socket: SocketLike;
    try {
      socket = this.createSocket(this.options.url());
    } catch {
      this.failed();
      return;
    }
    this.socket = socket;
    socket.onopen = () => {
      if (this.socket !== socket) return;
      opened = true;
      const reconnected = this.everOpened;
      this.everOpened = true;
      this.attempt = 0;
      this.failures = 0;
      this.setStatus('live');
      this.options.onOpen(reconnected);
    };
    socket.onmessage = (event) => {
      if (this.socket !== socket) return;
      const message = parseLiveMessage(event.data);
      if (message) this.options.onMessage(message);
    };
    socket.onerror = () => undefined;
    socket.onclose = () => {
      if (this.socket !== socket) return;
      this.socket = undefined;
      if (!opened) this.failures++;
      if (!opened) this.options.onConnectFailure?.(this.failures);
      this.failed();
    };
  }

  private failed(): void {
    if (this.stopped) return;
    if (!this.isOnline()) {
      this.setStatus('offline');
      return;
    }
    const delay = backoffDelay(this.attempt++, this.random);
    const nextRetryAt = this.now() + delay;
    this.setStatus('reconnecting', nextRetryAt);
    this.timer = this.setTimer(() => {
      this.timer = undefined;
      this.connect();
    }, delay);
  }

  private drop(): void {
    const socket = this.socket;
    this.socket = undefined;
    if (!socket) return;
    socket.onopen = socket.onmessage = socket.onerror = null;
    socket.onclose = null;
    try {
      socket.close(1000, 'client closing');
    } catch {
      // already closed
    }
  }

  private setStatus(status: ConnectionStatus, nextRetryAt?: number): void {
    this.status = status;
    this.options.onStatus(status, nextRetryAt);
  }
}
