import { describe, expect, it } from '@jest/globals';
import { CATEGORIES, KNOWN_CODES } from '../../../src/domain/catalog.js';
import { classify } from '../../../src/domain/classify.js';
import {
  CATEGORY_KNOWLEDGE,
  DERIVED_KNOWLEDGE,
  GENERIC_KNOWLEDGE,
  KNOWLEDGE_BASE,
  lookupKnowledge,
  type KnowledgeEntry,
} from '../../../src/domain/analysis/knowledge-base.js';

function expectUsable(entry: KnowledgeEntry | undefined, name: string): void {
  expect({ name, present: entry !== undefined }).toEqual({ name, present: true });
  if (!entry) return;
  expect(entry.likelyCause.length).toBeGreaterThan(40);
  expect(entry.checks.length).toBeGreaterThanOrEqual(1);
  expect(entry.fixSteps.length).toBeGreaterThanOrEqual(1);
  expect(entry.owner.trim().length).toBeGreaterThan(3);
  for (const step of [...entry.checks, ...entry.fixSteps]) expect(step.trim().length).toBeGreaterThan(10);
  for (const signal of entry.signals) expect(signal.global || signal.sticky).toBe(false);
}

describe('knowledge base', () => {
  it('has an entry with cause, checks, fix steps, owner and signals for every catalogue code', () => {
    const missing = [...KNOWN_CODES.keys()].filter((code) => KNOWLEDGE_BASE[code] === undefined);
    expect(missing).toEqual([]);
    for (const code of KNOWN_CODES.keys()) {
      const entry = KNOWLEDGE_BASE[code];
      expectUsable(entry, code);
      expect(entry?.checks.length).toBeGreaterThanOrEqual(2);
      expect(entry?.signals.length).toBeGreaterThanOrEqual(1);
    }
  });

  it('has no entries for codes that are not in the catalogue', () => {
    expect(Object.keys(KNOWLEDGE_BASE).filter((code) => !KNOWN_CODES.has(code))).toEqual([]);
  });

  it('gives every catalogue code its own likely cause rather than shared filler', () => {
    const causes = Object.values(KNOWLEDGE_BASE).map((entry) => entry.likelyCause);
    expect(new Set(causes).size).toBe(causes.length);
  });

  it('has a usable fallback for every category and a generic one', () => {
    for (const category of CATEGORIES.filter((c) => c !== 'application'))
      expectUsable(CATEGORY_KNOWLEDGE[category as Exclude<typeof category, 'application'>], category);
    expectUsable(GENERIC_KNOWLEDGE, 'generic');
    for (const [family, entry] of Object.entries(DERIVED_KNOWLEDGE)) expectUsable(entry, family);
  });
});

describe('lookupKnowledge', () => {
  it('prefers the catalogue entry for a known code, whatever the category says', () => {
    const match = lookupKnowledge('PAYMENT_TIMEOUT', 'network');
    expect(match.tier).toBe('known');
    expect(match.entry).toBe(KNOWLEDGE_BASE.PAYMENT_TIMEOUT);
  });

  it('covers every code the classifier derives from its keyword table', () => {
    const phrases = [
      'connect ECONNREFUSED 10.0.0.5:5432',
      'read ECONNRESET',
      'connect ETIMEDOUT 10.0.0.5:443',
      'getaddrinfo ENOTFOUND api.example.com',
      'connect EHOSTUNREACH 10.0.0.9',
      'certificate has expired',
      'SSL handshake failed with upstream',
      'deadlock detected',
      'too many connections for role pos',
      'JavaScript heap out of memory',
      'write failed: no space left on device',
      'open /var/lib/pos/x: permission denied',
      "Cannot read properties of undefined (reading 'sku')",
      'Segmentation fault (core dumped)',
      'Maximum call stack size exceeded',
      'ENOENT: no such file or directory',
      'HTTP 429 too many requests',
      'login failed for user pos',
      'request forbidden by policy',
      '502 bad gateway from upstream',
      'printer paper jam',
      'write EPIPE broken pipe',
      'operation timed out',
    ];
    for (const message of phrases) {
      const { code, category } = classify({ level: 'ERROR', message, fields: {} });
      const match = lookupKnowledge(code, category);
      expect({ message, code, tier: match.tier }).toEqual({ message, code, tier: KNOWN_CODES.has(code) ? 'known' : 'derived' });
    }
  });

  it('maps codes derived from exception type names to a family', () => {
    const cases: ReadonlyArray<readonly [string, string]> = [
      ['java.sql.SQLTimeoutException', 'DB_QUERY_TIMEOUT'],
      ['java.net.SocketTimeoutException', 'TIMEOUT'],
      ['java.lang.NullPointerException', 'NULL_REFERENCE'],
      ['java.lang.OutOfMemoryError', 'OUT_OF_MEMORY'],
      ['java.net.ConnectException', 'CONNECTION_REFUSED'],
      ['java.net.UnknownHostException', 'DNS_RESOLUTION_FAIL'],
      ['javax.net.ssl.SSLHandshakeException', 'TLS_HANDSHAKE_FAILED'],
      ['org.postgresql.util.PSQLException', 'DATABASE_ERROR'],
      ['requests.exceptions.ConnectionError', 'CONNECTION_ERROR'],
      ['json.decoder.JSONDecodeError', 'PARSE_ERROR'],
      ['java.lang.IllegalStateException', 'INVALID_STATE'],
      ['KeyError', 'PROGRAMMING_ERROR'],
      ['FileNotFoundError', 'FILE_NOT_FOUND'],
      ['System.UnauthorizedAccessException', 'PERMISSION_DENIED'],
    ];
    for (const [type, family] of cases) {
      const { code, category } = classify({ level: 'ERROR', message: 'failed', fields: {}, exception: { type, message: 'boom', frames: [] } });
      const match = lookupKnowledge(code, category);
      expect({ type, code, tier: match.tier, key: match.key }).toEqual({ type, code, tier: 'derived', key: family });
    }
  });

  it('falls back to the category for an unknown code, and to the generic entry for application errors', () => {
    expect(lookupKnowledge('PRINTER_OFFLINE_FOREVER', 'hardware')).toMatchObject({ tier: 'category', key: 'hardware' });
    expect(lookupKnowledge('UNCLASSIFIED_ERROR', 'network')).toMatchObject({ tier: 'category', key: 'network' });
    expect(lookupKnowledge('UNCLASSIFIED_ERROR', 'application')).toMatchObject({ tier: 'generic', entry: GENERIC_KNOWLEDGE });
    expect(lookupKnowledge('NONE', 'application').tier).toBe('generic');
  });

  it('answers for malformed codes and categories', () => {
    expect(lookupKnowledge('', '').tier).toBe('generic');
    expect(lookupKnowledge('X'.repeat(10_000), 'payment').tier).toBe('category');
    expect(lookupKnowledge(undefined as unknown as string, undefined as unknown as string).tier).toBe('generic');
    expect(lookupKnowledge('payment_timeout', 'payment').tier).toBe('known');
  });
});
