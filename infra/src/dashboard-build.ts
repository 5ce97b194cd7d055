import { spawnSync } from 'node:child_process';
import { existsSync, readdirSync, statSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const WEB = path.join(ROOT, 'web');

function newest(dir: string): number {
  let latest = 0;
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const full = path.join(dir, entry.name);
    latest = Math.max(latest, entry.isDirectory() ? newest(full) : statSync(full).mtimeMs);
  }
  return latest;
}

/**
 * Builds the dashboard when its sources are newer than web/dist, so a fresh clone's `npm start` serves it without a
 * separate build step and an unchanged checkout starts without rebuilding. Resolves what happened, for one log line.
 */
export function ensureDashboardBuilt(): 'fresh' | 'built' | 'no-sources' | { failed: string } {
  const sources = path.join(WEB, 'src');
  if (!existsSync(sources) || !existsSync(path.join(WEB, 'index.html'))) return 'no-sources';
  const index = path.join(WEB, 'dist', 'index.html');
  const sourceTime = Math.max(newest(sources), statSync(path.join(WEB, 'index.html')).mtimeMs);
  if (existsSync(index) && statSync(index).mtimeMs >= sourceTime) return 'fresh';
  const vite = path.join(ROOT, 'node_modules', 'vite', 'bin', 'vite.js');
  const run = spawnSync(process.execPath, [vite, 'build', '--logLevel', 'warn'], { cwd: WEB, encoding: 'utf8' });
  return run.status === 0 ? 'built' : { failed: (run.stderr || run.stdout || `vite exited with ${String(run.status)}`).trim().slice(-2000) };
}
