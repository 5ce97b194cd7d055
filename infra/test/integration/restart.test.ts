import { afterAll, describe, expect, it } from '@jest/globals';
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { waitFor } from '../helpers/stack.js';
import { registerSecret } from '../helpers/sweep.js';

const ROOT = path.resolve(import.meta.dirname, '../../..');
const ADMIN = { email: 'ops@example.com', password: 'restart test password' };
registerSecret(ADMIN.password, 'admin password');

async function freePort(): Promise<number> {
  const server = net.createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', () => resolve()));
  const { port } = server.address() as net.AddressInfo;
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}

interface Running {
  child: ChildProcess;
  output: string[];
}

function startProcess(env: NodeJS.ProcessEnv): Running {
  const child = spawn(process.execPath, [path.join(ROOT, 'bin/stacklens.mjs'), 'start'], { cwd: ROOT, env, stdio: ['ignore', 'pipe', 'pipe'] });
  const output: string[] = [];
  child.stdout!.on('data', (d: Buffer) => output.push(String(d)));
  child.stderr!.on('data', (d: Buffer) => output.push(String(d)));
  return { child, output };
}

describe('npm start survives SIGKILL', () => {
  let dataDir = '';
  const children: ChildProcess[] = [];

  afterAll(async () => {
    for (const child of children) if (child.exitCode === null) child.kill('SIGKILL');
    if (dataDir) await rm(dataDir, { recursive: true, force: true });
  });

  it('loses no incident or occurrence the API had already shown', async () => {
    dataDir = await mkdtemp(path.join(os.tmpdir(), 'stacklens-kill-'));
    const [api, pos, edge, dynamodb] = await Promise.all([freePort(), freePort(), freePort(), freePort()]);
    const env = {
      ...process.env,
      PORT: String(api),
      POS_PORT: String(pos),
      STACKLENS_EDGE_PORT: String(edge),
      STACKLENS_DYNAMODB_PORT: String(dynamodb),
      STACKLENS_DATA_DIR: dataDir,
      STACKLENS_ADMIN_EMAIL: ADMIN.email,
      STACKLENS_ADMIN_PASSWORD: ADMIN.password,
    };
    const apiUrl = `http://127.0.0.1:${api}`;
    const posUrl = `http://127.0.0.1:${pos}`;
    const login = async () => {
      const res = await fetch(`${apiUrl}/api/auth/login`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(ADMIN) });
      return ((await res.json()) as { token: string }).token;
    };
    const list = async (token: string) => {
      const res = await fetch(`${apiUrl}/api/incidents?limit=100`, { headers: { authorization: `Bearer ${token}` } });
      return ((await res.json()) as { items: Array<{ id: string; code: string; occurrences: number }> }).items;
    };

    const first = startProcess(env);
    children.push(first.child);
    await waitFor(() => first.output.join('').includes('pos log'), `first start (${first.output.join('')})`, 30_000);
    const token = await login();
    for (let i = 0; i < 5; i++) {
      await fetch(`${posUrl}/api/orders`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ storeId: `store-00${(i % 2) + 1}`, kioskId: 'kiosk-01', items: [{ productId: '999', quantity: 1 }] }) });
    }
    await fetch(`${posUrl}/api/scenarios/payment-gateway-timeout/trigger`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ count: 2 }) });
    const shown = await waitFor(async () => {
      const items = await list(token);
      const total = items.reduce((sum, i) => sum + i.occurrences, 0);
      return total >= 7 ? items : undefined;
    }, 'seven occurrences shown by the API');

    first.child.kill('SIGKILL');
    await new Promise((resolve) => first.child.once('exit', resolve));

    const second = startProcess(env);
    children.push(second.child);
    await waitFor(() => second.output.join('').includes('pos log'), `second start (${second.output.join('')})`, 30_000);
    // The token was signed with the key kept in the data dir, so it still works after the restart.
    const after = await list(token);
    for (const incident of shown) {
      const again = after.find((i) => i.id === incident.id);
      expect(again).toBeDefined();
      expect(again!.occurrences).toBeGreaterThanOrEqual(incident.occurrences);
    }
    // The agent resumes from its checkpoint, so nothing is shipped twice and the counts stay exact once it settles.
    await new Promise((r) => setTimeout(r, 1500));
    const settled = await list(token);
    expect(settled.find((i) => i.code === 'MISSING_PRICE')?.occurrences).toBe(5);

    second.child.kill('SIGTERM');
    const code = await new Promise((resolve) => second.child.once('exit', resolve));
    expect(code).toBe(0);
  });
});
