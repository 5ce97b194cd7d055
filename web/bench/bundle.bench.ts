import { createReadStream } from 'node:fs';
import { readFile, stat } from 'node:fs/promises';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import path from 'node:path';
import { gzipSync } from 'node:zlib';
import { chromium } from 'playwright-core';
import type { BenchFigure } from '../../infra/bench/types.js';
import { CHROMIUM_LAUNCH } from '../tools/chromium.js';
import { DIST_DIR, ensureWebDist } from '../tools/dist.js';

const LOADS = 5;

function median(values: readonly number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2;
}

/** The JavaScript a first visit must download before the app runs: the entry module and every module index.html preloads. */
export async function initialScripts(distDir: string): Promise<string[]> {
  const html = await readFile(path.join(distDir, 'index.html'), 'utf8');
  const entries = [...html.matchAll(/<script\b[^>]*\btype="module"[^>]*\bsrc="([^"]+)"/g)].map((m) => m[1]!);
  const preloads = [...html.matchAll(/<link\b[^>]*\brel="modulepreload"[^>]*\bhref="([^"]+)"/g)].map((m) => m[1]!);
  return [...new Set([...entries, ...preloads])];
}

async function gzippedKb(distDir: string, files: readonly string[]): Promise<number> {
  let bytes = 0;
  for (const file of files) bytes += gzipSync(await readFile(path.join(distDir, file.replace(/^\//, '')))).byteLength;
  return bytes / 1024;
}

const TYPES: Record<string, string> = { '.html': 'text/html; charset=utf-8', '.js': 'text/javascript; charset=utf-8', '.css': 'text/css; charset=utf-8', '.svg': 'image/svg+xml' };

/** web/dist the way the gateway serves it: files, SPA fallback, and the runtime config.json. */
async function serveDist(distDir: string): Promise<{ url: string; close(): Promise<void> }> {
  const server = http.createServer((req, res) => {
    void (async () => {
      const pathname = decodeURIComponent(new URL(req.url ?? '/', 'http://localhost').pathname);
      if (pathname === '/config.json') {
        const host = req.headers.host ?? 'localhost';
        res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify({ apiBaseUrl: '/api', wsUrl: `ws://${host}/ws`, auth: { mode: 'local' } }));
        return;
      }
      let file = path.join(distDir, path.normalize(pathname).replace(/^(\.\.[/\\])+/, ''));
      const info = file.startsWith(distDir) ? await stat(file).catch(() => undefined) : undefined;
      if (!info?.isFile()) file = path.join(distDir, 'index.html');
      res.writeHead(200, { 'content-type': TYPES[path.extname(file)] ?? 'application/octet-stream' });
      createReadStream(file).pipe(res);
    })().catch(() => res.writeHead(500).end());
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

/** Initial JS size, and the first visit's `load` event and first render (the sign-in form) in Chromium, cold cache each time. */
export async function benchBundle(): Promise<BenchFigure[]> {
  ensureWebDist();
  const scripts = await initialScripts(DIST_DIR);
  const jsKb = await gzippedKb(DIST_DIR, scripts);

  const server = await serveDist(DIST_DIR);
  const browser = await chromium.launch(CHROMIUM_LAUNCH);
  const loads: number[] = [];
  const renders: number[] = [];
  try {
    for (let i = 0; i < LOADS + 1; i++) {
      const context = await browser.newContext({ viewport: { width: 1280, height: 800 } });
      // Stamp the moment the first screen a visitor can use (the sign-in form) is in the DOM.
      // Scripts are passed as text so this file type-checks without the DOM library (the root tsconfig has none).
      await context.addInitScript({
        content: `new MutationObserver((_, observer) => {
          if (document.getElementById('signin-email')) { window.__firstRender = performance.now(); observer.disconnect(); }
        }).observe(document, { childList: true, subtree: true });`,
      });
      const page = await context.newPage();
      await page.goto(`${server.url}/incidents`, { waitUntil: 'load' });
      await page.waitForSelector('#signin-email');
      const timing = (await page.evaluate(
        `({ load: performance.getEntriesByType('navigation')[0].loadEventEnd, render: window.__firstRender ?? NaN })`,
      )) as { load: number; render: number };
      await context.close();
      // The first run warms Chromium itself (process start, disk cache of the binary), not the page: left out.
      if (i === 0) continue;
      loads.push(timing.load);
      renders.push(timing.render);
    }
  } finally {
    await browser.close();
    await server.close();
  }
  return [
    { name: 'dashboard initial JS (gzip)', value: jsKb, unit: 'KB', target: '<= 200' },
    { name: 'dashboard first load (load event)', value: median(loads), unit: 'ms', runs: loads, target: '<= 1000' },
    { name: 'dashboard first render (sign-in form)', value: median(renders), unit: 'ms', runs: renders, target: '<= 1000' },
  ];
}
