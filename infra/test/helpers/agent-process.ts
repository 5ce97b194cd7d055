// Drives the real pos-agent as a child process (the way a kiosk runs it), a switchable TCP path to the local
// endpoint (to take "the network" down), and a POS-like writer with a steady line rate and a known error share.

import { spawn, type ChildProcess } from 'node:child_process';
import { appendFileSync, copyFileSync, readFileSync, renameSync, truncateSync } from 'node:fs';
import net from 'node:net';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { capture } from './sweep.js';

const AGENT_BIN = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../../pos-agent/bin/pos-agent.mjs');

export interface AgentProcess {
  readonly child: ChildProcess;
  readonly output: string[];
  /** Resident set size in bytes, from /proc. */
  rss(): number;
  exited: Promise<number | null>;
  kill(signal: NodeJS.Signals): Promise<number | null>;
}

/** Resident set size of a live process in bytes, from /proc (NaN when it reports none). */
export function rssBytes(pid: number): number {
  const status = readFileSync(`/proc/${pid}/status`, 'utf8');
  return Number(/^VmRSS:\s+(\d+) kB/m.exec(status)?.[1] ?? Number.NaN) * 1024;
}

/** `script`: the bundled dist/pos-agent.mjs instead of the source launcher; `nodeOptions`: as the kiosk unit sets them. */
export function spawnAgent(args: readonly string[], options: { script?: string; nodeOptions?: string } = {}): AgentProcess {
  const child = spawn(process.execPath, [options.script ?? AGENT_BIN, ...args], {
    env: {
      ...process.env,
      AWS_ACCESS_KEY_ID: 'local',
      AWS_SECRET_ACCESS_KEY: 'local',
      AWS_REGION: 'us-east-1',
      ...(options.nodeOptions === undefined ? {} : { NODE_OPTIONS: options.nodeOptions }),
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const output: string[] = [];
  const collect = (chunk: Buffer): void => {
    capture('agent', chunk);
    output.push(
      ...chunk
        .toString('utf8')
        .split('\n')
        .filter((line) => line !== ''),
    );
  };
  child.stdout?.on('data', collect);
  child.stderr?.on('data', collect);
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code, signal) => resolve(code ?? (signal === null ? null : -1))));
  return {
    child,
    output,
    exited,
    rss: () => rssBytes(child.pid!),
    kill: async (signal) => {
      child.kill(signal);
      return exited;
    },
  };
}

/** A TCP hop in front of the endpoint: `down()` refuses and cuts connections, `up()` restores them on the same port. */
export class SwitchableLink {
  private server: net.Server | undefined;
  private readonly sockets = new Set<net.Socket>();
  port = 0;

  constructor(private readonly target: { host: string; port: number }) {}

  static async open(targetUrl: string): Promise<SwitchableLink> {
    const url = new URL(targetUrl);
    const link = new SwitchableLink({ host: url.hostname, port: Number(url.port) });
    await link.up();
    return link;
  }

  get url(): string {
    return `http://127.0.0.1:${this.port}`;
  }

  async up(): Promise<void> {
    if (this.server !== undefined) return;
    const server = net.createServer((client) => {
      const upstream = net.connect(this.target.port, this.target.host);
      for (const socket of [client, upstream]) {
        this.sockets.add(socket);
        socket.on('close', () => this.sockets.delete(socket));
        socket.on('error', () => undefined);
      }
      client.pipe(upstream).pipe(client);
    });
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(this.port, '127.0.0.1', () => resolve());
    });
    this.port = (server.address() as net.AddressInfo).port;
    this.server = server;
  }

  async down(): Promise<void> {
    const server = this.server;
    this.server = undefined;
    for (const socket of this.sockets) socket.destroy();
    this.sockets.clear();
    if (server !== undefined) await new Promise<void>((resolve) => server.close(() => resolve()));
  }
}

export interface WrittenLines {
  total: number;
  errors: number;
}

/**
 * Appends POS lines at `linesPerSecond` (every 10 ms a chunk), one in `errorEvery` an ERROR with a unique order id.
 * Appends are synchronous, so a rotation run between two chunks sees whole lines only (what logrotate's
 * copytruncate cannot promise a real writer; we test the agent, not logrotate).
 */
export class PosLogWriter {
  readonly written: WrittenLines = { total: 0, errors: 0 };
  private timer: NodeJS.Timeout | undefined;

  constructor(
    private readonly file: string,
    private readonly options: { linesPerSecond: number; errorEvery: number; store?: string; kiosk?: string },
  ) {}

  line(seq: number): string {
    const at = new Date().toISOString();
    const store = this.options.store ?? 'store-001';
    const kiosk = this.options.kiosk ?? 'kiosk-01';
    if (seq % this.options.errorEvery === this.options.errorEvery - 1) {
      return `[${at}] [ERROR] Product 999 has no price | {"code":"MISSING_PRICE","orderId":"F-${seq}","storeId":"${store}","kioskId":"${kiosk}","productId":"999"}`;
    }
    return `[${at}] [INFO] seq=${seq} order processed | {"orderId":"F-${seq}","storeId":"${store}"}`;
  }

  /** Writes until `total` lines were written; resolves then. */
  run(total: number): Promise<WrittenLines> {
    const perTick = Math.max(1, Math.round(this.options.linesPerSecond / 100));
    return new Promise((resolve) => {
      this.timer = setInterval(() => {
        const count = Math.min(perTick, total - this.written.total);
        let chunk = '';
        for (let i = 0; i < count; i += 1) {
          const seq = this.written.total + i;
          chunk += `${this.line(seq)}\n`;
          if (seq % this.options.errorEvery === this.options.errorEvery - 1) this.written.errors += 1;
        }
        appendFileSync(this.file, chunk);
        this.written.total += count;
        if (this.written.total >= total) {
          clearInterval(this.timer);
          resolve(this.written);
        }
      }, 10);
    });
  }

  stop(): void {
    clearInterval(this.timer);
  }

  /** logrotate's default: rename the file away; the next append creates a new one. */
  rotateByRename(to: string): void {
    renameSync(this.file, to);
  }

  /** logrotate's `copytruncate`: copy the file, then truncate it in place. */
  rotateByCopyTruncate(to: string): void {
    copyFileSync(this.file, to);
    truncateSync(this.file, 0);
  }
}

const STABLE_ID = /^(sl1:[0-9a-z-]+:[0-9a-z]+) /;

/** Every message a stream holds, paged through the emulator's GetLogEvents. */
export async function storedMessages(logs: { handle(operation: string, input: unknown): Promise<unknown> }, group: string, stream: string): Promise<string[]> {
  const messages: string[] = [];
  let nextToken: string | undefined;
  for (;;) {
    const page = (await logs.handle('GetLogEvents', {
      logGroupName: group,
      logStreamName: stream,
      startFromHead: true,
      ...(nextToken === undefined ? {} : { nextToken }),
    })) as { events: Array<{ message: string }>; nextForwardToken: string };
    if (page.events.length === 0) return messages;
    messages.push(...page.events.map((event) => event.message));
    nextToken = page.nextForwardToken;
  }
}

/** Lines a stream holds, by the writer's sequence number, and how many arrived more than once (agent re-sends). */
export function tally(messages: readonly string[]): { seqs: Set<number>; copies: number; withoutId: number } {
  const seqs = new Set<number>();
  const ids = new Set<string>();
  let copies = 0;
  let withoutId = 0;
  for (const message of messages) {
    const id = STABLE_ID.exec(message)?.[1];
    if (id === undefined) withoutId += 1;
    else if (ids.has(id)) copies += 1;
    else ids.add(id);
    const seq = /"orderId":"F-(\d+)"/.exec(message)?.[1];
    if (seq !== undefined) seqs.add(Number(seq));
  }
  return { seqs, copies, withoutId };
}
