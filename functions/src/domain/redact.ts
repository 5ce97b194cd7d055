// Redaction of card data and e-mail addresses in free log text, before it reaches a prompt, a ticket or (later) the
// wire from the kiosk agent. PCI DSS allows at most the first six and last four digits of a PAN to be shown, CVV and
// track data never. Dependency-free and linear in the input: card numbers are found by a hand-written scan over digit
// runs, and the few regular expressions used have bounded, non-nested quantifiers.

export type RedactionKind = 'pan' | 'cvv' | 'track' | 'email';

export interface RedactionResult {
  readonly text: string;
  /** how many of each kind were replaced */
  readonly counts: Record<RedactionKind, number>;
}

const MIN_PAN_DIGITS = 13;
const MAX_PAN_DIGITS = 19;

export const TRACK_PLACEHOLDER = '<track-data>';
export const EMAIL_PLACEHOLDER = '<email>';
export const CVV_PLACEHOLDER = '***';

// Track 1: %B PAN ^ NAME ^ YYMM service-code discretionary ?   (sentinels are sometimes stripped by the logging code)
const TRACK1 = /(%?)\bB(\d{12,19})\^[^^\n]{0,26}\^\d{4}[^?\s]{0,100}\??/g;
// Track 2: ; PAN = YYMM service-code discretionary ?   ("=" between PAN and expiry is the tell, sentinels optional)
const TRACK2 = /(;?)(?<!\d)(\d{12,19})=\d{4}[\d=]{0,40}\??/g;
// A CVV/CVC is only recognisable next to its keyword; 3-4 digits not followed by another digit. The keyword must not
// be the tail of a longer word ("acid 123"), but a camel-case card prefix is allowed ("cardCvv").
const CVV =
  /(?<![A-Za-z])((?:card[ _-]?|payment[ _-]?)?(?:cvv2?|cvc2?|cvn2?|cav2|cid|csc|card[ _-]?code|security[ _-]?code|verification[ _-]?(?:value|code)))(["']?\s{0,3}[:=]?\s{0,3}["']?)\d{3,4}(?!\d)/gi;

const TRACK_HINT = /[\^=]/;
const CVV_HINT = /cv[vcn]|cav2|cid|csc|code|verification/i;

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
 * UnionPay, Maestro, Mir, RuPay). The prefix check keeps Luhn-valid-by-chance epoch timestamps and ids (1…, 7…, 9…)
 * intact; within these ranges a Luhn-valid run is treated as a card.
 */
function hasCardPrefix(digits: string): boolean {
  const first = digits.charCodeAt(0) - 48;
  const two = Number(digits.slice(0, 2));
  const four = Number(digits.slice(0, 4));
  switch (first) {
    case 2:
      return (four >= 2200 && four <= 2204) || (four >= 2221 && four <= 2720);
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
  return digits.length >= MIN_PAN_DIGITS && digits.length <= MAX_PAN_DIGITS && hasCardPrefix(digits) && luhnValid(digits);
}

/** `4111111111111111` → `411111******1111`: PCI truncation, separators dropped. */
export function truncatePan(digits: string): string {
  return `${digits.slice(0, 6)}${'*'.repeat(Math.max(0, digits.length - 10))}${digits.slice(-4)}`;
}

/**
 * Digit runs may be split into groups by single spaces or dashes ("4111 1111 1111 1111", "3782-822463-10005").
 * Within one run, every start group is tried and the longest Luhn-valid card-like span of whole groups (13-19 digits)
 * starting there wins; at most 19 groups are inspected per start, so the scan stays linear.
 */
function redactPans(text: string): { text: string; count: number } {
  const n = text.length;
  let out = '';
  let copiedUpTo = 0;
  let count = 0;
  const starts: number[] = [];
  const ends: number[] = [];
  let i = 0;
  while (i < n) {
    if (!isDigit(text.charCodeAt(i))) {
      i++;
      continue;
    }
    starts.length = 0;
    ends.length = 0;
    let j = i;
    let total = 0;
    for (;;) {
      const groupStart = j;
      while (j < n && isDigit(text.charCodeAt(j))) j++;
      starts.push(groupStart);
      ends.push(j);
      total += j - groupStart;
      const sep = text.charCodeAt(j);
      if ((sep === 32 || sep === 45) && j + 1 < n && isDigit(text.charCodeAt(j + 1))) {
        j++;
        continue;
      }
      break;
    }
    if (total >= MIN_PAN_DIGITS) {
      let g = 0;
      while (g < starts.length) {
        let digits = '';
        let best = -1;
        let bestDigits = '';
        for (let h = g; h < starts.length; h++) {
          const groupStart = starts[h] ?? 0;
          const groupEnd = ends[h] ?? 0;
          if (digits.length + (groupEnd - groupStart) > MAX_PAN_DIGITS) break;
          digits += text.slice(groupStart, groupEnd);
          if (digits.length >= MIN_PAN_DIGITS && looksLikePan(digits)) {
            best = h;
            bestDigits = digits;
          }
        }
        if (best >= 0) {
          const spanStart = starts[g] ?? 0;
          out += text.slice(copiedUpTo, spanStart) + truncatePan(bestDigits);
          copiedUpTo = ends[best] ?? spanStart;
          count++;
          g = best + 1;
        } else {
          g++;
        }
      }
    }
    i = j;
  }
  return count === 0 ? { text, count } : { text: out + text.slice(copiedUpTo), count };
}

const LOCAL_PART_MAX = 64;
const DOMAIN_MAX = 255;

function isLocalPartChar(code: number): boolean {
  // A-Z a-z 0-9 . _ % + - '
  return (
    (code >= 65 && code <= 90) ||
    (code >= 97 && code <= 122) ||
    isDigit(code) ||
    code === 46 ||
    code === 95 ||
    code === 37 ||
    code === 43 ||
    code === 45 ||
    code === 39
  );
}

function isDomainChar(code: number): boolean {
  return (code >= 65 && code <= 90) || (code >= 97 && code <= 122) || isDigit(code) || code === 46 || code === 45;
}

function isLetter(code: number): boolean {
  return (code >= 65 && code <= 90) || (code >= 97 && code <= 122);
}

/** Each '@' is expanded at most 64 characters left and 255 right, so the scan is linear whatever the input. */
function redactEmails(text: string): { text: string; count: number } {
  let at = text.indexOf('@');
  if (at === -1) return { text, count: 0 };
  let out = '';
  let copiedUpTo = 0;
  let count = 0;
  while (at !== -1) {
    let start = at;
    const leftLimit = Math.max(copiedUpTo, at - LOCAL_PART_MAX);
    while (start > leftLimit && isLocalPartChar(text.charCodeAt(start - 1))) start--;
    // A local part does not start with a dot or quote left over from surrounding prose ("'ann@x.io'").
    while (start < at && (text.charCodeAt(start) === 46 || text.charCodeAt(start) === 39)) start++;
    let end = at + 1;
    const rightLimit = Math.min(text.length, at + 1 + DOMAIN_MAX);
    while (end < rightLimit && isDomainChar(text.charCodeAt(end))) end++;
    // Trailing dots and dashes are sentence punctuation, not part of the domain.
    while (end > at + 1 && (text.charCodeAt(end - 1) === 46 || text.charCodeAt(end - 1) === 45)) end--;
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

/**
 * Masks card numbers (first six + last four kept), CVV/CVC values next to their keyword, magnetic-stripe track data
 * and e-mail addresses. Order ids, timestamps, amounts and digit runs that are not Luhn-valid card numbers are kept.
 */
export function redactText(text: string): RedactionResult {
  const counts: Record<RedactionKind, number> = { pan: 0, cvv: 0, track: 0, email: 0 };
  if (typeof text !== 'string' || text.length === 0) return { text: typeof text === 'string' ? text : '', counts };
  let result = text;
  if (TRACK_HINT.test(result)) {
    // Whole track data goes before the PAN scan: the discretionary data after the PAN carries the CVV1/PVV.
    // Without its start sentinel the shape alone is too weak a tell, so the PAN inside must look like a card.
    const replaceTrack = (match: string, sentinel: string, pan: string): string => {
      if (sentinel === '' && !looksLikePan(pan)) return match;
      counts.track++;
      return TRACK_PLACEHOLDER;
    };
    result = result.replace(TRACK1, replaceTrack).replace(TRACK2, replaceTrack);
  }
  if (CVV_HINT.test(result)) {
    result = result.replace(CVV, (_match, keyword: string, separator: string) => {
      counts.cvv++;
      return `${keyword}${separator}${CVV_PLACEHOLDER}`;
    });
  }
  const pans = redactPans(result);
  counts.pan = pans.count;
  const emails = redactEmails(pans.text);
  counts.email = emails.count;
  return { text: emails.text, counts };
}

/** The string-only form, shaped like the kiosk agent's `Redactor`. */
export function redact(text: string): string {
  return redactText(text).text;
}
