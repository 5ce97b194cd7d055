import { describe, expect, it } from '@jest/globals';
import { parseAllowHosts, validateJiraBaseUrl } from '../../../src/adapters/jira/jira-client.js';
import { ValidationError } from '../../../src/domain/errors.js';

describe('validateJiraBaseUrl', () => {
  it('accepts a Jira Cloud site and normalises it without a trailing slash', () => {
    expect(validateJiraBaseUrl('https://acme.atlassian.net', [])).toEqual({ ok: true, url: 'https://acme.atlassian.net' });
    expect(validateJiraBaseUrl('  https://ACME-retail.Atlassian.net/  ', [])).toEqual({ ok: true, url: 'https://acme-retail.atlassian.net' });
  });

  it.each([
    ['', 'required'],
    ['acme.atlassian.net', 'not a valid URL'],
    ['http://acme.atlassian.net', 'https'],
    ['ftp://acme.atlassian.net', 'https'],
    ['https://user:pw@acme.atlassian.net', 'credentials'],
    ['https://acme.atlassian.net/jira', 'site root'],
    ['https://acme.atlassian.net/?x=1', 'query'],
    ['https://acme.atlassian.net/#frag', 'query or fragment'],
    ['https://acme.atlassian.net:8443', 'port'],
    ['https://atlassian.net', 'not a Jira Cloud site'],
    ['https://a.b.atlassian.net', 'not a Jira Cloud site'],
    ['https://acme.atlassian.net.evil.com', 'not a Jira Cloud site'],
    ['https://acme.atlassian.net@evil.com', 'credentials'],
    ['https://evil.com\\@acme.atlassian.net', 'site root'],
    ['https://169.254.169.254', 'not a Jira Cloud site'],
    ['https://localhost', 'not a Jira Cloud site'],
  ])('refuses %j (%s)', (raw, reason) => {
    const result = validateJiraBaseUrl(raw, []);
    expect(result.ok).toBe(false);
    if (!result.ok) expect(result.reason).toContain(reason);
  });

  it('accepts an allow-listed host, over http only when it is loopback', () => {
    const allow = parseAllowHosts('127.0.0.1:8080, localhost:9000,[::1]:7000,jira.example.com,jira.internal:8443');
    expect(validateJiraBaseUrl('http://127.0.0.1:8080', allow)).toEqual({ ok: true, url: 'http://127.0.0.1:8080' });
    expect(validateJiraBaseUrl('http://localhost:9000/', allow)).toEqual({ ok: true, url: 'http://localhost:9000' });
    expect(validateJiraBaseUrl('http://[::1]:7000', allow)).toEqual({ ok: true, url: 'http://[::1]:7000' });
    expect(validateJiraBaseUrl('https://jira.example.com', allow)).toEqual({ ok: true, url: 'https://jira.example.com' });
    expect(validateJiraBaseUrl('https://jira.internal:8443', allow)).toEqual({ ok: true, url: 'https://jira.internal:8443' });

    const plain = validateJiraBaseUrl('http://jira.example.com', allow);
    expect(plain.ok).toBe(false);
    if (!plain.ok) expect(plain.reason).toContain('loopback');
    // The port is part of the entry: another port on an allowed host is not allowed.
    expect(validateJiraBaseUrl('http://127.0.0.1:8081', allow).ok).toBe(false);
    expect(validateJiraBaseUrl('https://jira.internal', allow).ok).toBe(false);
    // Allow-listing does not relax the other rules.
    expect(validateJiraBaseUrl('http://127.0.0.1:8080/rest', allow).ok).toBe(false);
    expect(validateJiraBaseUrl('http://u:p@127.0.0.1:8080', allow).ok).toBe(false);
  });
});

describe('parseAllowHosts', () => {
  it('splits, trims and lower-cases host[:port] entries and ignores empty ones', () => {
    expect(parseAllowHosts(undefined)).toEqual([]);
    expect(parseAllowHosts('')).toEqual([]);
    expect(parseAllowHosts(' Jira.Example.com , ,127.0.0.1:4010,')).toEqual(['jira.example.com', '127.0.0.1:4010']);
  });

  it.each(['http://jira.example.com', 'jira.example.com/path', 'user@jira.example.com', 'jira example.com', '127.0.0.1:80', 'host:99999'])(
    'refuses %j with a clear error',
    (entry) => {
      expect(() => parseAllowHosts(`ok.example.com,${entry}`)).toThrow(ValidationError);
      expect(() => parseAllowHosts(entry)).toThrow(/STACKLENS_JIRA_ALLOW_HOSTS entry/);
    },
  );
});
