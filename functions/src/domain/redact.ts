// Redaction of card data and e-mail addresses in free log text, before it reaches a prompt, a ticket or the wire from
// the kiosk agent. PCI DSS allows at most the first six and last four digits of a PAN to be shown, CVV and track data
// never. Dependency-free and linear in the input: card numbers and e-mail addresses are found by hand-written scans
// (the card scan only visits the stretches of digits and separators a regular expression points it to), and the few
// regular expressions used have bounded, non-nested quantifiers. The kiosk agent runs this on every log line, so a line
// that cannot hold anything sensitive (no digit, no '@') costs one native pass over its characters.

export type RedactionKind = 'pan' | 'cvv' | 'track' | 'email';

export type RedactionCounts = Record<RedactionKind, number>;

export interface RedactionResult {
  readonly text: string;
  /** how many of each kind were replaced */
  readonly counts: RedactionCounts;
}

const MIN_PAN_DIGITS = 13;
const MAX_PAN_DIGITS = 19;

export const TRACK_PLACEHOLDER = '<track-data>';
export const EMAIL_PLACEHOLDER = '<email>';
export const CVV_PLACEHOLDER = '***';

// Track 1: %B PAN ^ NAME ^ YYMM service-code discretionary ?   (sentinels are sometimes stripped by the logging code)
const TRACK1 = /(%?)\bB(\d{12,19})\^[^^\n]{0,26}\^\d{4}[^?\s]{0,100}\d*\??/g;
// Track 2: ; PAN = YYMM service-code discretionary ?   ("=" between PAN and expiry is the tell, sentinels optional)
const TRACK2 = /(;?)(?<!\d)(\d{12,19})=\d{4}[\d=]{0,40}\d*\??/g;
// The bounded tails end with `\d*` so that a match never stops inside a digit run: the digits left over would look
// like a new number to the card scan. It only extends a match that has already succeeded, so it cannot backtrack.

// A CVV/CVC is only recognisable next to its keyword. The keyword must not be the tail of a longer word ("acid 123"),
// but a camel-case or snake-case card prefix is ("cardCvv", "card_cvv"), and so is a suffix ("cvvCode", "cvc_number").
const CVV_KEYWORD =
  '(?:card[ _-]?|payment[ _-]?)?(?:cvv2?|cvc2?|cvn2?|cav2|cid|csc|card[ _-]?code|security[ _-]?code|verification[ _-]?(?:value|code))(?:[ _-]?(?:code|number|num|no|value))?';
// Between keyword and value: JSON (`"cvv":"123"`, escaped `\"cvv\":\"123\"`), key=value, `cvv: 123`, Ruby `=>`, and the
// URL-encoded forms of `"`, `'`, space, `:` and `=`. Each repetition starts with a different character, so the bounded
// repeat cannot backtrack more than a constant amount.
const CVV_SEPARATOR = `(?:[\\s"'\\\\:=>]|%(?:2[027]|3[ADad])){0,8}`;
// Value: 3-4 digits not followed by another digit. The strict form also refuses a value followed by a separator and a
// digit: that may be the first group of a spaced card number ("cvv: 4111 1111 1111 1111"), which the PAN scan must see
// whole. The lenient form runs after the PAN scan and masks what is still there ("cvv 123 411111******1111").
const CVV_STRICT = new RegExp(`(?<![A-Za-z])(${CVV_KEYWORD})(${CVV_SEPARATOR})\\d{3,4}(?![\\d]|[ +-]\\d)`, 'gi');
const CVV_LENIENT = new RegExp(`(?<![A-Za-z])(${CVV_KEYWORD})(${CVV_SEPARATOR})\\d{3,4}(?!\\d)`, 'gi');
const CVV_HINT = /cv[vcn]|cav2|cid|csc|card[ _-]?code|security[ _-]?code|verification/i;
const DIGIT_OR_AT = /[0-9@]/;

function isDigit(code: number): boolean {
  return code >= 48 && code <= 57;
}

/** Luhn mod-10 over a string of ASCII digits. */
export function luhnValid(digits: string): boolean {
  let sum = 0;
  let double = false;
  for (let i = digits.length - 1; i >= 0; i--) {
    let d = digits.charCodeAt(i) - 48;
    if (double) {
      d *= 2;
      if (d > 9) d -= 9;
    }
    sum += d;
    double = !double;
  }
  return sum % 10 === 0;
}

/**
 * Issuer prefixes of the card schemes seen at a till (Visa, Mastercard incl. 2-series, Amex, Discover, JCB, Diners,
 * UnionPay, Maestro, Mir, RuPay), from the first four digits. The prefix check keeps Luhn-valid-by-chance epoch
 * timestamps and ids (1…, 7…, 9…) intact; within these ranges a Luhn-valid run is treated as a card.
 */
function isCardPrefix(firstFour: number): boolean {
  const first = Math.floor(firstFour / 1000);
  const two = Math.floor(firstFour / 100);
  switch (first) {
    case 2:
      return (firstFour >= 2200 && firstFour <= 2204) || (firstFour >= 2221 && firstFour <= 2720);
    case 3:
      return two === 30 || (two >= 34 && two <= 39);
    case 4:
    case 5:
    case 6:
      return true;
    case 8:
      return two === 81 || two === 82;
    default:
      return false;
  }
}

export function looksLikePan(digits: string): boolean {
  if (digits.length < MIN_PAN_DIGITS || digits.length > MAX_PAN_DIGITS) return false;
  for (let i = 0; i < digits.length; i++) if (!isDigit(digits.charCodeAt(i))) return false;
  return isCardPrefix(Number(digits.slice(0, 4))) && luhnValid(digits);
}

/** `4111111111111111` → `411111******1111`: PCI truncation, separators dropped. */
export function truncatePan(digits: string): string {
  return `${digits.slice(0, 6)}${'*'.repeat(Math.max(0, digits.length - 10))}${digits.slice(-4)}`;
}

/**
 * Length of the joiner between two digit groups of one printed number at `at` ("4111 1111", "4111-1111", form-encoded
 * "4111+1111", URL-encoded "4111%201111"), or 0 when no digit group follows a joiner there.
 */
function joinerLength(text: string, at: number): number {
  const code = text.charCodeAt(at);
  let length: number;
  if (code === 32 || code === 45 || code === 43) length = 1;
  else if (code === 37 && text.charCodeAt(at + 1) === 50 && text.charCodeAt(at + 2) === 48) length = 3;
  else return 0;
  return isDigit(text.charCodeAt(at + length)) ? length : 0;
}

/**
 * End of the masked part of an already truncated card number (`411111******1111`) whose six leading digits end at
 * `at`: three or more '*', then at most four digits. -1 when the text at `at` is not that. The scan skips these whole,
 * so redacting twice changes nothing: the kept digits of a truncated number never combine with neighbouring digits
 * into a new card-like run.
 */
function maskedTailEnd(text: string, at: number): number {
  let i = at;
  while (text.charCodeAt(i) === 42) i++;
  if (i - at < 3) return -1;
  const tailFrom = i;
  while (isDigit(text.charCodeAt(i))) i++;
  return i - tailFrom <= 4 ? i : -1;
}

function isHexDigit(code: number): boolean {
  return isDigit(code) || (code >= 65 && code <= 70) || (code >= 97 && code <= 102);
}

const UUID_LENGTH = 36;

function isUuidAt(text: string, at: number): boolean {
  for (let k = 0; k < UUID_LENGTH; k++) {
    const code = text.charCodeAt(at + k);
    if (k === 8 || k === 13 || k === 18 || k === 23 ? code !== 45 : !isHexDigit(code)) return false;
  }
  return true;
}

/**
 * True when `from`..`to` lies inside one UUID. Request and trace ids are everywhere in POS logs, and their all-digit
 * segments ("63967007-1815-0018-…") join into card-length runs that are Luhn-valid one time in ten; no card number is
 * printed in the 8-4-4-4-12 hex layout.
 */
function insideUuid(text: string, from: number, to: number): boolean {
  for (let at = Math.max(0, to - UUID_LENGTH); at <= from; at++) if (isUuidAt(text, at)) return true;
  return false;
}

// Digit groups of the current run, reused across calls: the scan allocates nothing until it finds a card number.
// A run holds at most one group per two characters; the buffers grow for longer lines.
let groupStarts = new Int32Array(256);
let groupEnds = new Int32Array(256);

function growGroupBuffers(): void {
  const starts = new Int32Array(groupStarts.length * 2);
  const ends = new Int32Array(groupEnds.length * 2);
  starts.set(groupStarts);
  ends.set(groupEnds);
  groupStarts = starts;
  groupEnds = ends;
}

/** The first four digits of the digits from group `g` on (fewer if the run is shorter), as a number. */
function firstFourDigits(text: string, g: number, groupCount: number): number {
  let value = 0;
  let taken = 0;
  for (let h = g; h < groupCount && taken < 4; h++) {
    const end = groupEnds[h] as number;
    for (let i = groupStarts[h] as number; i < end && taken < 4; i++, taken++) value = value * 10 + text.charCodeAt(i) - 48;
  }
  return value;
}

/**
 * Index of the last group of the longest Luhn-valid card-like span (13-19 digits of whole groups) starting at group
 * `g`, or -1. Luhn is kept for both parities while the span grows, so no digit string is built.
 */
function longestPanFrom(text: string, g: number, groupCount: number): number {
  if (!isCardPrefix(firstFourDigits(text, g, groupCount))) return -1;
  // sumEven doubles digits at even positions from the left (right for even-length spans), sumOdd at odd positions.
  let sumEven = 0;
  let sumOdd = 0;
  let length = 0;
  let best = -1;
  for (let h = g; h < groupCount; h++) {
    const start = groupStarts[h] as number;
    const end = groupEnds[h] as number;
    if (length + (end - start) > MAX_PAN_DIGITS) break;
    for (let i = start; i < end; i++, length++) {
      const digit = text.charCodeAt(i) - 48;
      const doubled = digit > 4 ? digit * 2 - 9 : digit * 2;
      if ((length & 1) === 0) {
        sumEven += doubled;
        sumOdd += digit;
      } else {
        sumEven += digit;
        sumOdd += doubled;
      }
    }
    if (length >= MIN_PAN_DIGITS && ((length & 1) === 0 ? sumEven : sumOdd) % 10 === 0) best = h;
  }
  return best;
}

// A digit and at least twelve more digits, joiners or mask characters: the only stretches where a card number (13+
// digits, perhaps grouped) or an already truncated one can be. The regex engine finds them, so the text in between
// costs no JavaScript per character. A start that fails has looked at most twelve characters ahead and a match is
// consumed whole: linear.
const PAN_CANDIDATE = /[0-9][0-9 +%*-]{12,}/g;

function isCandidateChar(code: number): boolean {
  return isDigit(code) || code === 32 || code === 43 || code === 37 || code === 42 || code === 45;
}

/**
 * Digit runs may be split into groups by single joiners ("4111 1111 1111 1111", "3782-822463-10005"). Every span of
 * whole groups with 13-19 digits, a card prefix and a valid Luhn digit is a card number. Overlapping card spans are
 * truncated together as one, so no card span keeps more than its first six and last four digits visible whichever
 * groups the neighbours contribute. At most 19 groups are inspected per start group, so the scan stays linear.
 */
function redactPans(text: string): { text: string; count: number } {
  let out = '';
  let copiedUpTo = 0;
  let count = 0;
  PAN_CANDIDATE.lastIndex = 0;
  // test() rather than exec(): no match object per candidate. The match starts at the first digit of its stretch.
  while (PAN_CANDIDATE.test(text)) {
    const candidateEnd = PAN_CANDIDATE.lastIndex;
    let i = candidateEnd;
    while (i > 0 && isCandidateChar(text.charCodeAt(i - 1))) i--;
    while (!isDigit(text.charCodeAt(i))) i++;
    while (i < candidateEnd) {
      if (!isDigit(text.charCodeAt(i))) {
        i++;
        continue;
      }
      // The "20" of a URL-encoded space before a number ("pan=%204111…") is not part of it.
      if (text.charCodeAt(i - 1) === 37 && text.charCodeAt(i) === 50 && text.charCodeAt(i + 1) === 48 && isDigit(text.charCodeAt(i + 2))) i += 2;
      let groupCount = 0;
      let total = 0;
      let resumeAt = -1;
      let j = i;
      for (;;) {
        const groupStart = j;
        while (isDigit(text.charCodeAt(j))) j++;
        if (j - groupStart === 6 && text.charCodeAt(j) === 42) {
          const maskedEnd = maskedTailEnd(text, j);
          if (maskedEnd !== -1) {
            resumeAt = maskedEnd;
            break;
          }
        }
        if (groupCount === groupStarts.length) growGroupBuffers();
        groupStarts[groupCount] = groupStart;
        groupEnds[groupCount] = j;
        groupCount++;
        total += j - groupStart;
        const joiner = joinerLength(text, j);
        if (joiner === 0) break;
        j += joiner;
      }
      let g = 0;
      while (total >= MIN_PAN_DIGITS && g < groupCount) {
        const spanEnd = longestPanFrom(text, g, groupCount);
        if (spanEnd === -1) {
          g++;
          continue;
        }
        if (groupCount > 1 && insideUuid(text, groupStarts[0] as number, groupEnds[groupCount - 1] as number)) break;
        let clusterEnd = spanEnd;
        for (let h = g + 1; h <= clusterEnd; h++) clusterEnd = Math.max(clusterEnd, longestPanFrom(text, h, groupCount));
        let digits = '';
        for (let h = g; h <= clusterEnd; h++) digits += text.slice(groupStarts[h], groupEnds[h]);
        out += text.slice(copiedUpTo, groupStarts[g]) + truncatePan(digits);
        copiedUpTo = groupEnds[clusterEnd] as number;
        count++;
        g = clusterEnd + 1;
      }
      i = resumeAt === -1 ? j : resumeAt;
    }
  }
  return count === 0 ? { text, count } : { text: out + text.slice(copiedUpTo), count };
}

const LOCAL_PART_MAX = 64;
const DOMAIN_MAX = 255;

// '*' counts as part of an address on both sides: the CVV pass runs first and may already have masked digits inside
// one ("ops@cid100.example.com" → "ops@cid***.example.com"), which must not stop the rest of it being replaced.
function isLocalPartChar(code: number): boolean {
  // A-Z a-z 0-9 . _ % + - ' *
  return (
    (code >= 65 && code <= 90) ||
    (code >= 97 && code <= 122) ||
    isDigit(code) ||
    code === 46 ||
    code === 95 ||
    code === 37 ||
    code === 43 ||
    code === 45 ||
    code === 39 ||
    code === 42
  );
}

function isDomainChar(code: number): boolean {
  return (code >= 65 && code <= 90) || (code >= 97 && code <= 122) || isDigit(code) || code === 46 || code === 45 || code === 42;
}

function isLetter(code: number): boolean {
  return (code >= 65 && code <= 90) || (code >= 97 && code <= 122);
}

/**
 * Each '@' is expanded at most 64 characters left and 255 right, so the scan is linear whatever the input. A local part
 * never reaches back into the text the previous '@' took as its domain, so the verdict on one '@' does not depend on
 * whether the next one was replaced.
 */
function redactEmails(text: string): { text: string; count: number } {
  let at = text.indexOf('@');
  if (at === -1) return { text, count: 0 };
  let out = '';
  let copiedUpTo = 0;
  let previousDomainEnd = 0;
  let count = 0;
  while (at !== -1) {
    let start = at;
    const leftLimit = Math.max(copiedUpTo, previousDomainEnd, at - LOCAL_PART_MAX);
    while (start > leftLimit && isLocalPartChar(text.charCodeAt(start - 1))) start--;
    // Cut off by the length limit inside a digit group: leave that group whole (it is not an address, and a partial
    // group would look like a new number to the card scan of a later pass).
    while (start < at && isDigit(text.charCodeAt(start)) && isDigit(text.charCodeAt(start - 1))) start++;
    // A local part does not start with a dot or quote left over from surrounding prose ("'ann@x.io'").
    while (start < at && (text.charCodeAt(start) === 46 || text.charCodeAt(start) === 39)) start++;
    let end = at + 1;
    const rightLimit = Math.min(text.length, at + 1 + DOMAIN_MAX);
    while (end < rightLimit && isDomainChar(text.charCodeAt(end))) end++;
    previousDomainEnd = end;
    // Trailing dots and dashes are sentence punctuation, and trailing '*' markup ("**ann@x.io**"), not part of the domain.
    while (end > at + 1 && (text.charCodeAt(end - 1) === 46 || text.charCodeAt(end - 1) === 45 || text.charCodeAt(end - 1) === 42)) end--;
    const domain = text.slice(at + 1, end);
    const lastDot = domain.lastIndexOf('.');
    let tldOk = lastDot > 0 && domain.length - lastDot - 1 >= 2;
    for (let k = lastDot + 1; tldOk && k < domain.length; k++) if (!isLetter(domain.charCodeAt(k))) tldOk = false;
    if (start < at && tldOk && domain.indexOf('..') === -1) {
      out += text.slice(copiedUpTo, start) + EMAIL_PLACEHOLDER;
      copiedUpTo = end;
      count++;
      at = text.indexOf('@', end);
    } else {
      at = text.indexOf('@', at + 1);
    }
  }
  return count === 0 ? { text, count } : { text: out + text.slice(copiedUpTo), count };
}

// The counts the replace callbacks below add to: set by each redactInto call. Module-level callbacks instead of
// closures created per call keep the per-line cost down (the kiosk agent redacts every line it reads).
let activeCounts: RedactionCounts = { pan: 0, cvv: 0, track: 0, email: 0 };

/** Without its start sentinel the track shape alone is too weak a tell, so the PAN inside must look like a card. */
function replaceTrack(match: string, sentinel: string, pan: string): string {
  if (sentinel === '' && !looksLikePan(pan)) return match;
  activeCounts.track++;
  return TRACK_PLACEHOLDER;
}

function redactTracks(text: string): string {
  return text.replace(TRACK1, replaceTrack).replace(TRACK2, replaceTrack);
}

function maskCvv(_match: string, keyword: string, separator: string): string {
  activeCounts.cvv++;
  return `${keyword}${separator}${CVV_PLACEHOLDER}`;
}

/**
 * Masks card numbers (first six + last four kept), CVV/CVC values next to their keyword, magnetic-stripe track data
 * and e-mail addresses. Order ids, timestamps, amounts and digit runs that are not Luhn-valid card numbers are kept.
 * Redacting an already redacted text changes nothing.
 */
export function redactText(text: string): RedactionResult {
  const counts: RedactionCounts = { pan: 0, cvv: 0, track: 0, email: 0 };
  return { text: redactInto(text, counts), counts };
}

/**
 * redactText for callers that redact text after text (the kiosk agent, every line): adds what was replaced to
 * `counts` instead of allocating a result per call.
 */
export function redactInto(text: string, counts: RedactionCounts): string {
  if (typeof text !== 'string') return '';
  // Nothing to find without a digit or an '@': most stack frames and many messages end here.
  if (!DIGIT_OR_AT.test(text)) return text;
  activeCounts = counts;
  let result = text;
  // indexOf is a memchr: far cheaper than running the track expressions over every line.
  const mayHaveTrack = text.indexOf('=') !== -1 || text.indexOf('^') !== -1;
  // Whole track data goes before the PAN scan: the discretionary data after the PAN carries the CVV1/PVV.
  if (mayHaveTrack) result = redactTracks(result);
  const mayHaveCvv = CVV_HINT.test(result);
  if (mayHaveCvv) result = result.replace(CVV_STRICT, maskCvv);
  const pans = redactPans(result);
  if (pans.count > 0) {
    counts.pan += pans.count;
    result = pans.text;
    // Truncating a spaced card number after '=' can complete a track 2 shape (";…=4000 0000…" → ";…=400000***"):
    // looking again now means a second redaction of the output finds nothing new.
    if (mayHaveTrack) result = redactTracks(result);
  }
  if (mayHaveCvv) result = result.replace(CVV_LENIENT, maskCvv);
  if (text.indexOf('@') !== -1) {
    const emails = redactEmails(result);
    counts.email += emails.count;
    result = emails.text;
  }
  return result;
}

/** The string-only form, shaped like the kiosk agent's `Redactor`. */
export function redact(text: string): string {
  return redactText(text).text;
}
