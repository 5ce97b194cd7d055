import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { AxeBuilder } from '@axe-core/playwright';
import { mkdir } from 'node:fs/promises';
import path from 'node:path';
import { createRemoteJWKSet } from 'jose';
import { chromium, type Browser, type BrowserContext, type Page } from 'playwright-core';
import { startOidcDouble, type OidcDouble, type OidcUser } from '../../../infra/test/helpers/oidc-double.js';
import { startTestStack, waitFor, type TestStack } from '../../../infra/test/helpers/stack.js';
import { registerSecret } from '../../../infra/test/helpers/sweep.js';
import { CHROMIUM_LAUNCH } from '../../tools/chromium.js';
import { WEB_DIR, ensureWebDist } from '../../tools/dist.js';

const ARTIFACTS = path.join(WEB_DIR, 'test', 'artifacts');
const CLIENT_ID = '4v2kq0exampleclient0dashboard';
const ADMIN: OidcUser = { username: 'ops@example.com', password: 'Admin-password-1!', email: 'ops@example.com', groups: ['admin'] };
const VIEWER: OidcUser = { username: 'manager@example.com', password: 'Viewer-password-1!', email: 'manager@example.com', groups: ['viewer'] };
for (const user of [ADMIN, VIEWER]) registerSecret(user.password, 'hosted UI user password');
const AUTOMATION = { autoTicket: false, minSeverity: 'low', maxTicketsPerHour: 3 };

interface StoredTokens {
  readonly idToken: string;
  readonly refreshToken?: string;
  readonly expiresAt: number;
}

describe('Dashboard sign-in through a Cognito hosted UI (OIDC double) against the local stack', () => {
  let idp: OidcDouble;
  let stack: TestStack;
  let browser: Browser;
  let origin: string;
  const pageErrors: string[] = [];

  const newPage = async (): Promise<{ context: BrowserContext; page: Page }> => {
    const context = await browser.newContext({ viewport: { width: 1280, height: 900 } });
    const page = await context.newPage();
    page.on('pageerror', (error) => pageErrors.push(error.message));
    page.setDefaultTimeout(10_000);
    return { context, page };
  };

  /** From the dashboard's sign-in page, through the hosted UI's form, and back. */
  const signIn = async (page: Page, user: OidcUser) => {
    await page.getByRole('button', { name: 'Sign in' }).click();
    await page.waitForURL((url) => url.origin === idp.url && url.pathname === '/oauth2/authorize');
    await page.locator('#signInFormUsername').fill(user.username);
    await page.locator('#signInFormPassword').fill(user.password);
    await page.locator('button[name="signInSubmitButton"]').click();
  };

  const storedTokens = (page: Page) => page.evaluate(() => JSON.parse(sessionStorage.getItem('stacklens.cognito') ?? 'null') as StoredTokens | null);

  /** The API as anyone holding `token` would call it, outside the browser. */
  const callApi = async (token: string, method: string, pathname: string, body?: unknown): Promise<{ status: number; body: unknown }> => {
    const res = await fetch(`${origin}${pathname}`, {
      method,
      headers: { authorization: `Bearer ${token}`, ...(body === undefined ? {} : { 'content-type': 'application/json' }) },
      ...(body === undefined ? {} : { body: JSON.stringify(body) }),
    });
    const text = await res.text();
    return { status: res.status, body: text ? (JSON.parse(text) as unknown) : undefined };
  };

  const expSeconds = (jwt: string): number => (JSON.parse(Buffer.from(jwt.split('.')[1]!, 'base64url').toString('utf8')) as { exp: number }).exp;

  const scan = async (page: Page, name: string) => {
    await page.screenshot({ path: path.join(ARTIFACTS, `${name}.png`), fullPage: true });
    const results = await new AxeBuilder({ page }).analyze();
    const serious = results.violations.filter((v) => v.impact === 'serious' || v.impact === 'critical').map((v) => `${name}: ${v.id} (${v.impact}) ${v.help}`);
    expect(serious).toEqual([]);
  };

  beforeAll(async () => {
    ensureWebDist();
    await mkdir(ARTIFACTS, { recursive: true });
    idp = await startOidcDouble({ clientId: CLIENT_ID, users: [ADMIN, VIEWER], region: 'eu-west-1' });
    stack = await startTestStack({
      cognito: {
        hostedUiUrl: idp.url,
        // The verifier the AWS WebSocket authorizer uses, reading the double's signing keys instead of the pool's.
        verifier: { userPoolId: idp.userPoolId, clientId: CLIENT_ID, region: idp.region, keys: createRemoteJWKSet(new URL(idp.jwksUrl)) },
      },
    });
    origin = stack.urls.dashboard.replace(/\/$/, '');
    // As the CDK stack registers the dashboard's root as the app client's callback and sign-out URL.
    idp.allowCallback(`${origin}/`);
    browser = await chromium.launch(CHROMIUM_LAUNCH);
  }, 120_000);

  afterAll(async () => {
    await browser?.close();
    await stack?.close();
    await idp?.close();
  });

  it('tells the dashboard to use the hosted UI in config.json, and has no password sign-in of its own', async () => {
    const config = (await (await fetch(`${origin}/config.json`)).json()) as { auth: Record<string, string> };
    expect(config.auth).toEqual({ mode: 'cognito', domain: idp.url, clientId: CLIENT_ID, redirectUri: `${origin}/` });
    const login = await fetch(`${origin}/api/auth/login`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ email: ADMIN.email, password: 'x' }),
    });
    expect(login.status).toBe(404);
  });

  it('signs an admin in with the code flow and PKCE: the incidents page loads, the live feed connects, and an admin action works', async () => {
    const { context, page } = await newPage();
    try {
      await page.goto(`${origin}/incidents`);
      await page.getByRole('button', { name: 'Sign in' }).waitFor();
      await scan(page, 'signin-cognito');
      await signIn(page, ADMIN);

      await page.getByRole('heading', { level: 1, name: 'Incidents' }).waitFor();
      const landed = new URL(page.url());
      expect([landed.pathname, landed.searchParams.has('code'), landed.searchParams.has('state')]).toEqual(['/incidents', false, false]);
      await page.locator('[data-connection="live"]').waitFor();
      expect(await page.locator('.who').textContent()).toBe(`${ADMIN.email}Admin`);
      expect(idp.tokenRequests.filter((r) => r.grantType === 'authorization_code')).toEqual([
        { grantType: 'authorization_code', status: 200, username: ADMIN.username },
      ]);
      // Tokens live in this tab's sessionStorage only.
      expect(await page.evaluate(() => localStorage.length)).toBe(0);
      expect((await storedTokens(page))?.refreshToken).toEqual(expect.any(String));

      // The WebSocket opened with the Cognito token carries a new incident to the page without a reload.
      const order = await stack.pos('POST', '/api/orders', { storeId: 'store-001', kioskId: 'kiosk-01', items: [{ productId: '999', quantity: 1 }] });
      expect(order.status).toBe(422);
      await page.locator('.row', { has: page.locator('code', { hasText: /^MISSING_PRICE$/ }) }).waitFor();

      // A reload keeps the tab signed in without another trip through the hosted UI.
      await page.reload();
      await page.locator('[data-connection="live"]').waitFor();
      expect(idp.tokenRequests.filter((r) => r.grantType === 'authorization_code')).toHaveLength(1);

      // Accounts live in the user pool: the local Users page is not offered, and its address explains why.
      expect(await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Users' }).count()).toBe(0);
      await page.goto(new URL('/settings/users', page.url()).toString());
      await page.getByText('Users sign in through Amazon Cognito.', { exact: false }).waitFor();

      await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Automation' }).click();
      await page.locator('#auto-maxTicketsPerHour').fill('7');
      await page.getByRole('button', { name: 'Save' }).click();
      await page.getByText('Saved.', { exact: true }).waitFor();
      const admin = await idp.issue(ADMIN.username);
      expect((await callApi(admin.idToken, 'GET', '/api/settings/automation')).body).toMatchObject({ maxTicketsPerHour: 7 });
      const audit = (await callApi(admin.idToken, 'GET', '/api/audit')).body as { items: Array<{ actor?: string }> };
      expect(JSON.stringify(audit)).toContain(ADMIN.email);

      // Sign-out ends the hosted UI session and the refresh token too, and lands back on the dashboard.
      const { refreshToken } = (await storedTokens(page))!;
      const logoutsBefore = idp.logouts;
      await page.getByRole('button', { name: 'Sign out' }).click();
      // Back from the hosted UI's logout at the dashboard's root, which shows sign-in (without a `next`).
      await page.waitForURL(`${origin}/signin`);
      expect(idp.logouts).toBe(logoutsBefore + 1);
      expect(await storedTokens(page)).toBeNull();
      const reuse = await fetch(`${idp.url}/oauth2/token`, {
        method: 'POST',
        headers: { 'content-type': 'application/x-www-form-urlencoded' },
        body: new URLSearchParams({ grant_type: 'refresh_token', client_id: CLIENT_ID, refresh_token: refreshToken! }),
      });
      expect([reuse.status, await reuse.json()]).toEqual([400, { error: 'invalid_grant' }]);
      await page.getByRole('button', { name: 'Sign in' }).click();
      await page.locator('#signInFormUsername').waitFor();
    } finally {
      await context.close();
    }
  });

  it('signs a viewer in with the write controls hidden, and the API refuses their write with 403', async () => {
    const { context, page } = await newPage();
    try {
      await page.goto(`${origin}/settings/automation`);
      await signIn(page, VIEWER);
      await page.getByRole('heading', { level: 1, name: 'Settings · Automation' }).waitFor();
      expect(await page.locator('.who').textContent()).toBe(`${VIEWER.email}Viewer`);
      expect(await page.locator('#auto-minSeverity').isDisabled()).toBe(true);
      expect(await page.getByRole('button', { name: 'Save' }).count()).toBe(0);

      // The viewer's own token, from the browser: reading works, writing is refused by role, not for a bad token.
      const answers = await page.evaluate(async (body) => {
        const { idToken } = JSON.parse(sessionStorage.getItem('stacklens.cognito')!) as { idToken: string };
        const call = (method: string) =>
          fetch('/api/settings/automation', {
            method,
            headers: { authorization: `Bearer ${idToken}`, 'content-type': 'application/json' },
            ...(method === 'PUT' ? { body } : {}),
          });
        return { read: (await call('GET')).status, write: (await call('PUT')).status };
      }, JSON.stringify(AUTOMATION));
      expect(answers).toEqual({ read: 200, write: 403 });
    } finally {
      await context.close();
    }
  });

  it('refuses an answer from the hosted UI whose state was tampered with, says why, and signs in on the next try', async () => {
    const { context, page } = await newPage();
    try {
      // Someone between the hosted UI and the browser swaps the state in its redirect back to the dashboard.
      let interceptedCode: string | undefined;
      await context.route(
        (url) => url.origin === idp.url && url.pathname === '/login',
        async (route) => {
          const response = await route.fetch({ maxRedirects: 0 });
          const location = response.headers().location;
          if (!location) return route.fulfill({ response });
          const forged = new URL(location);
          interceptedCode = forged.searchParams.get('code') ?? undefined;
          forged.searchParams.set('state', 'forged');
          return route.fulfill({ response, headers: { ...response.headers(), location: forged.toString() } });
        },
      );
      await page.goto(`${origin}/overview`);
      await signIn(page, ADMIN);

      const notice = page.getByTestId('signin-notice');
      await notice.waitFor();
      expect(await notice.getAttribute('role')).toBe('alert');
      expect(await notice.textContent()).toBe(
        'The answer from the sign-in page did not match the sign-in started here, so it was refused for your safety. Sign in again.',
      );
      const refusedAt = new URL(page.url());
      expect([refusedAt.pathname, refusedAt.searchParams.has('code'), refusedAt.searchParams.has('state')]).toEqual(['/signin', false, false]);
      expect(interceptedCode).toEqual(expect.any(String));
      expect(idp.redeemedCodes).not.toContain(interceptedCode);
      expect(await storedTokens(page)).toBeNull();
      await scan(page, 'signin-cognito-refused');

      // The hosted UI still remembers the user, so the next attempt comes straight back signed in.
      await context.unrouteAll();
      await page.getByRole('button', { name: 'Sign in' }).click();
      await page.getByRole('heading', { level: 1, name: 'Incidents' }).waitFor();
    } finally {
      await context.close();
    }
  });

  it('keeps the session past token expiry by refreshing it, and sends the user to sign-in with a message once the refresh is refused', async () => {
    idp.setTokenLifetime(4);
    const { context, page } = await newPage();
    try {
      await page.goto(`${origin}/overview`);
      await signIn(page, ADMIN);
      await page.getByRole('heading', { level: 1, name: 'Overview' }).waitFor();
      await page.locator('[data-connection="live"]').waitFor();
      const first = (await storedTokens(page))!;
      const refreshesBefore = idp.tokenRequests.filter((r) => r.grantType === 'refresh_token').length;

      // Two renewals in, the first token has lapsed: the API now refuses it, yet the page carries on.
      await waitFor(
        () =>
          idp.tokenRequests.filter((r) => r.grantType === 'refresh_token' && r.status === 200).length >= refreshesBefore + 2 &&
          Date.now() / 1000 > expSeconds(first.idToken),
        'two token refreshes and the first token expired',
      );
      expect((await callApi(first.idToken, 'GET', '/api/incidents')).status).toBe(401);
      const renewed = (await storedTokens(page))!;
      expect(renewed.idToken).not.toBe(first.idToken);
      expect(renewed.refreshToken).toBe(first.refreshToken);
      await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Audit log' }).click();
      await page.getByRole('heading', { level: 1, name: 'Audit log' }).waitFor();
      await page.locator('tbody tr').first().waitFor();
      expect(await page.getByTestId('signin-notice').count()).toBe(0);

      // An admin signs the user out everywhere: the next renewal is refused and the page explains, keeping the place.
      idp.revokeRefreshTokens();
      await page.getByText('Your session expired. Sign in again to continue.').waitFor();
      const signInAt = new URL(page.url());
      expect([signInAt.pathname, signInAt.searchParams.get('next')]).toEqual(['/signin', '/audit']);
      expect(idp.tokenRequests.at(-1)).toMatchObject({ grantType: 'refresh_token', status: 400, error: 'invalid_grant' });
      expect(await storedTokens(page)).toBeNull();
    } finally {
      idp.setTokenLifetime(3600);
      await context.close();
    }
  });

  it('raised no script errors on any page', () => {
    expect(pageErrors).toEqual([]);
  });
});
