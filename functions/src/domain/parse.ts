// Format detection and parsing of one log record (possibly multi-line). Detection dispatches on the first
// character so most records try one or two anchored regexes; nothing here throws on any input.
import { levelFromSyslogSeverity, levelFromWord, normalizeLevel, type Level } from './levels.js';
import { MAX_STACK_LINES, scanStack, type ParsedException } from './stack.js';
import { isMonthName, isoFromSyslogDate, parseTimestamp, timestampFromValue } from './timestamps.js';

export type { ParsedException } from './stack.js';

export type LogFormat = 'stacklens-pos' | 'logback' | 'json' | 'python' | 'syslog3164' | 'syslog5424' | 'dotnet' | 'plain';

export interface ParsedRecord {
  format: LogFormat;
  timestamp?: string;
  level?: Level;
  logger?: string;
  /** first line of the human message, header stripped, at most MAX_MESSAGE_CHARS */
  message: string;
  fields: Record<string, unknown>;
  exception?: ParsedException;
  /** error text that lives outside the message (a JSON `error: "..."` string); classification reads it */
  errorText?: string;
  /** the record carries stack frames */
  hasStack: boolean;
}

export const MAX_MESSAGE_CHARS = 8192;
/** JSON nested deeper than this is cut: downstream stores (DynamoDB: 32 levels) and serialisers have limits. */
export const MAX_FIELD_DEPTH = 12;
const MAX_LOGFMT_CHARS = 8192;

// eslint-disable-next-line no-control-regex
const ANSI_ESCAPE = /\x1b\[[0-9;?]{0,32}[ -/]{0,4}[@-~]/g;
// eslint-disable-next-line no-control-regex
const CONTROL_CHARS = /[\u0000-\u0008\u000b-\u001f\u007f]/g;

const POS_HEADER = /^\[([^\]]{1,64})\] \[([A-Za-z]{3,9})\] ?(.*)$/s;
const LEADING_TIMESTAMP =
  /^(\d{4}[-/]\d{2}[-/]\d{2}[T ]\d{2}:\d{2}:\d{2}(?:[.,]\d{1,9})?(?: ?(?:Z|UTC|[+-]\d{2}:?\d{2}))?|\d{2}:\d{2}:\d{2}[.,]\d{3})\s+/;
const LOGBACK_LEVEL_FIRST = /^([A-Z]{4,8}) +\[([^\]]{0,200})\] +(\S{1,512}) +- ?(.*)$/;
const LOGBACK_THREAD_FIRST = /^\[([^\]]{0,200})\] +([A-Z]{4,8}) +(\S{1,512}) +- ?(.*)$/;
const LOGBACK_NO_THREAD = /^([A-Z]{4,8}) +(\S{1,512}) +- (.*)$/;
const SPRING_BOOT = /^([A-Z]{4,8}) +(\d{1,10}) +--- +(?:\[[^\]]{0,200}\] +)?\[([^\]]{0,200})\] +(\S{1,512}) *: ?(.*)$/;
const PYTHON_LOGGING = /^- (\S{1,512}) - ([A-Z]{4,8}) - ?(.*)$/;
const PYTHON_BASIC = /^(DEBUG|INFO|WARNING|ERROR|CRITICAL):([^:\s]{0,256}):(.*)$/;
const LAMBDA_TEXT = /^([0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12})\s+([A-Z]{4,8})\s+(.*)$/;
const DOTNET_CONSOLE = /^(trce|dbug|info|warn|fail|crit): ([^\s[]{1,512})\[(-?\d{1,10})\] ?(.*)$/;
const SYSLOG_PRI = /^<(\d{1,3})>/;
const RFC5424_HEADER = /^(\d{1,2}) (\S{1,64}) (\S{1,255}) (\S{1,48}) (\S{1,128}) (\S{1,32})(?: |$)/;
const RFC3164_DATE = /^([A-Z][a-z]{2}) {1,2}(\d{1,2}) (\d{2}):(\d{2}):(\d{2}) ?/;
const ISO_WORD = /^(\d{4}-\d{2}-\d{2}T\S{1,40}) /;
const SYSLOG_TAG = /^([^\s:[\]]{1,64})(?:\[([^\]\s]{1,32})\])?: ?(.*)$/;
const LEVEL_TOKEN = /^(\[)?([A-Za-z]{3,11})(\])?(:)?(?:\s+|$)/;
const LOGFMT_START = /^[A-Za-z_@][\w.@-]{0,63}=/;

const JSON_LEVEL_KEYS = ['level', 'severity', 'levelname', 'lvl', 'loglevel', 'log_level', 'log.level', '@l', 'Level', 'Severity'] as const;
const JSON_MESSAGE_KEYS = ['msg', 'message', 'event', '@m', '@mt', 'Message', 'short_message'] as const;
const JSON_TIME_KEYS = ['time', 'timestamp', '@timestamp', 'ts', '@t', 'datetime', 'Timestamp', 'date'] as const;
const JSON_LOGGER_KEYS = ['logger', 'logger_name', 'loggerName', 'name', 'SourceContext', 'category'] as const;
const JSON_ERROR_KEYS = ['err', 'error', 'exception', 'exc_info', '@x', 'Exception', 'stack', 'stack_trace'] as const;

interface Header {
  format: LogFormat;
  timestamp?: string | undefined;
  level?: Level | undefined;
  logger?: string | undefined;
  message: string;
  fields: Record<string, unknown>;
  /** .NET console logging puts the message on the line after `fail: Category[0]` */
  messageOnNextLine?: boolean;
}

// ---------------------------------------------------------------- helpers

function isPlainObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function exceedsDepth(value: unknown, depth: number): boolean {
  if (typeof value !== 'object' || value === null) return false;
  if (depth >= MAX_FIELD_DEPTH) return true;
  if (Array.isArray(value)) {
    for (const item of value) if (exceedsDepth(item, depth + 1)) return true;
    return false;
  }
  for (const key in value) if (exceedsDepth((value as Record<string, unknown>)[key], depth + 1)) return true;
  return false;
}

function pruneDepth(value: unknown, depth: number): unknown {
  if (typeof value !== 'object' || value === null) return value;
  if (depth >= MAX_FIELD_DEPTH) return '[nested too deep]';
  if (Array.isArray(value)) return value.map((item) => pruneDepth(item, depth + 1));
  const out: Record<string, unknown> = {};
  for (const key in value) {
    if (key === '__proto__') continue;
    out[key] = pruneDepth((value as Record<string, unknown>)[key], depth + 1);
  }
  return out;
}

/** JSON.parse that never throws and only accepts an object, cut to MAX_FIELD_DEPTH. */
export function parseJsonObject(text: string): Record<string, unknown> | undefined {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    return undefined;
  }
  if (!isPlainObject(value)) return undefined;
  return exceedsDepth(value, 0) ? (pruneDepth(value, 0) as Record<string, unknown>) : value;
}

function copyInto(target: Record<string, unknown>, source: Record<string, unknown>, skip?: ReadonlySet<string>): void {
  for (const key in source) {
    // Assigning `__proto__` would replace the object's prototype instead of adding a field.
    if (key === '__proto__' || skip?.has(key)) continue;
    target[key] = source[key];
  }
}

function takeLines(text: string, from: number, max: number): string[] {
  const lines: string[] = [];
  let pos = from;
  while (pos < text.length && lines.length < max) {
    let nl = text.indexOf('\n', pos);
    if (nl === -1) nl = text.length;
    const end = nl > pos && text.charCodeAt(nl - 1) === 13 ? nl - 1 : nl;
    lines.push(text.slice(pos, end));
    pos = nl + 1;
  }
  return lines;
}

function lastNonEmptyLine(text: string): string | undefined {
  let end = text.length;
  while (end > 0) {
    const nl = text.lastIndexOf('\n', end - 1);
    const line = text.slice(nl + 1, end).trim();
    if (line.length > 0) return line.length > 4096 ? line.slice(0, 4096) : line;
    if (nl === -1) return undefined;
    end = nl;
  }
  return undefined;
}

function cleanMessage(message: string): string {
  let text = message.length > MAX_MESSAGE_CHARS ? message.slice(0, MAX_MESSAGE_CHARS) : message;
  CONTROL_CHARS.lastIndex = 0;
  if (CONTROL_CHARS.test(text)) text = text.replace(CONTROL_CHARS, ' ');
  return text.trim();
}

/** Our POS convention (and a common one elsewhere): `message | {"json":"details"}` at the end of the line. */
function splitDetails(message: string): { message: string; details?: Record<string, unknown> } {
  if (message.charCodeAt(message.length - 1) !== 125 /* } */) return { message };
  let at = message.indexOf(' | {');
  for (let attempt = 0; at !== -1 && attempt < 3; attempt++) {
    const details = parseJsonObject(message.slice(at + 3));
    if (details) return { message: message.slice(0, at).trimEnd(), details };
    at = message.indexOf(' | {', at + 4);
  }
  return { message };
}

function firstString(obj: Record<string, unknown>, keys: readonly string[]): { key: string; value: string } | undefined {
  for (const key of keys) {
    const value = obj[key];
    if (typeof value === 'string') return { key, value };
  }
  return undefined;
}

function stringOf(value: unknown): string | undefined {
  return typeof value === 'string' && value.length > 0 ? value : undefined;
}

/** A leading level word: `[ERROR]`, `ERROR`, `WARN:`, or `error:` (kept in the message: it reads as text). */
function splitLevelToken(text: string): { level?: Level; rest: string } {
  const m = LEVEL_TOKEN.exec(text);
  if (!m) return { rest: text };
  const word = m[2] ?? '';
  const level = levelFromWord(word);
  if (!level) return { rest: text };
  const bracketed = m[1] !== undefined && m[3] !== undefined;
  if (bracketed || word === word.toUpperCase()) return { level, rest: text.slice(m[0].length) };
  if (m[4] !== undefined && m[1] === undefined && m[3] === undefined) return { level, rest: text };
  return { rest: text };
}

// ---------------------------------------------------------------- text formats

function parsePos(first: string): Header | undefined {
  const m = POS_HEADER.exec(first);
  if (!m) return undefined;
  const level = levelFromWord(m[2] ?? '');
  if (!level) return undefined;
  return { format: 'stacklens-pos', timestamp: parseTimestamp(m[1] ?? ''), level, message: m[3] ?? '', fields: {} };
}

function parseTimestamped(first: string): Header | undefined {
  const ts = LEADING_TIMESTAMP.exec(first);
  if (!ts) return undefined;
  const timestamp = parseTimestamp(ts[1] ?? '');
  const rest = first.slice(ts[0].length);
  const c = rest.charCodeAt(0);

  if (c === 45 /* - */) {
    const py = PYTHON_LOGGING.exec(rest);
    const level = py && levelFromWord(py[2] ?? '');
    if (py && level) return { format: 'python', timestamp, level, logger: py[1], message: py[3] ?? '', fields: {} };
  } else if (c === 91 /* [ */) {
    const lb = LOGBACK_THREAD_FIRST.exec(rest);
    const level = lb && levelFromWord(lb[2] ?? '');
    if (lb && level) return { format: 'logback', timestamp, level, logger: lb[3], message: lb[4] ?? '', fields: { thread: lb[1] } };
  } else if (c >= 65 && c <= 90) {
    const lb = LOGBACK_LEVEL_FIRST.exec(rest);
    const lbLevel = lb && levelFromWord(lb[1] ?? '');
    if (lb && lbLevel) return { format: 'logback', timestamp, level: lbLevel, logger: lb[3], message: lb[4] ?? '', fields: { thread: lb[2] } };
    const spring = SPRING_BOOT.exec(rest);
    const springLevel = spring && levelFromWord(spring[1] ?? '');
    if (spring && springLevel) {
      return { format: 'logback', timestamp, level: springLevel, logger: spring[4], message: spring[5] ?? '', fields: { pid: Number(spring[2]), thread: (spring[3] ?? '').trim() } };
    }
    const bare = LOGBACK_NO_THREAD.exec(rest);
    const bareLevel = bare && levelFromWord(bare[1] ?? '');
    if (bare && bareLevel && (bare[2] ?? '').includes('.')) return { format: 'logback', timestamp, level: bareLevel, logger: bare[2], message: bare[3] ?? '', fields: {} };
  } else if (c >= 97 && c <= 122) {
    const dotnet = parseDotnetConsole(rest);
    if (dotnet) return { ...dotnet, timestamp };
  }
  if (c >= 48 && c <= 57 || c >= 97 && c <= 102) {
    // AWS Lambda's text format: timestamp, request id, level, message (tab separated).
    const lambda = LAMBDA_TEXT.exec(rest);
    const level = lambda && levelFromWord(lambda[2] ?? '');
    if (lambda && level) return { format: 'plain', timestamp, level, message: lambda[3] ?? '', fields: { requestId: lambda[1] } };
  }
  const { level, rest: message } = splitLevelToken(rest);
  return { format: 'plain', timestamp, level, message, fields: {} };
}

function parseDotnetConsole(line: string): Header | undefined {
  const m = DOTNET_CONSOLE.exec(line);
  if (!m) return undefined;
  const message = m[4] ?? '';
  return {
    format: 'dotnet',
    level: levelFromWord(m[1] ?? ''),
    logger: m[2],
    message,
    fields: { eventId: Number(m[3]) },
    messageOnNextLine: message.trim().length === 0,
  };
}

function parseSyslog(first: string): Header | undefined {
  const pri = SYSLOG_PRI.exec(first);
  if (!pri) return undefined;
  const priority = Number(pri[1]);
  if (priority > 191) return undefined;
  const level = levelFromSyslogSeverity(priority % 8);
  const fields: Record<string, unknown> = { facility: priority >> 3 };
  const rest = first.slice(pri[0].length);

  const v5424 = RFC5424_HEADER.exec(rest);
  if (v5424 && v5424[1] !== '0') {
    const nil = (value: string | undefined): string | undefined => (value === undefined || value === '-' ? undefined : value);
    const host = nil(v5424[3]);
    const app = nil(v5424[4]);
    const pid = nil(v5424[5]);
    const msgId = nil(v5424[6]);
    if (host) fields.host = host;
    if (app) fields.app = app;
    if (pid) fields.pid = pid;
    if (msgId) fields.msgId = msgId;
    let body = rest.slice(v5424[0].length);
    const sdEnd = readStructuredData(body, fields);
    if (sdEnd > 0) body = body.slice(sdEnd);
    if (body.charCodeAt(0) === 32) body = body.slice(1);
    if (body.charCodeAt(0) === 0xfeff) body = body.slice(1);
    const tsText = nil(v5424[2]);
    return { format: 'syslog5424', timestamp: tsText ? parseTimestamp(tsText) : undefined, level, logger: app, message: body, fields };
  }

  let timestamp: string | undefined;
  let body = rest;
  const date = RFC3164_DATE.exec(rest);
  if (date && isMonthName(date[1] ?? '')) {
    timestamp = isoFromSyslogDate(date[1] ?? '', Number(date[2]), Number(date[3]), Number(date[4]), Number(date[5]));
    body = rest.slice(date[0].length);
  } else {
    const iso = ISO_WORD.exec(rest);
    if (iso) {
      timestamp = parseTimestamp(iso[1] ?? '');
      body = rest.slice(iso[0].length);
    }
  }
  const tagged = hostAndTag(body, fields);
  return { format: 'syslog3164', timestamp, level, logger: tagged.app, message: tagged.message, fields };
}

function hostAndTag(body: string, fields: Record<string, unknown>): { app?: string; message: string } {
  const space = body.indexOf(' ');
  const firstToken = space === -1 ? body : body.slice(0, space);
  let tagPart = body;
  const last = firstToken.charCodeAt(firstToken.length - 1);
  // `host tag[pid]: msg`, but the host is optional: a first token ending in ':' or ']' is already the tag.
  if (space !== -1 && last !== 58 && last !== 93) {
    fields.host = firstToken;
    tagPart = body.slice(space + 1);
  }
  const tag = SYSLOG_TAG.exec(tagPart);
  if (!tag) return { message: tagPart };
  fields.app = tag[1];
  if (tag[2] !== undefined) fields.pid = tag[2];
  return { app: tag[1], message: tag[3] ?? '' };
}

/** RFC 5424 STRUCTURED-DATA; params are flattened into fields (first value wins). Returns the index after it, or -1. */
function readStructuredData(text: string, fields: Record<string, unknown>): number {
  if (text.charCodeAt(0) === 45 /* - */) return 1;
  const limit = Math.min(text.length, MAX_LOGFMT_CHARS);
  const params: Record<string, string> = {};
  let i = 0;
  while (i < limit && text.charCodeAt(i) === 91 /* [ */) {
    i++;
    while (i < limit && text.charCodeAt(i) !== 32 && text.charCodeAt(i) !== 93) i++;
    while (i < limit && text.charCodeAt(i) === 32) {
      i++;
      const eq = text.indexOf('="', i);
      if (eq === -1 || eq >= limit) return -1;
      const name = text.slice(i, eq);
      let j = eq + 2;
      let value = '';
      let segment = j;
      while (j < limit && text.charCodeAt(j) !== 34 /* " */) {
        if (text.charCodeAt(j) === 92 /* \ */ && j + 1 < limit) {
          value += text.slice(segment, j);
          segment = j + 1;
          j += 2;
        } else {
          j++;
        }
      }
      if (j >= limit) return -1;
      value += text.slice(segment, j);
      if (name.length > 0 && name !== '__proto__' && !(name in params)) params[name] = value;
      i = j + 1;
    }
    if (i >= limit || text.charCodeAt(i) !== 93 /* ] */) return -1;
    i++;
  }
  for (const key in params) if (!(key in fields)) fields[key] = params[key];
  return i;
}

/** key=value lines: Go's logfmt and Windows-style `Level=Error Source=... Message="..."`. */
function parseLogfmt(line: string): Header | undefined {
  const text = line.length > MAX_LOGFMT_CHARS ? line.slice(0, MAX_LOGFMT_CHARS) : line;
  const pairs: Array<[string, string]> = [];
  const bare: string[] = [];
  let i = 0;
  while (i < text.length) {
    while (i < text.length && text.charCodeAt(i) === 32) i++;
    if (i >= text.length) break;
    let keyEnd = i;
    while (keyEnd < text.length && text.charCodeAt(keyEnd) !== 61 && text.charCodeAt(keyEnd) !== 32) keyEnd++;
    if (keyEnd >= text.length || text.charCodeAt(keyEnd) !== 61) {
      bare.push(text.slice(i, keyEnd));
      i = keyEnd;
      continue;
    }
    const key = text.slice(i, keyEnd);
    let j = keyEnd + 1;
    let value: string;
    if (text.charCodeAt(j) === 34 /* " */) {
      j++;
      let segment = j;
      value = '';
      while (j < text.length && text.charCodeAt(j) !== 34) {
        if (text.charCodeAt(j) === 92 && j + 1 < text.length) {
          value += text.slice(segment, j);
          segment = j + 1;
          j += 2;
        } else {
          j++;
        }
      }
      value += text.slice(segment, Math.min(j, text.length));
      j++;
    } else {
      const start = j;
      while (j < text.length && text.charCodeAt(j) !== 32) j++;
      value = text.slice(start, j);
    }
    pairs.push([key, value]);
    i = j;
  }

  let level: Level | undefined;
  let levelKey: string | undefined;
  let message: string | undefined;
  let timestamp: string | undefined;
  let logger: string | undefined;
  const fields: Record<string, unknown> = {};
  for (const [key, value] of pairs) {
    const lower = key.toLowerCase();
    if (level === undefined && (lower === 'level' || lower === 'lvl' || lower === 'severity' || lower === 'loglevel')) {
      level = normalizeLevel(value);
      if (level) {
        levelKey = key;
        continue;
      }
    }
    if (message === undefined && (lower === 'msg' || lower === 'message')) {
      message = value;
      continue;
    }
    if (timestamp === undefined && (lower === 'time' || lower === 'ts' || lower === 'timestamp')) {
      timestamp = timestampFromValue(value);
      if (timestamp) continue;
    }
    if (logger === undefined && (lower === 'logger' || lower === 'source' || lower === 'category')) logger = value;
    if (key !== '__proto__' && !(key in fields)) fields[key] = value;
  }
  if (level === undefined || levelKey === undefined) return undefined;
  // Windows/.NET tooling writes PascalCase keys (Level=Error); lower-case logfmt is Go's and stays 'plain'.
  const format: LogFormat = levelKey === 'Level' ? 'dotnet' : 'plain';
  return { format, timestamp, level, logger, message: message ?? bare.join(' '), fields };
}

function parsePlain(first: string): Header {
  let rest = first;
  let timestamp: string | undefined;
  if (rest.charCodeAt(0) === 91 /* [ */) {
    const close = rest.indexOf(']');
    if (close > 1 && close <= 64) {
      const inner = parseTimestamp(rest.slice(1, close));
      if (inner) {
        timestamp = inner;
        rest = rest.slice(close + 1).trimStart();
      }
    }
  }
  const { level, rest: message } = splitLevelToken(rest);
  return { format: 'plain', timestamp, level, message, fields: {} };
}

function parseLetterStart(first: string): Header {
  const dotnet = parseDotnetConsole(first);
  if (dotnet) return dotnet;
  const py = PYTHON_BASIC.exec(first);
  if (py) return { format: 'python', level: levelFromWord(py[1] ?? ''), logger: py[2] || undefined, message: py[3] ?? '', fields: {} };
  const date = RFC3164_DATE.exec(first);
  if (date && isMonthName(date[1] ?? '')) {
    // A syslog file line (/var/log/syslog) without <PRI>: the level, if any, is the message's leading word.
    const fields: Record<string, unknown> = {};
    const timestamp = isoFromSyslogDate(date[1] ?? '', Number(date[2]), Number(date[3]), Number(date[4]), Number(date[5]));
    const tagged = hostAndTag(first.slice(date[0].length), fields);
    const { level, rest } = splitLevelToken(tagged.message);
    return { format: 'syslog3164', timestamp, level, logger: tagged.app, message: rest, fields };
  }
  if (LOGFMT_START.test(first)) {
    const logfmt = parseLogfmt(first);
    if (logfmt) return logfmt;
  }
  return parsePlain(first);
}

function parseTextHeader(first: string): Header {
  const c = first.charCodeAt(0);
  if (c === 91 /* [ */) return parsePos(first) ?? parsePlain(first);
  if (c === 60 /* < */) return parseSyslog(first) ?? parsePlain(first);
  if (c >= 48 && c <= 57) return parseTimestamped(first) ?? parsePlain(first);
  if ((c >= 65 && c <= 90) || (c >= 97 && c <= 122)) return parseLetterStart(first);
  return parsePlain(first);
}

// ---------------------------------------------------------------- JSON lines

function jsonLevel(obj: Record<string, unknown>): { key?: string; level?: Level } {
  for (const key of JSON_LEVEL_KEYS) {
    if (!(key in obj)) continue;
    const level = normalizeLevel(obj[key]);
    if (level) return { key, level };
  }
  const log = obj.log;
  if (isPlainObject(log)) {
    const level = normalizeLevel(log.level);
    if (level) return { level };
  }
  // Serilog's compact JSON omits @l for Information.
  if ('@mt' in obj || '@m' in obj) return { level: 'INFO' };
  return {};
}

function jsonTimestamp(obj: Record<string, unknown>): { key?: string; timestamp?: string } {
  for (const key of JSON_TIME_KEYS) {
    if (!(key in obj)) continue;
    const timestamp = timestampFromValue(obj[key]);
    if (timestamp) return { key, timestamp };
  }
  return {};
}

interface JsonError {
  exception?: ParsedException;
  errorText?: string;
  hasStack: boolean;
}

function scanStackText(stack: string): ReturnType<typeof scanStack> {
  const lines = takeLines(stack, 0, MAX_STACK_LINES + 1);
  const traceback = lines.some((line) => line.startsWith('Traceback'));
  return scanStack(lines, traceback ? lastNonEmptyLine(stack) : undefined);
}

/** pino/bunyan `err: {type|name, message, stack}`, ECS `error: {type, message, stack_trace}`, structlog/Serilog strings. */
function jsonError(obj: Record<string, unknown>): JsonError {
  let errorText: string | undefined;
  for (const key of JSON_ERROR_KEYS) {
    const value = obj[key];
    if (typeof value === 'string') {
      if (value.indexOf('\n') !== -1) {
        const scan = scanStackText(value);
        if (scan.exception) return { exception: scan.exception, hasStack: scan.hasFrames };
      }
      if (key !== 'stack' && key !== 'stack_trace') errorText ??= value;
      continue;
    }
    if (!isPlainObject(value)) continue;
    const type = stringOf(value.type) ?? stringOf(value.name) ?? stringOf(value.class) ?? stringOf(value.kind);
    const message = stringOf(value.message) ?? stringOf(value.msg) ?? '';
    const stack = stringOf(value.stack) ?? stringOf(value.stack_trace) ?? stringOf(value.stacktrace);
    const scan = stack ? scanStackText(stack) : undefined;
    if (scan?.exception) return { exception: scan.exception, hasStack: scan.hasFrames };
    if (type !== undefined || (scan?.hasFrames ?? false)) {
      return { exception: { type: type ?? 'Error', message, frames: [] }, hasStack: false };
    }
    if (message.length > 0) errorText ??= message;
  }
  return errorText === undefined ? { hasStack: false } : { errorText, hasStack: false };
}

interface JsonParse {
  header: Header;
  /** stack lines found inside the message value */
  continuation: string[];
  messageValue?: string;
  error: JsonError;
}

function parseJsonRecord(obj: Record<string, unknown>, rawFirstLine: string): JsonParse {
  const { key: levelKey, level } = jsonLevel(obj);
  const { key: timeKey, timestamp } = jsonTimestamp(obj);
  const messageEntry = firstString(obj, JSON_MESSAGE_KEYS);
  const loggerEntry = firstString(obj, JSON_LOGGER_KEYS);
  const consumed = new Set<string>();
  if (levelKey) consumed.add(levelKey);
  if (timeKey) consumed.add(timeKey);
  if (messageEntry) consumed.add(messageEntry.key);
  const fields: Record<string, unknown> = {};
  copyInto(fields, obj, consumed);

  const error = jsonError(obj);
  let message: string;
  let continuation: string[] = [];
  if (messageEntry) {
    const nl = messageEntry.value.indexOf('\n');
    message = nl === -1 ? messageEntry.value : messageEntry.value.slice(0, nl);
    // A message carrying its own stack (winston without format.errors) is scanned like continuation lines.
    if (nl !== -1 && !error.exception) continuation = takeLines(messageEntry.value, nl + 1, MAX_STACK_LINES + 1);
  } else if (error.exception) {
    message = error.exception.message.length > 0 ? `${error.exception.type}: ${error.exception.message}` : error.exception.type;
  } else {
    // No message key: the masked JSON itself groups records of the same shape.
    message = error.errorText ?? rawFirstLine;
  }
  const parsed: JsonParse = { header: { format: 'json', timestamp, level, logger: loggerEntry?.value, message, fields }, continuation, error };
  if (continuation.length > 0 && messageEntry) parsed.messageValue = messageEntry.value;
  return parsed;
}

// ---------------------------------------------------------------- entry point

function finish(header: Header, continuation: string[], lastLine: () => string | undefined, jsonErr?: JsonError): ParsedRecord {
  let lines = continuation;
  let message = header.message;
  if (header.messageOnNextLine && lines.length > 0) {
    message = (lines[0] ?? '').trim();
    lines = lines.slice(1);
  }
  const fields = header.fields;
  let details: Record<string, unknown> | undefined;
  if (header.format !== 'json') {
    const split = splitDetails(message.trimEnd());
    message = split.message;
    details = split.details;
    if (details) copyInto(fields, details);
  }

  let exception = jsonErr?.exception;
  let hasStack = jsonErr?.hasStack ?? false;
  let errorText = jsonErr?.errorText;
  if (details && lines.length === 0) {
    // `message | {"err":{"type":…,"stack":…}}`: details may carry the error the way JSON lines do.
    const detailError = jsonError(details);
    exception = detailError.exception;
    hasStack = detailError.hasStack;
    errorText = detailError.errorText;
  }
  if (!exception && lines.length > 0) {
    const traceback = lines.some((line) => line.startsWith('Traceback'));
    const scan = scanStack(lines, traceback ? lastLine() : undefined, message);
    exception = scan.exception;
    hasStack ||= scan.hasFrames;
  }

  const record: ParsedRecord = { format: header.format, message: cleanMessage(message), fields, hasStack };
  if (header.timestamp) record.timestamp = header.timestamp;
  if (header.level) record.level = header.level;
  if (header.logger) record.logger = header.logger;
  if (exception) record.exception = exception;
  if (errorText) record.errorText = errorText;
  return record;
}

/** Parses one record. `input` may span several lines; the first is the header, the rest stack-trace lines. */
export function parseRecord(input: string): ParsedRecord {
  let text = typeof input === 'string' ? input : String(input ?? '');
  if (text.charCodeAt(0) === 0xfeff) text = text.slice(1);
  if (text.indexOf('\x1b') !== -1) text = text.replace(ANSI_ESCAPE, '');

  // Skip blank leading lines: the header is the first line with content.
  let start = 0;
  let nl = text.indexOf('\n');
  while (nl !== -1 && text.slice(start, nl).trim().length === 0) {
    start = nl + 1;
    nl = text.indexOf('\n', start);
  }
  const rawFirst = nl === -1 ? text.slice(start) : text.slice(start, nl);
  const first = rawFirst.trim();
  const restFrom = nl === -1 ? text.length : nl + 1;
  const lastLine = (): string | undefined => lastNonEmptyLine(text);

  if (first.charCodeAt(0) === 123 /* { */) {
    const whole = restFrom < text.length ? text.slice(start).trim() : first;
    let obj = parseJsonObject(whole);
    let from = text.length;
    if (!obj && whole !== first) {
      obj = parseJsonObject(first);
      from = restFrom;
    }
    if (obj) {
      const json = parseJsonRecord(obj, first);
      const { messageValue } = json;
      if (messageValue !== undefined) return finish(json.header, json.continuation, () => lastNonEmptyLine(messageValue), json.error);
      const trailing = from < text.length ? takeLines(text, from, MAX_STACK_LINES + 1) : [];
      return finish(json.header, trailing, lastLine, json.error);
    }
  }

  const header = parseTextHeader(first);
  const continuation = restFrom < text.length ? takeLines(text, restFrom, MAX_STACK_LINES + 1) : [];
  return finish(header, continuation, lastLine);
}
