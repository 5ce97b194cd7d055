// Grouping: Sentry-style parameterisation of the message, then a hash of code + template (+ top frames).
// Variable parts become placeholders so one problem seen with different orders, amounts, times, stores or kiosks
// hashes the same. Following Drain, any token that still contains a digit is a variable. The hash folds the
// placeholders one value can render as (<int> <float> <hex> <id>) into one, see foldPlaceholders.
import * as crypto from 'node:crypto';
import type { ParsedException } from './stack.js';

/** Only this much of a message feeds the template, so cost per record is bounded whatever the input size. */
export const MAX_TEMPLATE_INPUT = 8192;
export const FINGERPRINT_FRAMES = 3;

const WHITESPACE_RUN = /\s+/g;
// A scheme of at most 16 characters keeps the per-position work bounded.
const URL = /\b[A-Za-z][A-Za-z0-9+.-]{0,15}:\/\/[^\s"'<>()[\]{}]+/g;
// Quoted values after `=` or `:` (key="value", "key": "value"); the length cap bounds work on an unterminated quote.
const QUOTED_VALUE = /([=:] ?)(?:"[^"\n]{0,256}"|'[^'\n]{0,256}')/g;
// Words are runs between separators; `=` is a separator so key=value splits into key, =, value.
const SEPARATOR = new Uint8Array(128);
for (const ch of ' \t\n\r\v\f()[]{}<>"\'=|') SEPARATOR[ch.charCodeAt(0)] = 1;
// Only words containing one of these can change: digits, '@' (email), '/' and '\\' (paths), '_' and '-' (prefixed hex ids).
const MASK_TRIGGER = new Uint8Array(128);
for (const ch of '0123456789@/\\_-') MASK_TRIGGER[ch.charCodeAt(0)] = 1;
const DIGIT = /\d/;

const INT = /^[-+]?\d+$/;
const GROUPED_INT = /^[-+]?\d{1,3}(?:,\d{3})+(?:\.\d+)?$/;
const FLOAT = /^[-+]?\d+\.\d+$/;
const UUID = /^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$/;
const ISO_DATE_TIME = /^\d{4}-\d{2}-\d{2}(?:T\d{2}:\d{2}(?::\d{2})?(?:[.,]\d{1,9})?(?:Z|[+-]\d{2}:?\d{2})?)?$/;
const CLOCK = /^\d{1,2}:\d{2}(?::\d{2})?(?:[.,]\d{1,9})?(?:Z|[+-]\d{2}:?\d{2})?$/;
const SLASH_DATE = /^(?:\d{4}[/.-]\d{1,2}[/.-]\d{1,2}|\d{1,2}[/.-]\d{1,2}[/.-]\d{4}|\d{1,2}\/\d{1,2}\/\d{2})$/;
const IPV4 = /^\d{1,3}(?:\.\d{1,3}){3}(?:\/\d{1,2}|:\d{1,5})?$/;
const IPV6 = /^[0-9A-Fa-f:.]+$/;
// No "d" (days): "736d" is far more often a hex value than a duration.
const DURATION = /^\d+(?:\.\d+)?(?:ns|us|µs|ms|s|sec|secs|m|min|mins|h|hr|hrs)$/i;
const MONEY = /^-?(?:[$€£¥]\d[\d,]*(?:\.\d+)?|\d[\d,]*(?:\.\d+)?[$€£¥])$/;
const HEX_0X = /^0[xX][0-9A-Fa-f]+$/;
const HEX_LONG = /^[0-9A-Fa-f]{7,}$/;
// A prefixed id whose random part happens to hold no digit (TXN_aedacc, TXN-CBBEFCCB): digits are not the only tell.
const PREFIXED_HEX_ID = /^[A-Za-z]{2,12}[_-](?:[0-9a-f]{6,}|[0-9A-F]{6,})$/;
// A random hex value can come out with no digit at all ("bead", "fbadec"). Lowercase
// words made only of a-f are taken as hex, except the English words among them that logs actually use.
const LOWER_HEX_WORD = /^[a-f]{4,}$/;
const HEX_LOOKING_WORDS: ReadonlySet<string> = new Set([
  'added', 'accede', 'acceded', 'beef', 'cafe', 'dead', 'deaf', 'decade', 'decaf', 'deed', 'deface', 'defaced', 'efface',
  'effaced', 'facade', 'face', 'faced', 'fade', 'faded', 'feed', 'ebbed', 'bedded', 'beaded', 'ceded',
]);
const KEY_COLON_VALUE = /^([A-Za-z_][A-Za-z_.-]{0,63}):(.+)$/;
const CURRENCY_AFTER = /<(?:int|float)> ?(?:USD|EUR|GBP|CAD|AUD|NZD|JPY|CHF|SEK|NOK|DKK|PLN|CZK|HUF|MXN|BRL|INR|CNY|ZAR)\b/g;
const CURRENCY_BEFORE = /\b(?:USD|EUR|GBP|CAD|AUD|NZD|JPY|CHF|SEK|NOK|DKK|PLN|CZK|HUF|MXN|BRL|INR|CNY|ZAR) ?<(?:int|float)>/g;
const REPEATED_TS = /<ts>(?: <ts>)+/g;
// "items 1, 2, 3" and "items 4, 5" are the same message; so are "ids 12, 3f" and "ids 7".
const PLACEHOLDER_LIST = /<([a-z*]+)>(?:, ?<\1>)+/g;
const NUMERIC_LIST = /<(int|float|hex|id)>(?:, ?<(?:int|float|hex|id)>)+/g;

// Tokens whose digits are part of a name, not a value: masking them would only make titles harder to read.
const KEEP_WITH_DIGITS: ReadonlySet<string> = new Set([
  'utf8', 'utf-8', 'utf16', 'utf-16', 'base64', 'sha1', 'sha256', 'sha512', 'md5', 'x86', 'x64', 'x86_64', 'arm64',
  'ipv4', 'ipv6', 'http2', 'http/2', 'http/1.1', 'h2', 's3', 'ec2', 'win32', 'win64', 'int32', 'int64', 'uint8', 'uint32',
  'float32', 'float64', 'oauth2', 'i18n', 'l10n', 'k8s', '2fa', '3ds', '3ds2', 'p2pe', 'iso8583', 'pkcs12', 'x509', 'tls1.2', 'tls1.3',
]);

function isEmail(word: string): boolean {
  const at = word.indexOf('@');
  if (at <= 0 || at !== word.lastIndexOf('@')) return false;
  const dot = word.lastIndexOf('.');
  return dot > at + 1 && dot < word.length - 2;
}

function isPath(word: string): boolean {
  const c0 = word.charCodeAt(0);
  if (c0 === 47 /* / */) return word.length > 1 && (word.indexOf('/', 1) !== -1 || word.indexOf('.', 1) !== -1);
  if (word.startsWith('./') || word.startsWith('../') || word.startsWith('~/')) return true;
  if (word.startsWith('\\\\')) return true;
  if (word.length > 2 && word.charCodeAt(1) === 58 /* : */ && word.charCodeAt(2) === 92 /* \ */) return true;
  return word.indexOf('\\') !== -1 && word.indexOf('\\') !== word.lastIndexOf('\\');
}

function isIpv6(word: string): boolean {
  if (!IPV6.test(word)) return false;
  let colons = 0;
  for (let i = 0; i < word.length; i++) if (word.charCodeAt(i) === 58) colons++;
  return colons >= 2;
}

function maskCore(core: string): string {
  if (!DIGIT.test(core)) {
    if (core.indexOf('@') !== -1 && isEmail(core)) return '<email>';
    if (isPath(core)) return '<path>';
    if (PREFIXED_HEX_ID.test(core)) return '<id>';
    if (LOWER_HEX_WORD.test(core) && !HEX_LOOKING_WORDS.has(core)) return '<hex>';
    return core;
  }
  if (INT.test(core)) return '<int>';
  if (FLOAT.test(core)) return '<float>';
  if (GROUPED_INT.test(core)) return core.indexOf('.') === -1 ? '<int>' : '<float>';
  if (core.indexOf('@') !== -1 && isEmail(core)) return '<email>';
  if (UUID.test(core)) return '<uuid>';
  if (ISO_DATE_TIME.test(core) || CLOCK.test(core) || SLASH_DATE.test(core)) return '<ts>';
  if (IPV4.test(core)) return '<ip>';
  if (DURATION.test(core)) return '<duration>';
  if (MONEY.test(core)) return '<amount>';
  if (HEX_0X.test(core) || HEX_LONG.test(core)) return '<hex>';
  if (isIpv6(core)) return '<ip>';
  if (isPath(core)) return '<path>';
  if (KEEP_WITH_DIGITS.has(core.toLowerCase())) return core;
  const kv = KEY_COLON_VALUE.exec(core);
  if (kv) return `${kv[1]}:${maskCore(kv[2] ?? '')}`;
  return '<id>';
}

function isTrailingPunctuation(code: number): boolean {
  // . , ; : ! ? %
  return code === 46 || code === 44 || code === 59 || code === 58 || code === 33 || code === 63 || code === 37;
}

function isLeadingPunctuation(code: number): boolean {
  // # : , ; *   ("#1231", JSON's ":12", nginx's "*5")
  return code === 35 || code === 58 || code === 44 || code === 59 || code === 42;
}

function maskWord(word: string): string {
  let end = word.length;
  while (end > 0 && isTrailingPunctuation(word.charCodeAt(end - 1))) end--;
  let start = 0;
  // "::1" is an IPv6 address, not punctuation before "1".
  while (start < end && isLeadingPunctuation(word.charCodeAt(start)) && word.charCodeAt(start + 1) !== 58) start++;
  if (end <= start) return word;
  const masked = maskCore(start === 0 && end === word.length ? word : word.slice(start, end));
  return start === 0 && end === word.length ? masked : word.slice(0, start) + masked + word.slice(end);
}

/** A hand-rolled scan: most words hold no digit and are copied without a callback or a regex. */
function maskWords(text: string): string {
  let out = '';
  let copiedUpTo = 0;
  let i = 0;
  const n = text.length;
  while (i < n) {
    let code = text.charCodeAt(i);
    while (code < 128 && SEPARATOR[code] === 1) {
      if (++i >= n) break;
      code = text.charCodeAt(i);
    }
    if (i >= n) break;
    const start = i;
    let trigger = false;
    let hexLettersOnly = true;
    while (i < n) {
      code = text.charCodeAt(i);
      if (code < 128) {
        if (SEPARATOR[code] === 1) break;
        if (MASK_TRIGGER[code] === 1) trigger = true;
      }
      if (hexLettersOnly && (code < 97 || code > 102) && !isTrailingPunctuation(code)) hexLettersOnly = false;
      i++;
    }
    if (trigger || (hexLettersOnly && i - start >= 4)) {
      const word = text.slice(start, i);
      const masked = maskWord(word);
      if (masked !== word) {
        out += text.slice(copiedUpTo, start) + masked;
        copiedUpTo = i;
      }
    }
  }
  return copiedUpTo === 0 ? text : out + text.slice(copiedUpTo);
}

/** The normalised form of a message: variables replaced by placeholders, whitespace collapsed. */
export function maskMessage(message: string): string {
  let text = message.length > MAX_TEMPLATE_INPUT ? message.slice(0, MAX_TEMPLATE_INPUT) : message;
  text = text.replace(WHITESPACE_RUN, ' ').trim();
  if (text.length === 0) return text;
  if (text.indexOf('://') !== -1) text = text.replace(URL, '<url>');
  if (text.indexOf('"') !== -1 || text.indexOf("'") !== -1) {
    text = text.replace(QUOTED_VALUE, (_m, prefix: string) => `${prefix}"<*>"`);
  }
  text = maskWords(text);
  if (text.indexOf('<') === -1) return text;
  if (text.indexOf('<ts> <ts>') !== -1) text = text.replace(REPEATED_TS, '<ts>');
  if (text.indexOf('<int>') !== -1 || text.indexOf('<float>') !== -1) {
    text = text.replace(CURRENCY_AFTER, '<amount>').replace(CURRENCY_BEFORE, '<amount>');
  }
  if (text.indexOf('>,') !== -1) text = text.replace(NUMERIC_LIST, '<$1>').replace(PLACEHOLDER_LIST, '<$1>');
  return text;
}

export interface FingerprintInput {
  code: string;
  message: string;
  exception?: ParsedException | undefined;
}

export interface Fingerprint {
  fingerprint: string;
  template: string;
}

/**
 * With an exception, the template is `Type: masked exception message` and the top frames join the hash:
 * Java/Python exception texts vary less than the log lines that wrap them ("Failed to process order 123 for Ann").
 */
export function exceptionTemplate(exception: ParsedException): string {
  const message = maskMessage(exception.message);
  return message.length === 0 ? exception.type : `${exception.type}: ${message}`;
}

// One-shot crypto.hash (Node >= 20.12) avoids allocating a Hash object per record; older 20.x falls back.
const sha256Hex: (data: string) => string =
  typeof crypto.hash === 'function'
    ? (data) => crypto.hash('sha256', data, 'hex')
    : (data) => crypto.createHash('sha256').update(data).digest('hex');

// One value can render as several of these: a 4-character USB product id is <int> ("0394"), <id> ("13fe") or
// <hex> ("bead"); an 8-character checksum is <hex> or, 2% of the time, all digits and so <int>; a total is <int>
// or <float>. The template keeps the precise kind for people; the hash sees them as one.
const NUMERIC_PLACEHOLDER = /<(?:int|float|hex|id)>/g;

export function foldPlaceholders(template: string): string {
  return template.indexOf('<') === -1 ? template : template.replace(NUMERIC_PLACEHOLDER, '<*>');
}

/** First 16 hex chars of sha256(code + '\n' + folded template [+ '\n' + top frames joined by '\n']). */
export function hashFingerprint(code: string, template: string, frames: readonly string[] = []): string {
  let input = `${code}\n${foldPlaceholders(template)}`;
  const top = frames.length > FINGERPRINT_FRAMES ? frames.slice(0, FINGERPRINT_FRAMES) : frames;
  if (top.length > 0) input += `\n${top.join('\n')}`;
  return sha256Hex(input).slice(0, 16);
}

export function fingerprintRecord(input: FingerprintInput): Fingerprint {
  if (input.exception && input.exception.type.length > 0) {
    const template = exceptionTemplate(input.exception);
    return { template, fingerprint: hashFingerprint(input.code, template, input.exception.frames) };
  }
  const template = maskMessage(input.message);
  return { template, fingerprint: hashFingerprint(input.code, template) };
}
