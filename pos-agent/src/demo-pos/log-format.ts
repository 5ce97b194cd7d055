// The demo POS log record format (documented in docs/log-format.md). Everything that writes the POS log goes through
// formatRecord so that a record is always one header line plus optional continuation lines that never start with `[`:
// that is what lets a tailer split the stream into records without understanding stack traces.

export const LOG_LEVELS = ['DEBUG', 'INFO', 'WARN', 'ERROR', 'FATAL'] as const;
export type LogLevel = (typeof LOG_LEVELS)[number];

export interface LogRecord {
  readonly timestamp: Date;
  readonly level: LogLevel;
  readonly message: string;
  readonly details?: Readonly<Record<string, unknown>>;
  /** Continuation lines (a stack trace), written verbatim after the header line. */
  readonly stack?: readonly string[];
}

/** `[2026-11-26T12:00:00.123Z] [ERROR] message | {"code":"..."}` — the header line, without its newline. */
export const HEADER_PATTERN = /^\[(\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z)\] \[(DEBUG|INFO|WARN|ERROR|FATAL)\] (.*)$/s;
const DETAILS_SEPARATOR = ' | {';

// A message containing a newline would split the record; one containing " | {" would make the header ambiguous.
function singleLineMessage(message: string): string {
  const flat = message.replace(/\r\n|\r|\n/g, ' ').trim();
  return flat.split(DETAILS_SEPARATOR).join(' |{');
}

function continuationLine(line: string): string | undefined {
  const flat = line.replace(/\r\n|\r|\n/g, ' ');
  if (flat.trim() === '') return undefined;
  // A continuation line starting with `[` would be read as a new record by every tailer.
  return flat.startsWith('[') ? `\t${flat}` : flat;
}

function detailsJson(details: Readonly<Record<string, unknown>>): string | undefined {
  try {
    // JSON.stringify escapes control characters inside strings, so the result is always a single line.
    return JSON.stringify(details, (_key, value: unknown) => (typeof value === 'bigint' ? value.toString() : value));
  } catch {
    return JSON.stringify({ detailsError: 'details could not be serialised' });
  }
}

/** One complete record including its trailing newline, ready for a single append. */
export function formatRecord(record: LogRecord): string {
  const timestamp = Number.isNaN(record.timestamp.getTime()) ? new Date(0) : record.timestamp;
  let header = `[${timestamp.toISOString()}] [${record.level}] ${singleLineMessage(record.message)}`;
  if (record.details !== undefined && Object.keys(record.details).length > 0) {
    const json = detailsJson(record.details);
    if (json !== undefined) header += ` | ${json}`;
  }
  const lines = [header];
  for (const line of record.stack ?? []) {
    const continuation = continuationLine(line);
    if (continuation !== undefined) lines.push(continuation);
  }
  return `${lines.join('\n')}\n`;
}

export interface ParsedRecord {
  readonly timestamp: string;
  readonly level: LogLevel;
  readonly message: string;
  readonly details?: Record<string, unknown>;
  readonly stack: string[];
}

/**
 * Reads records back from log text: the reference reader for this format (used by tests and handy for tooling).
 * Lines before the first header, and headers whose JSON part does not parse, are kept as best as possible:
 * an unparseable JSON part stays in the message.
 */
export function parseRecords(text: string): ParsedRecord[] {
  const records: { timestamp: string; level: LogLevel; message: string; details?: Record<string, unknown>; stack: string[] }[] = [];
  for (const line of text.split('\n')) {
    if (line === '') continue;
    const match = HEADER_PATTERN.exec(line);
    if (match !== null) {
      const [, timestamp = '', level = 'INFO', rest = ''] = match;
      const split = rest.indexOf(DETAILS_SEPARATOR);
      let message = rest;
      let details: Record<string, unknown> | undefined;
      if (split >= 0) {
        try {
          const parsed: unknown = JSON.parse(rest.slice(split + 3));
          if (parsed !== null && typeof parsed === 'object' && !Array.isArray(parsed)) {
            details = parsed as Record<string, unknown>;
            message = rest.slice(0, split);
          }
        } catch {
          // Not our JSON: leave the whole remainder as the message.
        }
      }
      records.push({ timestamp, level: level as LogLevel, message, ...(details === undefined ? {} : { details }), stack: [] });
    } else {
      records.at(-1)?.stack.push(line);
    }
  }
  return records;
}
