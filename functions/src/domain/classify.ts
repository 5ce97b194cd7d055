// Is this record an error, how bad, what code, what area. Decisions, in order of authority:
//  - isError: a known POS code in the structured details makes a record an error whatever its level (the demo POS
//    logs low-severity failures at WARN with a code). A known code only mentioned in the message text counts at
//    WARN or above, or without a level, so "retry succeeded after PAYMENT_TIMEOUT" at INFO is not an incident.
//    Otherwise a level decides (ERROR and above); without a level, strong signals decide (an exception or stack,
//    "Traceback", "panic:", "FATAL", "error:", typed names like FooException, or a failure phrase from the keyword table).
//  - severity: for errors the catalogue severity of a known code wins, else the level (no level → high);
//    for non-errors it is the level's (a WARN line is medium, never critical, even if it names a code).
//  - code: known code (fields, then message tokens) → explicit UPPER_SNAKE field code → exception type →
//    keyword table → UNCLASSIFIED_ERROR / NONE.
//  - category: catalogue category, else keyword heuristics, else 'application'.
import { knownCode, type Category, type Severity } from './catalog.js';
import { isErrorLevel, levelRank, type Level } from './levels.js';
import type { ParsedException } from './stack.js';

export interface ClassifyInput {
  level?: Level | undefined;
  message: string;
  fields: Record<string, unknown>;
  exception?: ParsedException | undefined;
  logger?: string | undefined;
  errorText?: string | undefined;
  hasStack?: boolean | undefined;
}

export interface Classification {
  isError: boolean;
  severity: Severity;
  code: string;
  category: Category;
}

export const UNCLASSIFIED_ERROR = 'UNCLASSIFIED_ERROR';
export const NO_CODE = 'NONE';

const FIELD_CODE_KEYS = ['code', 'errorCode', 'errorType', 'error_code', 'error_type'] as const;
const NESTED_ERROR_KEYS = ['err', 'error'] as const;
const UPPER_SNAKE = /^[A-Z][A-Z0-9]*(?:_[A-Z0-9]+)*$/;
const CAMEL_IDENTIFIER = /^[A-Za-z][A-Za-z0-9]*$/;
const CODE_TOKEN = /\b[A-Z][A-Z0-9]*(?:_[A-Z0-9]+)+\b/g;
const MAX_CODE_CHARS = 64;
const MAX_HAYSTACK = 8192;

// Exception types that say nothing about the problem: the message's keywords are a better code.
const GENERIC_EXCEPTION_TYPES: ReadonlySet<string> = new Set([
  'Error', 'Exception', 'Throwable', 'BaseException', 'RuntimeException', 'RuntimeError', 'SystemException',
  'ApplicationException', 'AggregateException', 'OSError', 'IOError', 'EnvironmentError', 'IOException',
  'UncheckedIOException', 'ExecutionException', 'CompletionException', 'InvocationTargetException',
  'UndeclaredThrowableException', 'TargetInvocationException', 'WebException', 'panic',
]);

const STRONG_ERROR_SIGNAL =
  /\b[A-Z][A-Za-z0-9]*(?:Error|Exception)\b|Traceback \(most recent call last\)|\bpanic:|\bFATAL\b|\bfatal(?: error)?:|\bCRITICAL\b|\bERROR\b|\berror:|\bUnhandled\b|\b[Uu]ncaught\b|[Ss]egmentation fault|core dumped/;

interface KeywordRule {
  readonly pattern: RegExp;
  readonly code: string;
  /** strong enough to make a level-less record an error */
  readonly signal: boolean;
}

// Order matters: specific phrases before the generic ones they contain (connection timed out before timed out).
const KEYWORD_RULES: readonly KeywordRule[] = [
  { pattern: /\bECONNREFUSED\b|connection refused/i, code: 'CONNECTION_REFUSED', signal: true },
  { pattern: /\bECONNRESET\b|connection reset|reset by peer|socket hang up/i, code: 'CONNECTION_RESET', signal: true },
  { pattern: /\bETIMEDOUT\b|\bconnect(?:ion)? timed? ?out\b/i, code: 'CONNECTION_TIMEOUT', signal: true },
  { pattern: /\bENOTFOUND\b|\bEAI_AGAIN\b|getaddrinfo|name or service not known|could not resolve|unknown ?host|name resolution|\bNXDOMAIN\b/i, code: 'DNS_RESOLUTION_FAIL', signal: true },
  { pattern: /\bEHOSTUNREACH\b|\bENETUNREACH\b|(?:host|network) is unreachable|no route to host/i, code: 'NETWORK_UNREACHABLE', signal: true },
  { pattern: /certificate has expired|cert(?:ificate)? (?:is )?expired|\bCERT_HAS_EXPIRED\b/i, code: 'SSL_CERT_EXPIRED', signal: true },
  { pattern: /\b(?:ssl|tls) handshake|handshake (?:failed|failure|error|timed out)/i, code: 'TLS_HANDSHAKE_FAILED', signal: true },
  { pattern: /deadlock/i, code: 'DB_DEADLOCK', signal: true },
  { pattern: /too many connections|\bpool (?:is )?exhausted|could not (?:obtain|acquire|get) (?:a )?(?:jdbc |database )?connection/i, code: 'CONN_POOL_EXHAUSTED', signal: true },
  { pattern: /out of memory|OutOfMemory|\bENOMEM\b|\bMemoryError\b|cannot allocate memory|\bOOM[- ]?kill/i, code: 'OUT_OF_MEMORY', signal: true },
  { pattern: /no space left|disk (?:is )?full|\bENOSPC\b|insufficient disk space/i, code: 'DISK_FULL', signal: true },
  { pattern: /permission denied|\bEACCES\b|\bEPERM\b|access (?:is )?denied|operation not permitted/i, code: 'PERMISSION_DENIED', signal: true },
  { pattern: /null ?pointer|NullReference|object reference not set|cannot read propert(?:y|ies) of (?:undefined|null)|undefined is not (?:a function|an object)|'NoneType' object|nil pointer dereference/i, code: 'NULL_REFERENCE', signal: true },
  { pattern: /segmentation fault|\bSIGSEGV\b|core dumped/i, code: 'SEGFAULT', signal: true },
  { pattern: /stack ?overflow|maximum call stack/i, code: 'STACK_OVERFLOW', signal: true },
  { pattern: /\bENOENT\b|no such file|file not found|FileNotFound/i, code: 'FILE_NOT_FOUND', signal: true },
  { pattern: /too many requests|rate[ _-]?limit(?:ed| exceeded)|\bthrottled\b/i, code: 'RATE_LIMIT_EXCEEDED', signal: true },
  { pattern: /\bunauthori[sz]ed\b|authentication failed|invalid credentials|login failed/i, code: 'AUTHENTICATION_FAILED', signal: true },
  { pattern: /\bforbidden\b/i, code: 'FORBIDDEN', signal: false },
  { pattern: /service unavailable|bad gateway|gateway time-?out/i, code: 'SERVICE_UNAVAILABLE', signal: true },
  { pattern: /paper jam|printer jam/i, code: 'PRINTER_JAM', signal: true },
  { pattern: /broken pipe|\bEPIPE\b/i, code: 'BROKEN_PIPE', signal: true },
  { pattern: /\btimed out\b|deadline exceeded/i, code: 'TIMEOUT', signal: true },
  // "timeout" alone is as often a setting ("retry timeout set to 30s") as a failure: a code, not a signal.
  { pattern: /time-?out/i, code: 'TIMEOUT', signal: false },
];

// First match wins; business domains come before technical ones ("payment gateway timeout" is a payment problem).
const CATEGORY_RULES: ReadonlyArray<readonly [RegExp, Category]> = [
  [/payment|\bcard\b|card ?reader|\btender|\bemv\b|contactless|refund|\bwallet|declined|chargeback|pin ?pad|\bpsp\b|acquirer/, 'payment'],
  [/\bdb\b|\bdb_|database|\bsql|sqlite|postgres|psycopg|sqlalchemy|sqlstate|mysql|mongo|jdbc|odbc|deadlock|\bquery\b|hibernate|dynamodb|\bredis\b|\bora-/, 'database'],
  [/printer|scanner|cash ?drawer|\bdrawer\b|\bscale\b|barcode|\busb\b|touch ?screen|\bdisplay\b|peripheral|biometric|serial port/, 'hardware'],
  [/unauthori[sz]ed|forbidden|permission denied|access (?:is )?denied|authenticat|authoriz|credential|invalid token|expired token|token expired|\bjwt\b|\bcsrf\b|fraud|\bpci\b|locked out|\beacces\b|\beperm\b/, 'security'],
  [/out of memory|outofmemory|\bheap\b|\bcpu\b|memory|no space left|disk (?:is )?full|enospc|\bslow\b|latency|high load|gc overhead|\boom\b/, 'performance'],
  [/network|socket|connection|\bconnect\b|econn|etimedout|enotfound|ehostunreach|enetunreach|\bdns\b|getaddrinfo|\btls\b|\bssl\b|certificate|handshake|\bhttps?\b|timed? ?out|timeout|unreachable|\bproxy\b|upstream/, 'network'],
  [/inventory|\bstock\b|\bsku\b|\bprice\b|pricing|\bproduct\b/, 'inventory'],
  [/\bapi\b|webhook|\berp\b|loyalty|\bkds\b|third[- ]party|integration|\bsync\b|gift ?card|\bemail\b|\bsmtp\b/, 'integration'],
  [/corrupt|malformed|invalid json|unexpected token|parse error|deserializ|serializ|schema|validation/, 'data'],
  [/config|licen[cs]e|\bversion\b|\bdriver\b|daemon|kernel|segmentation fault|sigsegv|\bdisk\b|filesystem|enoent|no such file|\bntp\b|clock/, 'system'],
];

// Exception and errorType names repeat across a fleet; a small memo saves the regex work. Cleared when full.
const typeCodeMemo = new Map<string, string | undefined>();
const TYPE_CODE_MEMO_LIMIT = 2048;

/** `java.sql.SQLTimeoutException` → `SQL_TIMEOUT_EXCEPTION`, `ConnectionError` → `CONNECTION_ERROR`. */
export function codeFromTypeName(type: string): string | undefined {
  if (typeCodeMemo.has(type)) return typeCodeMemo.get(type);
  const code = deriveTypeCode(type);
  if (typeCodeMemo.size >= TYPE_CODE_MEMO_LIMIT) typeCodeMemo.clear();
  typeCodeMemo.set(type, code);
  return code;
}

function deriveTypeCode(type: string): string | undefined {
  const cut = Math.max(type.lastIndexOf('.'), type.lastIndexOf('$'), type.lastIndexOf('+'), type.lastIndexOf(':'));
  const simple = type.slice(cut + 1);
  if (simple.length === 0 || simple.length > MAX_CODE_CHARS) return undefined;
  if (UPPER_SNAKE.test(simple)) return simple;
  if (!CAMEL_IDENTIFIER.test(simple)) return undefined;
  // Split lower→Upper (TimeoutException) and acronym→Word (SQLTimeout → SQL_Timeout).
  const code = simple
    .replace(/([a-z0-9])([A-Z])/g, '$1_$2')
    .replace(/([A-Z]+)([A-Z][a-z])/g, '$1_$2')
    .toUpperCase();
  if (code.length <= MAX_CODE_CHARS) return code;
  // The underscores can take a 64-character name past 64 characters, beyond what stores, filters and labels take as a
  // code: cut at the last word boundary that fits.
  const boundary = code.lastIndexOf('_', MAX_CODE_CHARS);
  return code.slice(0, boundary > 0 ? boundary : MAX_CODE_CHARS);
}

function fieldCodeCandidates(fields: Record<string, unknown>): string[] {
  const values: string[] = [];
  for (const key of FIELD_CODE_KEYS) {
    const value = fields[key];
    if (typeof value === 'string' && value.length > 0 && value.length <= MAX_CODE_CHARS) values.push(value.trim());
  }
  for (const key of NESTED_ERROR_KEYS) {
    const nested = fields[key];
    if (typeof nested === 'object' && nested !== null && !Array.isArray(nested)) {
      const code = (nested as Record<string, unknown>).code;
      if (typeof code === 'string' && code.length > 0 && code.length <= MAX_CODE_CHARS) values.push(code.trim());
    }
  }
  return values;
}

function knownCodeInFields(candidates: readonly string[]): string | undefined {
  for (const value of candidates) {
    const upper = value.toUpperCase();
    if (knownCode(upper)) return upper;
    // errorType: "MissingPrice" style.
    if (CAMEL_IDENTIFIER.test(value)) {
      const snake = codeFromTypeName(value);
      if (snake && knownCode(snake)) return snake;
    }
  }
  return undefined;
}

function knownCodeInText(text: string): string | undefined {
  if (text.indexOf('_') === -1) return undefined;
  CODE_TOKEN.lastIndex = 0;
  for (let m = CODE_TOKEN.exec(text); m !== null; m = CODE_TOKEN.exec(text)) {
    if (knownCode(m[0])) return m[0];
  }
  return undefined;
}

export function keywordRule(text: string): KeywordRule | undefined {
  for (const rule of KEYWORD_RULES) if (rule.pattern.test(text)) return rule;
  return undefined;
}

export function categoryFromText(lowerText: string): Category | undefined {
  for (const [pattern, category] of CATEGORY_RULES) if (pattern.test(lowerText)) return category;
  return undefined;
}

function severityFromLevel(level: Level | undefined, isError: boolean): Severity {
  if (level === undefined) return isError ? 'high' : 'low';
  const rank = levelRank(level);
  if (rank >= levelRank('CRITICAL')) return 'critical';
  if (rank >= levelRank('ERROR')) return 'high';
  if (rank >= levelRank('WARN')) return 'medium';
  return 'low';
}

function cap(text: string, max: number): string {
  return text.length > max ? text.slice(0, max) : text;
}

export function classify(input: ClassifyInput): Classification {
  const { level, fields, exception } = input;
  const message = cap(input.message, MAX_HAYSTACK);
  const exceptionText = exception ? cap(`${exception.type}: ${exception.message}`, MAX_HAYSTACK) : '';
  const errorText = input.errorText ? cap(input.errorText, 2048) : '';
  const text = exceptionText || errorText ? `${message}\n${exceptionText}\n${errorText}` : message;

  const fieldCodes = fieldCodeCandidates(fields);
  const fieldKnown = knownCodeInFields(fieldCodes);
  const textKnown = fieldKnown === undefined ? knownCodeInText(text) : undefined;
  const atLeastWarn = level === undefined || levelRank(level) >= levelRank('WARN');
  const explicitKnown = fieldKnown ?? textKnown;

  let rule: KeywordRule | undefined;
  let ruleChecked = false;
  const matchRule = (): KeywordRule | undefined => {
    if (!ruleChecked) {
      rule = keywordRule(text);
      ruleChecked = true;
    }
    return rule;
  };

  let isError: boolean;
  if (fieldKnown !== undefined || (textKnown !== undefined && atLeastWarn)) isError = true;
  else if (level !== undefined) isError = isErrorLevel(level);
  else {
    isError = exception !== undefined || input.hasStack === true || STRONG_ERROR_SIGNAL.test(text) || (matchRule()?.signal ?? false);
  }

  let code = explicitKnown;
  if (code === undefined) code = fieldCodes.find((value) => UPPER_SNAKE.test(value));
  if (code === undefined && exception && !GENERIC_EXCEPTION_TYPES.has(exception.type.slice(exception.type.lastIndexOf('.') + 1))) {
    code = codeFromTypeName(exception.type);
  }
  code ??= matchRule()?.code;
  if (code === undefined && exception) code = codeFromTypeName(exception.type);
  if (code === undefined || code === 'ERROR' || code === 'EXCEPTION') code = isError ? UNCLASSIFIED_ERROR : NO_CODE;

  const known = knownCode(code);
  const severity = isError && known ? known.severity : severityFromLevel(level, isError);
  let category = known?.category;
  if (category === undefined) {
    const haystack = `${text}\n${input.logger ?? ''}\n${code}`.toLowerCase();
    category = categoryFromText(haystack) ?? 'application';
  }
  return { isError, severity, code, category };
}
