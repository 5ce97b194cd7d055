// `pos-agent` / `stacklens agent`: settings from flags > STACKLENS_AGENT_* variables > a JSON config file > defaults,
// then a PosAgent, a periodic status line, an optional Prometheus /metrics endpoint, and a graceful stop on
// SIGINT/SIGTERM (a second signal exits at once). Exit codes: 0 stopped cleanly, 1 runtime failure, 2 bad usage or
// configuration, 130/143 forced exit by a second SIGINT/SIGTERM.

import { readFile } from 'node:fs/promises';
import { constants as osConstants, homedir } from 'node:os';
import { join, resolve } from 'node:path';
import { parseArgs, type ParseArgsConfig } from 'node:util';
import type { CloudWatchLogsClient } from '@aws-sdk/client-cloudwatch-logs';
import { z } from 'zod';
import { AgentConfigSchema, PosAgent, type AgentConfig, type AgentStats } from './agent.js';
import { AgentConfigError, describeError } from './errors.js';
import { DEFAULT_METRICS_HOST, startMetricsServer, type MetricsServer } from './metrics.js';

export type StopSignal = 'SIGINT' | 'SIGTERM' | 'SIGBREAK';
const STOP_SIGNALS: readonly StopSignal[] = ['SIGINT', 'SIGTERM', 'SIGBREAK'];

/** Where stop signals come from: `process` unless a test or an embedding host supplies its own. */
export interface SignalSource {
  on(event: StopSignal, listener: (signal: StopSignal) => void): unknown;
  off(event: StopSignal, listener: (signal: StopSignal) => void): unknown;
}

export interface AgentCliIo {
  readonly stdout: { write(chunk: string): unknown };
  readonly stderr: { write(chunk: string): unknown };
  readonly env: Readonly<Record<string, string | undefined>>;
  /** Stops the agent like SIGINT does (for embedding and tests). */
  readonly signal?: AbortSignal;
  /** Client override (tests); otherwise built from --endpoint/--region and the default credential chain. */
  readonly client?: CloudWatchLogsClient;
  /** @default process */
  readonly signals?: SignalSource;
  /** Called on a second stop signal. @default process.exit */
  readonly exit?: (code: number) => void;
  /** Hands the agent to an embedding host once it is built, e.g. to read stats() or await stop() after a forced exit. */
  readonly onAgent?: (agent: PosAgent) => void;
}

export const DEFAULT_STATUS_INTERVAL_MS = 10_000;
export const DEFAULT_STATE_DIR = join(homedir(), '.stacklens', 'agent-state');

export const AGENT_USAGE = `Usage: pos-agent --file <path> --store <id> --kiosk <id> [options]
       stacklens agent …   (same options)

Follows a POS log file and ships its records to CloudWatch Logs (log stream {store}/{kiosk}).
Each setting comes from its flag, else its environment variable, else the --config file, else the default.

Options (environment variable in brackets):
  --config <file>       JSON settings file; keys are the setting names, e.g. {"file": "...", "storeId": "...",
                        "kioskId": "...", "redactPatterns": ["..."]} (see the README)  [STACKLENS_AGENT_CONFIG]
  --file <path>         log file to follow; may not exist yet        [STACKLENS_AGENT_FILE]
  --store <id>          store id                                     [STACKLENS_AGENT_STORE]
  --kiosk <id>          kiosk id                                     [STACKLENS_AGENT_KIOSK]
  --endpoint <url>      CloudWatch Logs endpoint (local emulator); default: AWS with the usual credential chain
                                                                     [STACKLENS_AGENT_ENDPOINT]
  --region <region>     AWS region (default: SDK chain)              [STACKLENS_AGENT_REGION, then AWS_REGION]
  --log-group <name>    log group (default /stacklens/pos)           [STACKLENS_AGENT_LOG_GROUP]
  --state-dir <dir>     checkpoint and buffer directory (default ~/.stacklens/agent-state)
                                                                     [STACKLENS_AGENT_STATE_DIR]
  --from-beginning      without a checkpoint, ship the whole file    [STACKLENS_AGENT_FROM_BEGINNING=1]
  --buffer-max-bytes <n>
                        bound of the on-disk outage buffer; bytes, or with K/M/G (KiB/MiB/GiB) (default 128MiB)
                                                                     [STACKLENS_AGENT_BUFFER_MAX_BYTES]
  --redact-pattern <regex>
                        also mask matches of this regular expression; repeatable, added to the config file's
                        redactPatterns                               [STACKLENS_AGENT_REDACT_PATTERN, one pattern]
  --flush-ms <ms>       batch flush interval (default 1000)          [STACKLENS_AGENT_FLUSH_MS]
  --multiline-flush-ms <ms>
                        idle time that ends a pending multi-line record (default 1000)
                                                                     [STACKLENS_AGENT_MULTILINE_FLUSH_MS]
  --status-interval-ms <ms>
                        status line period; 0 turns it off (default 10000)
                                                                     [STACKLENS_AGENT_STATUS_INTERVAL_MS]
  --metrics-port <port> serve Prometheus /metrics and /healthz on this port; 0 picks a free one (default: off)
                                                                     [STACKLENS_AGENT_METRICS_PORT]
  --metrics-host <host> address for /metrics (default 127.0.0.1)     [STACKLENS_AGENT_METRICS_HOST]
  -h, --help            show this help

SIGINT/SIGTERM stop gracefully (flush, ship for up to stopTimeoutMs, checkpoint); a second one exits at once.
`;

/** Settings that belong to the command line rather than to PosAgent. */
const CliOnlySchema = z.object({
  metricsPort: z.number({ error: 'metricsPort must be a number' }).int().min(0).max(65_535, 'metricsPort must be a port number, 0-65535').optional(),
  metricsHost: z.string().min(1).optional(),
  statusIntervalMs: z.number().int().min(0).max(86_400_000, 'statusIntervalMs must be at most 86400000 (a day)').optional(),
});

/** What a config file may hold: any subset of AgentConfig plus the command-line settings, nothing else. */
export const ConfigFileSchema = AgentConfigSchema.partial().extend(CliOnlySchema.shape).strict();

type FileSettings = z.input<typeof ConfigFileSchema>;
type SettingKey = keyof FileSettings;

type ValueKind = 'string' | 'ms' | 'bytes' | 'port' | 'boolean' | 'list';

interface OptionSpec {
  readonly flag: string;
  readonly env: string;
  readonly key: SettingKey;
  readonly kind: ValueKind;
}

// One row per setting: the flag, its variable and its config key. --config itself is handled before these.
const OPTION_SPECS: readonly OptionSpec[] = [
  { flag: 'file', env: 'STACKLENS_AGENT_FILE', key: 'file', kind: 'string' },
  { flag: 'store', env: 'STACKLENS_AGENT_STORE', key: 'storeId', kind: 'string' },
  { flag: 'kiosk', env: 'STACKLENS_AGENT_KIOSK', key: 'kioskId', kind: 'string' },
  { flag: 'endpoint', env: 'STACKLENS_AGENT_ENDPOINT', key: 'endpoint', kind: 'string' },
  { flag: 'region', env: 'STACKLENS_AGENT_REGION', key: 'region', kind: 'string' },
  { flag: 'log-group', env: 'STACKLENS_AGENT_LOG_GROUP', key: 'logGroup', kind: 'string' },
  { flag: 'state-dir', env: 'STACKLENS_AGENT_STATE_DIR', key: 'stateDir', kind: 'string' },
  { flag: 'from-beginning', env: 'STACKLENS_AGENT_FROM_BEGINNING', key: 'fromBeginning', kind: 'boolean' },
  { flag: 'buffer-max-bytes', env: 'STACKLENS_AGENT_BUFFER_MAX_BYTES', key: 'bufferMaxBytes', kind: 'bytes' },
  { flag: 'redact-pattern', env: 'STACKLENS_AGENT_REDACT_PATTERN', key: 'redactPatterns', kind: 'list' },
  { flag: 'flush-ms', env: 'STACKLENS_AGENT_FLUSH_MS', key: 'flushIntervalMs', kind: 'ms' },
  { flag: 'multiline-flush-ms', env: 'STACKLENS_AGENT_MULTILINE_FLUSH_MS', key: 'multilineFlushMs', kind: 'ms' },
  { flag: 'status-interval-ms', env: 'STACKLENS_AGENT_STATUS_INTERVAL_MS', key: 'statusIntervalMs', kind: 'ms' },
  { flag: 'metrics-port', env: 'STACKLENS_AGENT_METRICS_PORT', key: 'metricsPort', kind: 'port' },
  { flag: 'metrics-host', env: 'STACKLENS_AGENT_METRICS_HOST', key: 'metricsHost', kind: 'string' },
];

const CONFIG_ENV = 'STACKLENS_AGENT_CONFIG';

const PARSE_OPTIONS = {
  config: { type: 'string' },
  help: { type: 'boolean', short: 'h' },
  ...Object.fromEntries(
    OPTION_SPECS.map((spec) => [
      spec.flag,
      spec.kind === 'boolean' ? { type: 'boolean' } : spec.kind === 'list' ? { type: 'string', multiple: true } : { type: 'string' },
    ]),
  ),
} as const satisfies ParseArgsConfig['options'];

export interface CliSettings {
  readonly agent: AgentConfig;
  readonly statusIntervalMs: number;
  /** Absent: no metrics endpoint. */
  readonly metrics?: { readonly host: string; readonly port: number };
  /** Absolute path of the config file used, if any. */
  readonly configFile?: string;
}

class UsageError extends Error {
  override readonly name = 'UsageError';
  constructor(
    message: string,
    /** Wrong or missing flags warrant the whole usage text; a broken config file does not. */
    readonly showUsage = true,
  ) {
    super(message);
  }
}

export async function runAgentCli(argv: string[], io: AgentCliIo): Promise<number> {
  let settings: CliSettings;
  try {
    const loaded = await loadCliSettings(argv, io.env);
    if (loaded === 'help') {
      io.stdout.write(AGENT_USAGE);
      return 0;
    }
    settings = loaded;
  } catch (err) {
    if (!(err instanceof UsageError)) throw err;
    io.stderr.write(`${err.message}\n${err.showUsage ? `\n${AGENT_USAGE}` : 'Run pos-agent --help for the options.\n'}`);
    return 2;
  }

  let agent: PosAgent;
  try {
    agent = new PosAgent(settings.agent, {
      ...(io.client === undefined ? {} : { client: io.client }),
      log: (msg) => io.stderr.write(`[pos-agent] ${msg}\n`),
    });
  } catch (err) {
    io.stderr.write(`${err instanceof AgentConfigError ? err.message : describeError(err)}\n`);
    return err instanceof AgentConfigError ? 2 : 1;
  }

  io.onAgent?.(agent);
  const signals = io.signals ?? process;
  const exit = io.exit ?? ((code: number) => process.exit(code));
  let firstSignal: string | undefined;
  let requestStop: (reason: string) => void = () => undefined;
  const stopRequested = new Promise<string>((resolveStop) => {
    requestStop = (reason) => {
      firstSignal ??= reason;
      resolveStop(reason);
    };
  });
  let forceExit: (code: number) => void = () => undefined;
  const forced = new Promise<{ forcedExit: number }>((resolveForced) => {
    forceExit = (code) => resolveForced({ forcedExit: code });
  });
  const onSignal = (signal: StopSignal): void => {
    if (firstSignal === undefined) {
      requestStop(signal);
      return;
    }
    const code = 128 + (osConstants.signals[signal] ?? 0);
    io.stderr.write(
      `pos-agent: ${signal} while stopping (after ${firstSignal}): exiting now with ${code}; ` +
        'what was checkpointed or buffered is kept and sent on the next start\n',
    );
    forceExit(code);
    exit(code);
  };
  for (const name of STOP_SIGNALS) signals.on(name, onSignal);
  const onAbort = (): void => requestStop('abort');
  io.signal?.addEventListener('abort', onAbort, { once: true });
  if (io.signal?.aborted === true) requestStop('abort');

  // Deliberately ref'd (the agent's own timers are not): this is what keeps the CLI process alive.
  const keepAlive = setInterval(() => undefined, 1 << 30);
  const statusTimer =
    settings.statusIntervalMs > 0 ? setInterval(() => io.stdout.write(`${statusLine(agent.stats())}\n`), settings.statusIntervalMs) : undefined;
  let metrics: MetricsServer | undefined;
  const unlessForced = <T>(work: Promise<T>): Promise<T | { forcedExit: number }> => Promise.race([work, forced]);

  try {
    if (settings.metrics !== undefined) {
      metrics = await startMetricsServer({
        ...settings.metrics,
        stats: () => agent.stats(),
        labels: { store: agent.config.storeId, kiosk: agent.config.kioskId },
      });
      io.stdout.write(`pos-agent: metrics on ${metrics.url}\n`);
    }
    const started = await unlessForced(agent.start());
    if (isForced(started)) return started.forcedExit;
    const source = settings.configFile === undefined ? '' : ` (config ${settings.configFile})`;
    io.stdout.write(`pos-agent: shipping ${agent.config.file} to ${agent.config.logGroup} ${agent.logStream}${source}\n`);
    const reason = await stopRequested;
    io.stdout.write(`pos-agent: stopping (${reason}): flushing and checkpointing; signal again to exit at once\n`);
    const stopped = await unlessForced(agent.stop());
    if (isForced(stopped)) return stopped.forcedExit;
    io.stdout.write(`${statusLine(agent.stats())}\n`);
    return 0;
  } catch (err) {
    io.stderr.write(`pos-agent failed: ${describeError(err)}\n`);
    await agent.stop().catch(() => undefined);
    return 1;
  } finally {
    clearInterval(keepAlive);
    if (statusTimer !== undefined) clearInterval(statusTimer);
    for (const name of STOP_SIGNALS) signals.off(name, onSignal);
    io.signal?.removeEventListener('abort', onAbort);
    await metrics?.close();
  }
}

function isForced(value: unknown): value is { forcedExit: number } {
  return typeof value === 'object' && value !== null && 'forcedExit' in value;
}

/**
 * One line of counts for the operator. Numbers and fixed words only: it must never carry log content.
 * `pos-agent: read N lines, shipped N records (N batches), buffered N records (N bytes), lag N bytes[, dropped …][, retries N][, redacted N]`
 */
export function statusLine(stats: AgentStats): string {
  const parts = [
    `read ${stats.linesRead} lines`,
    `shipped ${stats.recordsShipped} records (${stats.batchesSent} batches)`,
    `buffered ${stats.bufferedRecords} records (${stats.bufferedBytes} bytes)`,
    `lag ${stats.lagBytes} bytes`,
  ];
  const dropped: [number, string][] = [
    [stats.eventsRejected, 'rejected'],
    [stats.eventsDropped, 'refused'],
    [stats.bufferDroppedRecords, 'buffer full'],
    [stats.linesSkipped['redact-failed'], 'unredactable'],
  ];
  const droppedTotal = dropped.reduce((sum, [n]) => sum + n, 0);
  if (droppedTotal > 0) {
    const why = dropped.filter(([n]) => n > 0).map(([n, label]) => `${n} ${label}`);
    parts.push(`dropped ${droppedTotal} (${why.join(', ')})`);
  }
  if (stats.retries > 0) parts.push(`retries ${stats.retries}`);
  const redacted = Object.values(stats.redactions).reduce((sum, n) => sum + n, 0);
  if (redacted > 0) parts.push(`redacted ${redacted}`);
  return `pos-agent: ${parts.join(', ')}`;
}

/** Resolves flags, environment and config file into settings; `'help'` for -h/--help. Throws UsageError. */
export async function loadCliSettings(argv: string[], env: Readonly<Record<string, string | undefined>>): Promise<CliSettings | 'help'> {
  let values: Record<string, string | boolean | string[] | undefined>;
  try {
    ({ values } = parseArgs({ args: argv, options: PARSE_OPTIONS, strict: true, allowPositionals: false }));
  } catch (err) {
    throw new UsageError(err instanceof Error ? err.message : String(err));
  }
  if (values['help'] === true) return 'help';

  const configPath = nonEmpty(values['config'] as string | undefined) ?? nonEmpty(env[CONFIG_ENV]);
  const configFile = configPath === undefined ? undefined : resolve(configPath);
  const fromFile: Partial<FileSettings> = configFile === undefined ? {} : await readConfigFile(configFile);
  const fromEnv: Partial<FileSettings> = {};
  const fromFlags: Partial<FileSettings> = {};
  for (const spec of OPTION_SPECS) {
    assign(fromEnv, spec, parseEnv(spec, env[spec.env]));
    assign(fromFlags, spec, parseFlag(spec, values[spec.flag]));
  }

  const merged: Partial<FileSettings> = { ...fromFile, ...fromEnv, ...fromFlags };
  // Redaction only ever adds up: a higher-precedence source must not switch off a pattern the config file asks for.
  const redactPatterns = [...new Set([...(fromFile.redactPatterns ?? []), ...(fromEnv.redactPatterns ?? []), ...(fromFlags.redactPatterns ?? [])])];
  // AWS_REGION is the SDK's own default, so a region in the config file is more specific than it.
  const region = merged.region ?? nonEmpty(env['AWS_REGION']) ?? nonEmpty(env['AWS_DEFAULT_REGION']);

  const { metricsPort, metricsHost, statusIntervalMs, ...agentSettings } = merged;
  const cliOnly = CliOnlySchema.safeParse({ metricsPort, metricsHost, statusIntervalMs });
  if (!cliOnly.success) throw new UsageError(z.prettifyError(cliOnly.error), false);

  const agent: AgentConfig = {
    ...agentSettings,
    file: required(agentSettings.file, 'file'),
    storeId: required(agentSettings.storeId, 'storeId'),
    kioskId: required(agentSettings.kioskId, 'kioskId'),
    stateDir: agentSettings.stateDir ?? DEFAULT_STATE_DIR,
    ...(region === undefined ? {} : { region }),
    ...(redactPatterns.length === 0 ? {} : { redactPatterns }),
  };
  return {
    agent,
    statusIntervalMs: statusIntervalMs ?? DEFAULT_STATUS_INTERVAL_MS,
    ...(metricsPort === undefined ? {} : { metrics: { host: metricsHost ?? DEFAULT_METRICS_HOST, port: metricsPort } }),
    ...(configFile === undefined ? {} : { configFile }),
  };
}

async function readConfigFile(path: string): Promise<Partial<FileSettings>> {
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    const why = code === 'ENOENT' ? 'no such file' : code === 'EACCES' ? 'permission denied' : code === 'EISDIR' ? 'it is a directory' : describeError(err);
    throw new UsageError(`Cannot read config file ${path}: ${why}`, false);
  }
  let raw: unknown;
  try {
    // Windows editors like to start UTF-8 files with a byte order mark, which JSON.parse refuses.
    raw = JSON.parse(text.replace(/^\uFEFF/, ''));
  } catch (err) {
    throw new UsageError(`Config file ${path} is not valid JSON: ${(err as Error).message}`, false);
  }
  const parsed = ConfigFileSchema.safeParse(raw);
  if (!parsed.success) throw new UsageError(`Config file ${path} is invalid:\n${z.prettifyError(parsed.error)}`, false);
  // The raw values, not the parsed ones: parsing fills in defaults, which must not outrank the environment.
  return raw as Partial<FileSettings>;
}

function assign(target: Partial<FileSettings>, spec: OptionSpec, value: FileSettings[SettingKey] | undefined): void {
  if (value !== undefined) (target as Record<string, unknown>)[spec.key] = value;
}

function parseFlag(spec: OptionSpec, value: string | boolean | string[] | undefined): FileSettings[SettingKey] | undefined {
  if (value === undefined) return undefined;
  if (spec.kind === 'boolean') return value === true ? true : undefined;
  if (spec.kind === 'list') return (value as string[]).filter((item) => item !== '');
  return parseText(spec, value as string, `--${spec.flag}`);
}

function parseEnv(spec: OptionSpec, value: string | undefined): FileSettings[SettingKey] | undefined {
  const text = nonEmpty(value);
  if (text === undefined) return undefined;
  if (spec.kind === 'boolean') {
    if (/^(1|true|yes|on)$/i.test(text.trim())) return true;
    if (/^(0|false|no|off)$/i.test(text.trim())) return false;
    throw new UsageError(`${spec.env} must be 1/true/yes/on or 0/false/no/off, got "${text}"`);
  }
  if (spec.kind === 'list') return [text];
  return parseText(spec, text, spec.env);
}

function parseText(spec: OptionSpec, text: string, source: string): string | number | undefined {
  if (text === '') return undefined;
  switch (spec.kind) {
    case 'ms':
      return wholeNumber(text, `${source} must be a whole number of milliseconds`);
    case 'port':
      return wholeNumber(text, `${source} must be a port number (0-65535)`);
    case 'bytes':
      return parseByteSize(text, source);
    default:
      return text;
  }
}

function wholeNumber(text: string, message: string): number {
  if (!/^\d+$/.test(text.trim())) throw new UsageError(`${message}, got "${text}"`);
  return Number(text.trim());
}

const BYTE_UNITS: Readonly<Record<string, number>> = { '': 1, k: 1024, kib: 1024, m: 1024 ** 2, mib: 1024 ** 2, g: 1024 ** 3, gib: 1024 ** 3 };

/** `1048576`, `64M`, `64MiB`, `1g`: binary units (K = 1024), as systemd reads them. */
export function parseByteSize(text: string, source = 'size'): number {
  const match = /^(\d+)\s*([a-z]*)$/i.exec(text.trim());
  const unit = BYTE_UNITS[match?.[2]?.toLowerCase() ?? 'invalid'];
  const bytes = match === null || unit === undefined ? NaN : Number(match[1]) * unit;
  if (!Number.isSafeInteger(bytes)) throw new UsageError(`${source} must be a number of bytes, optionally with K, M or G (KiB, MiB, GiB), got "${text}"`);
  return bytes;
}

const REQUIRED_SOURCES: Readonly<Record<'file' | 'storeId' | 'kioskId', string>> = {
  file: '--file (or STACKLENS_AGENT_FILE, or "file" in the config file)',
  storeId: '--store (or STACKLENS_AGENT_STORE, or "storeId" in the config file)',
  kioskId: '--kiosk (or STACKLENS_AGENT_KIOSK, or "kioskId" in the config file)',
};

function required(value: string | undefined, key: keyof typeof REQUIRED_SOURCES): string {
  if (value === undefined || value === '') throw new UsageError(`Missing ${REQUIRED_SOURCES[key]}`);
  return value;
}

function nonEmpty(value: string | undefined): string | undefined {
  return value === undefined || value === '' ? undefined : value;
}
