// Facts an engineer would pick out of an incident's sample lines before guessing at a cause: the exception type, an
// HTTP status, an errno, the host involved, a timeout value, a SQLSTATE, a card-reader status word. Samples are
// untrusted text of any size, so only a bounded prefix of a bounded number of samples is read, and every pattern has
// bounded quantifiers.

export type EvidenceKind = 'exception' | 'httpStatus' | 'errno' | 'sqlState' | 'statusWord' | 'responseCode' | 'exitCode' | 'timeout' | 'host';

export interface EvidenceFact {
  readonly kind: EvidenceKind;
  readonly value: string;
  /** how the fact reads in a sentence: "HTTP 503", "host gw.example-payments.com" */
  readonly label: string;
}

export const MAX_EVIDENCE_SAMPLES = 10;
export const MAX_EVIDENCE_CHARS = 8192;
const MAX_FACTS = 6;
const MAX_PER_KIND = 2;
const MAX_TOKEN_CHARS = 200;

const KIND_ORDER: readonly EvidenceKind[] = ['exception', 'httpStatus', 'errno', 'sqlState', 'statusWord', 'responseCode', 'exitCode', 'timeout', 'host'];

const TOKEN_SEPARATOR = /[\s:()[\]{}"',;=<>|]+/;
const EXCEPTION_TOKEN = /^(?:[A-Za-z_$][\w$]*\.)*[A-Z][\w$]*(?:Exception|Error|Timeout)$/;
// Names that say only "something failed": the message around them is better evidence.
const GENERIC_EXCEPTIONS: ReadonlySet<string> = new Set([
  'RuntimeException',
  'RuntimeError',
  'SystemException',
  'ApplicationException',
  'AggregateException',
  'IOException',
  'UncheckedIOException',
  'ExecutionException',
  'CompletionException',
  'InvocationTargetException',
  'OSError',
  'IOError',
  'EnvironmentError',
  'BaseException',
  'StandardError',
]);

const HTTP_STATUS_PATTERNS: readonly RegExp[] = [
  /\bHTTP(?:\/\d(?:\.\d)?)?\s(\d{3})\b/g,
  /"(?:httpStatus|statusCode|status_code|http_status)"\s?:\s?"?(\d{3})\b/g,
  /\bstatus(?: code)?\s(\d{3})\b/gi,
  /\breturned\s(\d{3})\b/g,
  /\b(\d{3}) (?:Bad Gateway|Service Unavailable|Gateway Time-?out|Internal Server Error|Too Many Requests|Bad Request|Unauthorized|Forbidden|Not Found|Conflict|Client Error|Server Error)\b/g,
];
const ERRNO =
  /\bE(?:CONNREFUSED|CONNRESET|CONNABORTED|TIMEDOUT|NOTFOUND|AI_AGAIN|HOSTUNREACH|NETUNREACH|ACCES|PERM|NOSPC|NOMEM|PIPE|NOENT|MFILE|ROFS|ADDRINUSE)\b/g;
const SQL_STATE_PATTERNS: readonly RegExp[] = [/"sql_?state"\s?:\s?"([0-9A-Z]{5})"/gi, /\bSQLSTATE[\s:=[]{0,3}([0-9A-Z]{5})\b/gi];
const STATUS_WORD = /\bSW\s([0-9A-F]{4})\b/g;
const RESPONSE_CODE_PATTERNS: readonly RegExp[] = [/\bresponse code\s(\d{2,3})\b/gi, /"responseCode"\s?:\s?"(\d{2,3})"/g];
const EXIT_CODE = /\bexit(?:ed with)? code\s(0x[0-9A-Fa-f]{1,8}|-?\d{1,5})\b/gi;
// What was observed ("timed out after 30012ms", "not acknowledged … within 8000ms") and what was configured
// ("timeoutMs": 30000) are different facts. "5 failed logins within 300s" is neither.
const OBSERVED_TIMEOUT_PATTERNS: readonly RegExp[] = [
  /\b(?:timeout|timed out|time-out)\s(?:after\s|of\s)?(\d{1,7}(?:\.\d{1,3})?)\s?(ms|s|sec|seconds)\b/gi,
  /\b(?:not|never)\s[^.;\n]{0,60}?\bwithin\s(\d{1,7}(?:\.\d{1,3})?)\s?(ms|s)\b/gi,
];
const CONFIGURED_TIMEOUT = /"timeoutMs"\s?:\s?(\d{1,7})\b/g;
const URL_HOST = /\bhttps?:\/\/([A-Za-z0-9.-]{1,253})/g;
const JSON_HOST = /"(?:host|hostname|[a-z]{1,32}Host)"\s?:\s?"([A-Za-z0-9.-]{1,253})(?::\d{1,5})?"/g;
const HOST_PORT = /\b((?:[a-z0-9-]{1,63}\.){1,8}[a-z]{2,63}):(\d{2,5})\b/g;
const IP_PORT = /\b(\d{1,3}(?:\.\d{1,3}){3}):(\d{2,5})\b/g;
// Stack frames look like host:port ("order-repository.js:63"); a file extension is not a top-level domain.
const FILE_EXTENSIONS: ReadonlySet<string> = new Set([
  'js',
  'mjs',
  'cjs',
  'ts',
  'tsx',
  'jsx',
  'java',
  'kt',
  'scala',
  'py',
  'rb',
  'go',
  'cs',
  'php',
  'dll',
  'so',
  'exe',
  'log',
  'db',
  'json',
  'jrn',
  'dat',
  'ttf',
  'txt',
  'xml',
  'yaml',
  'yml',
  'cfg',
  'conf',
  'ini',
  'sql',
  'cpp',
  'hpp',
  'rs',
  'swift',
]);

function capped(text: string): string {
  return text.length > MAX_EVIDENCE_CHARS ? text.slice(0, MAX_EVIDENCE_CHARS) : text;
}

/** The texts evidence is read from: at most MAX_EVIDENCE_SAMPLES strings of at most MAX_EVIDENCE_CHARS each. */
export function evidenceTexts(samples: readonly unknown[]): string[] {
  const texts: string[] = [];
  for (const sample of samples) {
    if (texts.length >= MAX_EVIDENCE_SAMPLES) break;
    if (typeof sample === 'string' && sample.trim().length > 0) texts.push(capped(sample));
  }
  return texts;
}

class FactCollector {
  private readonly facts: EvidenceFact[] = [];
  private readonly seen = new Set<string>();
  private readonly perKind = new Map<EvidenceKind, number>();

  /** `key` identifies the fact for de-duplication when the value alone does not (an exception's simple name). */
  add(kind: EvidenceKind, value: string, label: string, key = value): void {
    const id = `${kind}\n${key}`;
    const count = this.perKind.get(kind) ?? 0;
    if (this.seen.has(id) || count >= MAX_PER_KIND) return;
    this.seen.add(id);
    this.perKind.set(kind, count + 1);
    this.facts.push({ kind, value, label });
  }

  /** The same exception is often named both qualified and not ("raise HTTPError(" and "requests.exceptions.HTTPError:"). */
  addException(qualified: string, simple: string): void {
    const index = this.facts.findIndex((fact) => fact.kind === 'exception' && (fact.value === simple || fact.value.endsWith(`.${simple}`)));
    const existing = index === -1 ? undefined : this.facts[index];
    if (existing === undefined) this.add('exception', qualified, `exception ${qualified}`, simple);
    else if (qualified.length > existing.value.length) this.facts[index] = { kind: 'exception', value: qualified, label: `exception ${qualified}` };
  }

  result(): EvidenceFact[] {
    const order = (fact: EvidenceFact): number => KIND_ORDER.indexOf(fact.kind);
    // Stable sort keeps first-seen order within a kind.
    return [...this.facts].sort((a, b) => order(a) - order(b)).slice(0, MAX_FACTS);
  }
}

function eachMatch(pattern: RegExp, text: string, onMatch: (match: RegExpExecArray) => void): void {
  pattern.lastIndex = 0;
  for (let m = pattern.exec(text); m !== null; m = pattern.exec(text)) {
    onMatch(m);
    if (m[0].length === 0) pattern.lastIndex++;
  }
}

function addExceptions(text: string, facts: FactCollector): void {
  for (const raw of text.split(TOKEN_SEPARATOR)) {
    if (raw.length < 6 || raw.length > MAX_TOKEN_CHARS) continue;
    const token = raw.replace(/\.+$/, '');
    if (!EXCEPTION_TOKEN.test(token)) continue;
    const simple = token.slice(token.lastIndexOf('.') + 1);
    if (GENERIC_EXCEPTIONS.has(simple)) continue;
    facts.addException(token, simple);
  }
}

function addHosts(text: string, facts: FactCollector): void {
  const addHost = (host: string): void => {
    const lower = host.toLowerCase().replace(/\.+$/, '');
    if (lower.indexOf('.') === -1) return;
    const tld = lower.slice(lower.lastIndexOf('.') + 1);
    if (FILE_EXTENSIONS.has(tld)) return;
    facts.add('host', lower, `host ${lower}`);
  };
  eachMatch(URL_HOST, text, (m) => addHost(m[1] ?? ''));
  eachMatch(JSON_HOST, text, (m) => addHost(m[1] ?? ''));
  eachMatch(HOST_PORT, text, (m) => addHost(m[1] ?? ''));
  eachMatch(IP_PORT, text, (m) => facts.add('host', `${m[1]}:${m[2]}`, `host ${m[1]}:${m[2]}`));
}

function addFacts(text: string, facts: FactCollector): void {
  addExceptions(text, facts);
  for (const pattern of HTTP_STATUS_PATTERNS) {
    eachMatch(pattern, text, (m) => {
      const status = Number(m[1]);
      if (status >= 400 && status <= 599) facts.add('httpStatus', String(status), `HTTP ${status}`);
    });
  }
  eachMatch(ERRNO, text, (m) => facts.add('errno', m[0], `errno ${m[0]}`));
  for (const pattern of SQL_STATE_PATTERNS)
    eachMatch(pattern, text, (m) => facts.add('sqlState', (m[1] ?? '').toUpperCase(), `SQLSTATE ${(m[1] ?? '').toUpperCase()}`));
  eachMatch(STATUS_WORD, text, (m) => facts.add('statusWord', m[1] ?? '', `status word ${m[1]}`));
  for (const pattern of RESPONSE_CODE_PATTERNS) eachMatch(pattern, text, (m) => facts.add('responseCode', m[1] ?? '', `response code ${m[1]}`));
  eachMatch(EXIT_CODE, text, (m) => facts.add('exitCode', m[1] ?? '', `exit code ${m[1]}`));
  for (const pattern of OBSERVED_TIMEOUT_PATTERNS) {
    eachMatch(pattern, text, (m) => {
      const unit = (m[2] ?? 'ms').toLowerCase();
      const ms = unit === 'ms' ? Number(m[1]) : Math.round(Number(m[1]) * 1000);
      if (Number.isFinite(ms) && ms > 0) facts.add('timeout', String(ms), `timed out after ${ms} ms`);
    });
  }
  eachMatch(CONFIGURED_TIMEOUT, text, (m) => {
    const ms = Number(m[1]);
    if (ms > 0) facts.add('timeout', String(ms), `timeout setting ${ms} ms`);
  });
  addHosts(text, facts);
}

/** Facts found in the sample texts, most telling kinds first, at most six. */
export function extractEvidence(samples: readonly unknown[]): EvidenceFact[] {
  const facts = new FactCollector();
  for (const text of evidenceTexts(samples)) addFacts(text, facts);
  return facts.result();
}

/** The first text a signal pattern finds in the samples, or undefined: what corroborates a knowledge-base cause. */
export function findSignal(signals: readonly RegExp[], texts: readonly string[]): string | undefined {
  for (const signal of signals) {
    // Signals are written without the g flag; a copy protects against a stateful one anyway.
    const pattern = signal.global || signal.sticky ? new RegExp(signal.source, signal.flags.replace(/[gy]/g, '')) : signal;
    for (const text of texts) {
      const match = pattern.exec(text);
      if (match) return match[0];
    }
  }
  return undefined;
}
