// Where StackLens may send a Jira API token. An admin-supplied base URL is otherwise a server-side request forgery
// lever (point it at an internal host, read the answer through the connection test), so only Atlassian Cloud sites
// are accepted unless an operator allow-lists a host through STACKLENS_JIRA_ALLOW_HOSTS.

import { ValidationError } from '../errors.js';

export type BaseUrlCheck = { readonly ok: true; readonly url: string } | { readonly ok: false; readonly reason: string };

// One DNS label before .atlassian.net: `https://acme.atlassian.net`, not `https://a.b.atlassian.net`.
const ATLASSIAN_SITE = /^[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?\.atlassian\.net$/;

/**
 * Parses a comma-separated `host[:port]` list (e.g. `127.0.0.1:8080,jira.example.com`) into normalised entries
 * (lower case, default ports as URL writes them). Throws ValidationError naming the first entry that is not a
 * plain host[:port].
 */
export function parseAllowHosts(value: string | undefined): string[] {
  if (!value) return [];
  const hosts: string[] = [];
  for (const raw of value.split(',')) {
    const entry = raw.trim().toLowerCase();
    if (entry.length === 0) continue;
    let host: string | undefined;
    try {
      const parsed = new URL(`http://${entry}`);
      if (parsed.username === '' && parsed.password === '' && parsed.pathname === '/' && parsed.search === '' && parsed.hash === '') host = parsed.host;
    } catch {
      host = undefined;
    }
    // `http://x:80` normalises to `x`, which would then match https on 443 too; an entry must survive as written.
    if (host === undefined || host !== entry) {
      throw new ValidationError(
        `STACKLENS_JIRA_ALLOW_HOSTS entry ${JSON.stringify(raw.trim())} is not a plain host[:port] (no scheme, path, credentials or default port)`,
      );
    }
    hosts.push(host);
  }
  return hosts;
}

export function isLoopbackHost(hostname: string): boolean {
  if (hostname === 'localhost' || hostname === '[::1]') return true;
  // URL has already normalised IPv4 forms such as 127.1 and 0x7f.0.0.1 to dotted decimal.
  return /^127\.\d{1,3}\.\d{1,3}\.\d{1,3}$/.test(hostname);
}

/** Accepts `https://<site>.atlassian.net` or an allow-listed host; answers the normalised URL without a trailing slash. */
export function validateJiraBaseUrl(raw: string, allowHosts: readonly string[]): BaseUrlCheck {
  const input = raw.trim();
  if (input.length === 0) return { ok: false, reason: 'The Jira base URL is required' };
  let url: URL;
  try {
    url = new URL(input);
  } catch {
    return { ok: false, reason: 'The Jira base URL is not a valid URL' };
  }
  if (url.protocol !== 'https:' && url.protocol !== 'http:') return { ok: false, reason: 'The Jira base URL must use https' };
  if (url.username !== '' || url.password !== '') return { ok: false, reason: 'The Jira base URL must not contain credentials' };
  if (url.search !== '' || url.hash !== '' || input.includes('?') || input.includes('#')) {
    return { ok: false, reason: 'The Jira base URL must not have a query or fragment' };
  }
  if (url.pathname !== '/') return { ok: false, reason: 'The Jira base URL must be the site root, e.g. https://your-site.atlassian.net' };
  const normalised = `${url.protocol}//${url.host}`;
  const allowed = allowHosts.some((entry) => entry.toLowerCase() === url.host);
  if (allowed) {
    if (url.protocol === 'http:' && !isLoopbackHost(url.hostname)) {
      return { ok: false, reason: `Plain http is allowed only for loopback hosts; use https for ${url.host}` };
    }
    return { ok: true, url: normalised };
  }
  if (url.protocol !== 'https:') return { ok: false, reason: 'The Jira base URL must use https' };
  if (url.port !== '') return { ok: false, reason: 'The Jira base URL must not name a port' };
  if (!ATLASSIAN_SITE.test(url.hostname)) {
    return {
      ok: false,
      reason: `${url.hostname} is not a Jira Cloud site (https://<site>.atlassian.net); other hosts must be listed in STACKLENS_JIRA_ALLOW_HOSTS`,
    };
  }
  return { ok: true, url: normalised };
}
