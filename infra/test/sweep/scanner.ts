// Finds card numbers and registered secrets in captured product output. Text is handled as latin1 (one byte, one
// character), so offsets are byte offsets and a secret is matched byte for byte whatever its encoding.
//
// Card numbers: runs of digit groups joined by one space, dash, '+' or '%20' (how a PAN is printed, form- or
// URL-encoded); every stretch of whole groups holding 13 to 19 digits is tested with the product's issuer-prefix and
// Luhn check. Runs that cannot be a printed card are skipped: digits glued to other digits or to hex letters (hashes,
// ids), digits after a '.' (the fraction of a float), and UUIDs. The detector is shared with the product, the
// candidate search is not, so a gap in one is not silently the same gap in the other.

import { closeSync, openSync, readSync, readdirSync, statSync } from 'node:fs';
import path from 'node:path';
import { looksLikePan, truncatePan } from '../../../functions/src/domain/redact.js';

export interface Needle {
  /** latin1 view of the bytes searched for */
  readonly text: string;
  /** how the secret was encoded: raw, json, url, form, base64, base64url, hex */
  readonly form: string;
}

export interface Secret {
  readonly bytes: Uint8Array;
  readonly label: string;
}

export interface Hit {
  readonly kind: 'pan' | 'secret';
  /** byte offset in the scanned text or file */
  readonly offset: number;
  readonly length: number;
  /** safe to print: a truncated PAN, or the secret's label and form (never the secret) */
  readonly what: string;
}

const DIGIT_GROUPS = /[0-9]+(?:(?: |-|\+|%20)[0-9]+)*/g;
const JOINER = /( |-|\+|%20)/;
const UUID = /[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}/g;
const MIN_PAN_DIGITS = 13;
const MAX_PAN_DIGITS = 19;

function latin1(bytes: Uint8Array): string {
  return Buffer.from(bytes).toString('latin1');
}

function isHexLetter(ch: string | undefined): boolean {
  return ch !== undefined && /^[a-fA-F]$/.test(ch);
}

/** True when the digits at `from` follow something that makes them part of a larger token, not a printed number. */
function gluedBefore(text: string, from: number): boolean {
  const before = text[from - 1];
  if (before === undefined) return false;
  if (before === '.') return true;
  // "%3D4111…" is a URL-encoded '=' before the number, not a hex token.
  if (isHexLetter(before)) return text[from - 3] !== '%';
  return false;
}

/** Every card number in `text`; `base` is added to the offsets. */
export function findPans(text: string, base = 0): Hit[] {
  const hits: Hit[] = [];
  const masked = text.replace(UUID, (uuid) => 'u'.repeat(uuid.length));
  for (const match of masked.matchAll(DIGIT_GROUPS)) {
    const from = match.index;
    const to = from + match[0].length;
    if (gluedBefore(masked, from) || isHexLetter(masked[to])) continue;
    const groups: Array<{ at: number; digits: string }> = [];
    let at = from;
    // Separators captured, so the parts alternate digits, joiner, digits…; the "20" of "%20" is no digit group.
    match[0].split(JOINER).forEach((part, index) => {
      if (index % 2 === 0) groups.push({ at, digits: part });
      at += part.length;
    });
    // Whole groups only: "100 4111111111111111" holds a card although the joined 19 digits are not one.
    for (let first = 0; first < groups.length; first++) {
      let digits = '';
      for (let last = first; last < groups.length; last++) {
        digits += groups[last]!.digits;
        if (digits.length > MAX_PAN_DIGITS) break;
        if (digits.length >= MIN_PAN_DIGITS && looksLikePan(digits)) {
          const at = groups[first]!.at;
          const end = groups[last]!.at + groups[last]!.digits.length;
          hits.push({ kind: 'pan', offset: base + at, length: end - at, what: `PAN ${truncatePan(digits)}` });
        }
      }
    }
  }
  return hits;
}

/**
 * Base64 of `bytes` as it appears inside a longer encoded text: the characters that depend only on the secret, for
 * each of the three positions the secret can start at within a 3-byte group.
 */
function embeddedBase64(bytes: Uint8Array): string[] {
  const out: string[] = [];
  for (let lead = 0; lead < 3; lead++) {
    const padded = Buffer.concat([Buffer.alloc(lead), Buffer.from(bytes)]);
    const encoded = padded.toString('base64');
    const first = Math.ceil((lead * 8) / 6);
    const last = Math.floor((padded.byteLength * 8) / 6);
    out.push(encoded.slice(first, last));
  }
  return out;
}

/** The forms a secret is searched for in. */
export function needlesFor(bytes: Uint8Array): Needle[] {
  const needles: Needle[] = [{ text: latin1(bytes), form: 'raw' }];
  const utf8 = Buffer.from(bytes).toString('utf8');
  if (Buffer.from(utf8, 'utf8').equals(Buffer.from(bytes))) {
    needles.push({ text: latin1(Buffer.from(JSON.stringify(utf8).slice(1, -1), 'utf8')), form: 'json' });
    needles.push({ text: encodeURIComponent(utf8), form: 'url' });
    needles.push({ text: new URLSearchParams({ v: utf8 }).toString().slice(2), form: 'form' });
  }
  for (const encoded of embeddedBase64(bytes)) {
    needles.push({ text: encoded, form: 'base64' });
    needles.push({ text: encoded.replace(/\+/g, '-').replace(/\//g, '_'), form: 'base64url' });
  }
  needles.push({ text: Buffer.from(bytes).toString('hex'), form: 'hex' });
  const seen = new Set<string>();
  return needles.filter((needle) => needle.text.length > 0 && !seen.has(needle.text) && seen.add(needle.text));
}

export interface PreparedSecret {
  readonly label: string;
  readonly needles: readonly Needle[];
}

export function prepareSecrets(secrets: readonly Secret[]): PreparedSecret[] {
  return secrets.map((secret) => ({ label: secret.label, needles: needlesFor(secret.bytes) }));
}

export function findSecrets(text: string, secrets: readonly PreparedSecret[], base = 0): Hit[] {
  const hits: Hit[] = [];
  secrets.forEach((secret, index) => {
    for (const needle of secret.needles) {
      for (let at = text.indexOf(needle.text); at !== -1; at = text.indexOf(needle.text, at + 1)) {
        hits.push({ kind: 'secret', offset: base + at, length: needle.text.length, what: `secret #${index + 1} (${secret.label}) as ${needle.form}` });
      }
    }
  });
  return hits;
}

export function scanText(text: string, secrets: readonly PreparedSecret[], base = 0): Hit[] {
  return [...findPans(text, base), ...findSecrets(text, secrets, base)].sort((a, b) => a.offset - b.offset);
}

const EXCERPT_CONTEXT = 24;

/**
 * The text around a hit with every hit in view replaced by its description, control characters escaped: what a
 * report may show. `text` starts at byte `base`.
 */
export function maskedExcerpt(text: string, hit: Hit, hits: readonly Hit[], base = 0): string {
  const from = Math.max(0, hit.offset - base - EXCERPT_CONTEXT);
  const to = Math.min(text.length, hit.offset - base + hit.length + EXCERPT_CONTEXT);
  let out = '';
  for (let i = from; i < to;) {
    const covering = hits.find((h) => h.offset - base <= i && i < h.offset - base + h.length);
    if (covering) {
      out += `«${covering.what}»`;
      i = covering.offset - base + covering.length;
      continue;
    }
    const ch = text[i]!;
    out += /[\x20-\x7e]/.test(ch)
      ? ch
      : JSON.stringify(ch)
          .slice(1, -1)
          .replace(/^\\u00/, '\\x');
    i += 1;
  }
  return out;
}

export interface FileHit extends Hit {
  readonly file: string;
  readonly excerpt: string;
}

export interface DirectoryScan {
  readonly files: number;
  readonly bytes: number;
  readonly hits: FileHit[];
  /** captured files per kind (the part of the name before the pid) */
  readonly kinds: Record<string, number>;
}

const CHUNK_BYTES = 8 * 1024 * 1024;

function filesUnder(dir: string): string[] {
  let names: string[];
  try {
    names = readdirSync(dir);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return [];
    throw error;
  }
  return names.flatMap((name) => {
    const full = path.join(dir, name);
    return statSync(full).isDirectory() ? filesUnder(full) : [full];
  });
}

/**
 * Scans every file under `dir` in chunks. Each chunk is read with `overlap` bytes of context on both sides (longer
 * than any needle or card number), and only hits starting inside the chunk proper count, so nothing is missed or
 * counted twice at a chunk boundary.
 */
export function scanDirectory(dir: string, secrets: readonly Secret[]): DirectoryScan {
  const prepared = prepareSecrets(secrets);
  const longestNeedle = Math.max(0, ...prepared.flatMap((s) => s.needles.map((n) => n.text.length)));
  const overlap = Math.max(256, longestNeedle + 64);
  const hits: FileHit[] = [];
  const kinds: Record<string, number> = {};
  let bytes = 0;
  const files = filesUnder(dir);
  for (const file of files) {
    const relative = path.relative(dir, file);
    const kind = /\.([a-z]+)\.\d+\.txt$/.exec(relative)?.[1] ?? 'other';
    kinds[kind] = (kinds[kind] ?? 0) + 1;
    const size = statSync(file).size;
    bytes += size;
    const fd = openSync(file, 'r');
    try {
      for (let start = 0; start < size; start += CHUNK_BYTES) {
        const readFrom = Math.max(0, start - overlap);
        const readTo = Math.min(size, start + CHUNK_BYTES + overlap);
        const buffer = Buffer.alloc(readTo - readFrom);
        readSync(fd, buffer, 0, buffer.byteLength, readFrom);
        const text = buffer.toString('latin1');
        const found = scanText(text, prepared, readFrom);
        for (const hit of found) {
          if (hit.offset < start || hit.offset >= start + CHUNK_BYTES) continue;
          hits.push({ ...hit, file: relative, excerpt: maskedExcerpt(text, hit, found, readFrom) });
        }
      }
    } finally {
      closeSync(fd);
    }
  }
  return { files: files.length, bytes, hits, kinds };
}
