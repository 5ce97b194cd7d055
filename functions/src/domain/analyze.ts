// One log record in, one analysed record out: parse → classify → fingerprint. Pure, synchronous, AWS-free.
import type { Category, Severity } from './catalog.js';
import { classify, codeFromTypeName, NO_CODE, UNCLASSIFIED_ERROR } from './classify.js';
import { fingerprintRecord, hashFingerprint, maskMessage } from './fingerprint.js';
import { MAX_MESSAGE_CHARS, parseRecord, type LogFormat, type ParsedException, type ParsedRecord } from './parse.js';

export type { LogFormat, ParsedException } from './parse.js';

export interface AnalyzedRecord {
  format: LogFormat;
  /** ISO 8601 UTC when the record carries one */
  timestamp?: string;
  /** normalised upper-case: TRACE DEBUG INFO NOTICE WARN ERROR CRITICAL FATAL ALERT EMERGENCY */
  level?: string;
  logger?: string;
  /** the human message (header stripped, first line), at most 8 KiB */
  message: string;
  /** structured details: the JSON after ` | ` in the POS format, JSON-line fields minus level/msg/time, … */
  fields: Record<string, unknown>;
  /** from a multi-line stack trace or err.stack / err.type */
  exception?: ParsedException;
  isError: boolean;
  severity: Severity;
  /** known POS code, or derived from fields, exception type or keywords; UNCLASSIFIED_ERROR / NONE otherwise */
  code: string;
  category: Category;
  /** 16 lowercase hex chars */
  fingerprint: string;
  /** the normalised message the fingerprint hashes */
  template: string;
  /** short incident title, at most 200 chars */
  title: string;
  storeId?: string;
  kioskId?: string;
}

export const MAX_TITLE_CHARS = 200;

const STORE_KEYS = ['storeId', 'store_id', 'storeNumber', 'store'] as const;
const KIOSK_KEYS = ['kioskId', 'kiosk_id', 'kioskNumber', 'kiosk', 'terminalId'] as const;
const STORE_KEYS_LOWER: ReadonlySet<string> = new Set(STORE_KEYS.map((key) => key.toLowerCase()));
const KIOSK_KEYS_LOWER: ReadonlySet<string> = new Set(KIOSK_KEYS.map((key) => key.toLowerCase()));

function dimensionValue(value: unknown): string | undefined {
  if (typeof value === 'string' && value.length > 0) return value;
  if (typeof value === 'number' && Number.isFinite(value)) return String(value);
  return undefined;
}

function dimension(fields: Record<string, unknown>, keys: readonly string[], lowerKeys: ReadonlySet<string>): string | undefined {
  for (const key of keys) {
    const value = dimensionValue(fields[key]);
    if (value !== undefined) return value;
  }
  // .NET and Windows tooling spell keys in PascalCase (StoreNumber, KioskId).
  for (const key in fields) {
    if (!lowerKeys.has(key.toLowerCase())) continue;
    const value = dimensionValue(fields[key]);
    if (value !== undefined) return value;
  }
  return undefined;
}

function truncateTitle(title: string): string {
  return title.length <= MAX_TITLE_CHARS ? title : `${title.slice(0, MAX_TITLE_CHARS - 1)}…`;
}

function makeTitle(code: string, template: string, exception?: ParsedException): string {
  // A code derived from the exception type would repeat it ("SQL_TIMEOUT_EXCEPTION: java.sql.SQLTimeoutException: …");
  // the short class name reads better and says the same.
  if (exception && codeFromTypeName(exception.type) === code) {
    const simple = exception.type.slice(Math.max(exception.type.lastIndexOf('.'), exception.type.lastIndexOf('+')) + 1);
    return truncateTitle(template.startsWith(exception.type) ? `${simple}${template.slice(exception.type.length)}` : template);
  }
  // Without a real code the prefix adds nothing a dashboard does not already show.
  if (code === UNCLASSIFIED_ERROR || code === NO_CODE) return truncateTitle(template.length > 0 ? template : code);
  return truncateTitle(template.length > 0 ? `${code}: ${template}` : code);
}

/** The classification and fingerprint of an already parsed record. */
export function analyzeParsed(parsed: ParsedRecord): AnalyzedRecord {
  const classification = classify(parsed);
  const { fingerprint, template } = fingerprintRecord({ code: classification.code, message: parsed.message, exception: parsed.exception });
  const record: AnalyzedRecord = {
    format: parsed.format,
    message: parsed.message,
    fields: parsed.fields,
    isError: classification.isError,
    severity: classification.severity,
    code: classification.code,
    category: classification.category,
    fingerprint,
    template,
    title: makeTitle(classification.code, template, parsed.exception),
  };
  if (parsed.timestamp !== undefined) record.timestamp = parsed.timestamp;
  if (parsed.level !== undefined) record.level = parsed.level;
  if (parsed.logger !== undefined) record.logger = parsed.logger;
  if (parsed.exception !== undefined) record.exception = parsed.exception;
  const storeId = dimension(parsed.fields, STORE_KEYS, STORE_KEYS_LOWER);
  if (storeId !== undefined) record.storeId = storeId;
  const kioskId = dimension(parsed.fields, KIOSK_KEYS, KIOSK_KEYS_LOWER);
  if (kioskId !== undefined) record.kioskId = kioskId;
  return record;
}

/**
 * Analyses one record (which may span lines). Never throws: should a parser bug surface on some input, the
 * record is still reported, as an unparsed error-looking line, rather than failing a whole ingest batch.
 */
export function analyzeRecord(text: string): AnalyzedRecord {
  try {
    return analyzeParsed(parseRecord(text));
  } catch {
    return unparsedRecord(text);
  }
}

function unparsedRecord(text: unknown): AnalyzedRecord {
  const raw = typeof text === 'string' ? text : '';
  const message = raw.slice(0, MAX_MESSAGE_CHARS);
  const template = maskMessage(message);
  return {
    format: 'plain',
    message,
    fields: {},
    isError: true,
    severity: 'high',
    code: UNCLASSIFIED_ERROR,
    category: 'application',
    fingerprint: hashFingerprint(UNCLASSIFIED_ERROR, template),
    template,
    title: makeTitle(UNCLASSIFIED_ERROR, template),
  };
}
