// Log levels from every format we read, folded onto one scale so classification has a single rule set.

export const LEVELS = ['TRACE', 'DEBUG', 'INFO', 'NOTICE', 'WARN', 'ERROR', 'CRITICAL', 'FATAL', 'ALERT', 'EMERGENCY'] as const;
export type Level = (typeof LEVELS)[number];

const RANK: Readonly<Record<Level, number>> = {
  TRACE: 0,
  DEBUG: 1,
  INFO: 2,
  NOTICE: 3,
  WARN: 4,
  ERROR: 5,
  CRITICAL: 6,
  FATAL: 7,
  ALERT: 7,
  EMERGENCY: 8,
};

// Spellings seen in the wild: log4j/logback, Python, syslog keywords, .NET console prefixes,
// Serilog's three-letter forms, java.util.logging, Go's logrus/zap.
const ALIASES: ReadonlyMap<string, Level> = new Map<string, Level>([
  ['trace', 'TRACE'], ['trce', 'TRACE'], ['verbose', 'TRACE'], ['vrb', 'TRACE'], ['finest', 'TRACE'], ['finer', 'TRACE'],
  ['debug', 'DEBUG'], ['dbug', 'DEBUG'], ['dbg', 'DEBUG'], ['fine', 'DEBUG'],
  ['info', 'INFO'], ['information', 'INFO'], ['informational', 'INFO'], ['inf', 'INFO'],
  ['notice', 'NOTICE'],
  ['warn', 'WARN'], ['warning', 'WARN'], ['wrn', 'WARN'],
  ['error', 'ERROR'], ['err', 'ERROR'], ['eror', 'ERROR'], ['fail', 'ERROR'], ['severe', 'ERROR'],
  ['critical', 'CRITICAL'], ['crit', 'CRITICAL'],
  ['fatal', 'FATAL'], ['ftl', 'FATAL'], ['panic', 'FATAL'],
  ['alert', 'ALERT'],
  ['emergency', 'EMERGENCY'], ['emerg', 'EMERGENCY'],
]);

const SYSLOG_SEVERITY: readonly Level[] = ['EMERGENCY', 'ALERT', 'CRITICAL', 'ERROR', 'WARN', 'NOTICE', 'INFO', 'DEBUG'];

/** RFC 5424 severity (PRI % 8): 0 emergency … 7 debug. */
export function levelFromSyslogSeverity(severity: number): Level {
  return SYSLOG_SEVERITY[severity & 7] ?? 'INFO';
}

/**
 * Numeric levels: pino/bunyan use 10..60 (40 warn, 50 error, 60 fatal); GELF and similar use syslog 0..7.
 * Python's levelno (40 = ERROR) collides with pino's 40 = warn; pino's reading wins because JSON lines with a
 * numeric `level` are overwhelmingly pino/bunyan, while Python JSON formatters emit `levelname`.
 */
export function levelFromNumber(value: number): Level | undefined {
  if (!Number.isFinite(value) || value < 0) return undefined;
  if (value <= 7 && Number.isInteger(value)) return levelFromSyslogSeverity(value);
  if (value < 10) return undefined;
  if (value < 20) return 'TRACE';
  if (value < 30) return 'DEBUG';
  if (value < 40) return 'INFO';
  if (value < 50) return 'WARN';
  if (value < 60) return 'ERROR';
  return 'FATAL';
}

export function levelFromWord(word: string): Level | undefined {
  if (word.length === 0 || word.length > 13) return undefined;
  return ALIASES.get(word.toLowerCase());
}

/** Any level representation (string word, numeric string, number) to the normalised scale. */
export function normalizeLevel(raw: unknown): Level | undefined {
  if (typeof raw === 'number') return levelFromNumber(raw);
  if (typeof raw !== 'string') return undefined;
  const word = raw.trim();
  const named = levelFromWord(word);
  if (named) return named;
  if (/^\d{1,3}$/.test(word)) return levelFromNumber(Number(word));
  return undefined;
}

export function levelRank(level: Level): number {
  return RANK[level];
}

export function isErrorLevel(level: Level): boolean {
  return RANK[level] >= RANK.ERROR;
}
