// `stacklens agent` / `pos-agent`: flags (or STACKLENS_AGENT_* variables) → PosAgent, a status line every 10 s,
// graceful stop on SIGINT/SIGTERM. Exit codes: 0 stopped cleanly, 1 runtime failure, 2 bad usage.

import { parseArgs } from 'node:util';
import { homedir } from 'node:os';
import { join } from 'node:path';
import type { CloudWatchLogsClient } from '@aws-sdk/client-cloudwatch-logs';
import { PosAgent, type AgentConfig, type AgentStats } from './agent.js';
import { AgentConfigError, describeError } from './errors.js';

export interface AgentCliIo {
  readonly stdout: { write(chunk: string): unknown };
  readonly stderr: { write(chunk: string): unknown };
  readonly env: Readonly<Record<string, string | undefined>>;
  /** Stops the agent like SIGINT does (for embedding and tests). */
  readonly signal?: AbortSignal;
  /** Client override (tests); otherwise built from --endpoint/--region and the default credential chain. */
  readonly client?: CloudWatchLogsClient;
}

export const STATUS_INTERVAL_MS = 10_000;

export const AGENT_USAGE = `Usage: stacklens agent --file <path> --store <id> --kiosk <id> [options]

Follows a POS log file and ships its records to CloudWatch Logs (stream {store}/{kiosk}).

Options (environment variable in brackets):
  --file <path>         log file to follow; may not exist yet        [STACKLENS_AGENT_FILE]
  --store <id>          store id                                     [STACKLENS_AGENT_STORE]
  --kiosk <id>          kiosk id                                     [STACKLENS_AGENT_KIOSK]
  --endpoint <url>      CloudWatch Logs endpoint (local emulator)    [STACKLENS_AGENT_ENDPOINT]
  --region <region>     AWS region                                   [STACKLENS_AGENT_REGION, AWS_REGION]
  --log-group <name>    log group (default /stacklens/pos)           [STACKLENS_AGENT_LOG_GROUP]
  --state-dir <dir>     checkpoint directory (default ~/.stacklens/agent-state) [STACKLENS_AGENT_STATE_DIR]
  --from-beginning      without a checkpoint, ship the whole file    [STACKLENS_AGENT_FROM_BEGINNING=1]
  --flush-ms <ms>       batch flush interval (default 1000)          [STACKLENS_AGENT_FLUSH_MS]
  --multiline-flush-ms <ms>
                        idle time that ends a pending multi-line record (default 1000)
                                                                     [STACKLENS_AGENT_MULTILINE_FLUSH_MS]
  -h, --help            show this help
`;

const OPTIONS = {
  file: { type: 'string' },
  store: { type: 'string' },
  kiosk: { type: 'string' },
  endpoint: { type: 'string' },
  region: { type: 'string' },
  'log-group': { type: 'string' },
  'state-dir': { type: 'string' },
  'from-beginning': { type: 'boolean' },
  'flush-ms': { type: 'string' },
  'multiline-flush-ms': { type: 'string' },
  help: { type: 'boolean', short: 'h' },
} as const;

class UsageError extends Error {
  override readonly name = 'UsageError';
}

export async function runAgentCli(argv: string[], io: AgentCliIo): Promise<number> {
  let config: AgentConfig;
  try {
    const parsed = parseArgs({ args: argv, options: OPTIONS, strict: true, allowPositionals: false });
    if (parsed.values.help === true) {
      io.stdout.write(AGENT_USAGE);
      return 0;
    }
    config = configFrom(parsed.values, io.env);
  } catch (err) {
    io.stderr.write(`${err instanceof Error ? err.message : String(err)}\n\n${AGENT_USAGE}`);
    return 2;
  }

  let agent: PosAgent;
  try {
    agent = new PosAgent(config, {
      ...(io.client === undefined ? {} : { client: io.client }),
      log: (msg) => io.stderr.write(`[pos-agent] ${msg}\n`),
    });
  } catch (err) {
    io.stderr.write(`${err instanceof AgentConfigError ? err.message : describeError(err)}\n`);
    return err instanceof AgentConfigError ? 2 : 1;
  }

  let onSignal: (signal: NodeJS.Signals) => void = () => undefined;
  const stopRequested = new Promise<string>((resolve) => {
    onSignal = (signal) => resolve(signal);
    io.signal?.addEventListener('abort', () => resolve('abort'), { once: true });
    if (io.signal?.aborted === true) resolve('abort');
  });
  process.once('SIGINT', onSignal);
  process.once('SIGTERM', onSignal);
  // Deliberately ref'd (the agent's own timers are not): this is what keeps the CLI process alive.
  const statusTimer = setInterval(() => io.stdout.write(`${statusLine(agent.stats())}\n`), STATUS_INTERVAL_MS);

  try {
    await agent.start();
    io.stdout.write(`pos-agent: shipping ${config.file} to ${agent.config.logGroup} ${agent.logStream}\n`);
    const reason = await stopRequested;
    io.stdout.write(`pos-agent: stopping (${reason})\n`);
    await agent.stop();
    io.stdout.write(`${statusLine(agent.stats())}\n`);
    return 0;
  } catch (err) {
    io.stderr.write(`pos-agent failed: ${describeError(err)}\n`);
    await agent.stop().catch(() => undefined);
    return 1;
  } finally {
    clearInterval(statusTimer);
    process.off('SIGINT', onSignal);
    process.off('SIGTERM', onSignal);
  }
}

export function statusLine(stats: AgentStats): string {
  const parts = [
    `lines read ${stats.linesRead}`,
    `shipped ${stats.recordsShipped} records in ${stats.batchesSent} batches`,
    `lag ${stats.lagBytes} bytes`,
  ];
  if (stats.retries > 0) parts.push(`retries ${stats.retries}`);
  const skipped = Object.values(stats.linesSkipped).reduce((sum, n) => sum + n, 0);
  if (skipped > 0) parts.push(`skipped ${skipped}`);
  if (stats.eventsRejected + stats.eventsDropped > 0) parts.push(`rejected ${stats.eventsRejected} dropped ${stats.eventsDropped}`);
  return `pos-agent: ${parts.join(', ')}`;
}

type ParsedValues = {
  file?: string;
  store?: string;
  kiosk?: string;
  endpoint?: string;
  region?: string;
  'log-group'?: string;
  'state-dir'?: string;
  'from-beginning'?: boolean;
  'flush-ms'?: string;
  'multiline-flush-ms'?: string;
};

function configFrom(values: ParsedValues, env: Readonly<Record<string, string | undefined>>): AgentConfig {
  const pick = (flag: string | undefined, ...names: string[]): string | undefined => {
    if (flag !== undefined && flag !== '') return flag;
    for (const name of names) {
      const value = env[name];
      if (value !== undefined && value !== '') return value;
    }
    return undefined;
  };
  const required = (flag: string | undefined, option: string, name: string): string => {
    const value = pick(flag, name);
    if (value === undefined) throw new UsageError(`Missing --${option} (or ${name})`);
    return value;
  };
  const flushMs = pick(values['flush-ms'], 'STACKLENS_AGENT_FLUSH_MS');
  const multilineFlushMs = pick(values['multiline-flush-ms'], 'STACKLENS_AGENT_MULTILINE_FLUSH_MS');
  const endpoint = pick(values.endpoint, 'STACKLENS_AGENT_ENDPOINT');
  const region = pick(values.region, 'STACKLENS_AGENT_REGION', 'AWS_REGION', 'AWS_DEFAULT_REGION');
  const logGroup = pick(values['log-group'], 'STACKLENS_AGENT_LOG_GROUP');
  const fromBeginning = values['from-beginning'] === true || isTruthy(env['STACKLENS_AGENT_FROM_BEGINNING']);
  return {
    file: required(values.file, 'file', 'STACKLENS_AGENT_FILE'),
    storeId: required(values.store, 'store', 'STACKLENS_AGENT_STORE'),
    kioskId: required(values.kiosk, 'kiosk', 'STACKLENS_AGENT_KIOSK'),
    stateDir: pick(values['state-dir'], 'STACKLENS_AGENT_STATE_DIR') ?? join(homedir(), '.stacklens', 'agent-state'),
    fromBeginning,
    ...(endpoint === undefined ? {} : { endpoint }),
    ...(region === undefined ? {} : { region }),
    ...(logGroup === undefined ? {} : { logGroup }),
    ...(flushMs === undefined ? {} : { flushIntervalMs: parseMilliseconds(flushMs, '--flush-ms') }),
    ...(multilineFlushMs === undefined ? {} : { multilineFlushMs: parseMilliseconds(multilineFlushMs, '--multiline-flush-ms') }),
  };
}

function parseMilliseconds(text: string, option: string): number {
  if (!/^\d+$/.test(text.trim())) throw new UsageError(`${option} must be a whole number of milliseconds, got "${text}"`);
  return Number(text.trim());
}

function isTruthy(value: string | undefined): boolean {
  return value !== undefined && /^(1|true|yes|on)$/i.test(value.trim());
}
