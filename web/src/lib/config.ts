// Runtime configuration: the same build runs locally (password sign-in) and in AWS (Cognito), so where the API lives
// and how to sign in are read from /config.json at start-up, never baked into the bundle.

export type AuthConfig =
  | { readonly mode: 'local' }
  | { readonly mode: 'cognito'; readonly domain?: string; readonly clientId?: string; readonly redirectUri?: string };

export interface AppConfig {
  readonly apiBaseUrl: string;
  readonly wsUrl: string;
  readonly auth: AuthConfig;
}

export interface LocationLike {
  readonly protocol: string;
  readonly host: string;
}

export function defaultConfig(location: LocationLike): AppConfig {
  const scheme = location.protocol === 'https:' ? 'wss' : 'ws';
  return { apiBaseUrl: '/api', wsUrl: `${scheme}://${location.host}/ws`, auth: { mode: 'local' } };
}

const isRecord = (value: unknown): value is Record<string, unknown> => typeof value === 'object' && value !== null && !Array.isArray(value);
const nonEmptyString = (value: unknown): value is string => typeof value === 'string' && value.trim().length > 0;

/** Lays whatever valid fields `raw` has over the defaults; anything malformed keeps its default. */
export function parseConfig(raw: unknown, fallback: AppConfig): AppConfig {
  if (!isRecord(raw)) return fallback;
  const apiBaseUrl = nonEmptyString(raw.apiBaseUrl) ? raw.apiBaseUrl.replace(/\/+$/, '') : fallback.apiBaseUrl;
  const wsUrl = nonEmptyString(raw.wsUrl) && /^wss?:\/\//.test(raw.wsUrl) ? raw.wsUrl : fallback.wsUrl;
  let auth: AuthConfig = fallback.auth;
  if (isRecord(raw.auth) && raw.auth.mode === 'cognito') {
    const { domain, clientId, redirectUri } = raw.auth;
    auth = {
      mode: 'cognito',
      ...(nonEmptyString(domain) ? { domain } : {}),
      ...(nonEmptyString(clientId) ? { clientId } : {}),
      ...(nonEmptyString(redirectUri) ? { redirectUri } : {}),
    };
  } else if (isRecord(raw.auth) && raw.auth.mode === 'local') {
    auth = { mode: 'local' };
  }
  return { apiBaseUrl, wsUrl, auth };
}

/** A missing or broken config.json (an older gateway) falls back to same-origin defaults rather than a blank page. */
export async function loadConfig(location: LocationLike, fetchImpl: typeof fetch = fetch): Promise<AppConfig> {
  const fallback = defaultConfig(location);
  try {
    // No custom headers or cache mode: the request must match index.html's preload to reuse its response.
    const res = await fetchImpl('/config.json');
    if (!res.ok || !(res.headers.get('content-type') ?? '').includes('json')) return fallback;
    return parseConfig(await res.json(), fallback);
  } catch {
    return fallback;
  }
}
