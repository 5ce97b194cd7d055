// The licence check against the real installed tree: every production dependency under an allowed licence, the closure
// walk proven on a planted tree, and every package the shipped bundles contain shown to be inside the checked closure.

import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { mkdirSync, mkdtempSync, readFileSync, realpathSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { REPO_ROOT } from '../../../src/functions.js';
import { bundledPackageDirs, packageDirOfInput, shippedBundles, stopBundler } from '../../../tools/supply-chain/bundled-packages.js';
import { checkLicences, productionClosure, SupplyChainError, workspaceDirs, type InstalledPackage } from '../../../tools/supply-chain/licences.js';

describe('Function: productionClosure on a planted tree', () => {
  const roots: string[] = [];
  afterAll(() => roots.forEach((root) => rmSync(root, { recursive: true, force: true })));

  /** A workspace repo as npm lays it out; `appDependencies` replaces the app workspace's dependencies. */
  const plantTree = (appDependencies: Record<string, string> = { lib: '1' }): string => {
    const root = realpathSync(mkdtempSync(path.join(os.tmpdir(), 'closure-')));
    roots.push(root);
    const write = (relative: string, manifest: object): void => {
      mkdirSync(path.join(root, relative), { recursive: true });
      writeFileSync(path.join(root, relative, 'package.json'), JSON.stringify(manifest));
    };
    write('.', { name: 'root', workspaces: ['app'], devDependencies: { 'dev-tool': '1' } });
    write('app', { name: 'app', dependencies: appDependencies, devDependencies: { 'dev-tool': '1' } });
    write('node_modules/lib', {
      name: 'lib',
      version: '1.0.0',
      dependencies: { shared: '2' },
      optionalDependencies: { 'not-installed': '1' },
      peerDependencies: { peer: '1' },
    });
    write('node_modules/peer', { name: 'peer', version: '1.0.0' });
    // Hoisted shared@1 belongs to the dev tool; lib gets its own nested shared@2, as npm lays out a version conflict.
    write('node_modules/shared', { name: 'shared', version: '1.0.0' });
    write('node_modules/lib/node_modules/shared', { name: 'shared', version: '2.0.0' });
    write('node_modules/dev-tool', { name: 'dev-tool', version: '1.0.0', dependencies: { shared: '1' } });
    write('node_modules/unreachable', { name: 'unreachable', version: '1.0.0' });
    return root;
  };

  it('follows dependencies, installed peers and nested versions from the workspaces and leaves devDependencies out', () => {
    // Prepare
    const root = plantTree();

    // Act
    const closure = productionClosure(root);

    // Assess
    expect(closure.map((p) => `${p.name}@${p.version}`)).toEqual(['lib@1.0.0', 'peer@1.0.0', 'shared@2.0.0']);
    expect(closure.find((p) => p.name === 'shared')?.via).toEqual(['app', 'lib', 'shared']);
  });

  it('refuses to check an incomplete install instead of checking less', () => {
    // Prepare
    const root = plantTree({ lib: '1', 'never-installed': '1' });

    // Act
    const walk = () => productionClosure(root);

    // Assess
    expect(walk).toThrow(SupplyChainError);
    expect(walk).toThrow('app needs never-installed, which is not installed');
  });
});

describe('Licence check: the installed production dependencies', () => {
  let closure: InstalledPackage[];
  beforeAll(() => {
    closure = productionClosure(REPO_ROOT);
  });
  afterAll(stopBundler);

  it('finds every workspace and each of their declared dependencies', () => {
    // Prepare
    const workspaces = workspaceDirs(REPO_ROOT);
    const declared = workspaces.flatMap((dir) =>
      Object.keys((JSON.parse(readFileSync(path.join(dir, 'package.json'), 'utf8')) as { dependencies?: object }).dependencies ?? {}),
    );

    // Act
    const names = new Set(closure.map((p) => p.name));

    // Assess
    expect(workspaces.map((dir) => path.relative(REPO_ROOT, dir)).sort()).toEqual(['functions', 'infra', 'pos-agent', 'web']);
    expect(declared.filter((name) => !names.has(name))).toEqual([]);
  });

  it('has every production dependency under an allowed licence', () => {
    // Act
    const report = checkLicences(closure);

    // Assess: the offenders themselves, so a failure names package, licence and who pulls it in.
    expect(report.violations.map((v) => `${v.pkg.name}@${v.pkg.version}: ${v.problem ?? ''} (via ${v.pkg.via.join(' > ')})`)).toEqual([]);
    expect(report.packages.length).toBeGreaterThan(100);
  });

  it('checks every installed package that the Lambda, kiosk agent and dashboard bundles contain', async () => {
    // Prepare
    const checked = new Set(closure.map((p) => p.dir));
    const bundles = shippedBundles(REPO_ROOT);

    // Act
    const unchecked: string[] = [];
    const bundledCounts: number[] = [];
    for (const bundle of bundles) {
      const dirs = await bundledPackageDirs(REPO_ROOT, bundle);
      bundledCounts.push(dirs.size);
      for (const dir of dirs) if (!checked.has(dir)) unchecked.push(`${bundle.name}: ${path.relative(REPO_ROOT, dir)}`);
    }

    // Assess
    expect(bundles.map((b) => b.name)).toEqual(['Lambda handlers', 'kiosk agent', 'dashboard']);
    expect(unchecked).toEqual([]);
    // Each bundle really pulled packages in (an empty metafile would make the subset check vacuous).
    expect(bundledCounts.every((count) => count > 0)).toBe(true);
  });
});

describe('Function: packageDirOfInput', () => {
  it.each([
    ['node_modules/zod/v4/core/core.js', 'node_modules/zod'],
    ['node_modules/@aws-sdk/client-sfn/dist-es/index.js', 'node_modules/@aws-sdk/client-sfn'],
    ['web/node_modules/scheduler/cjs/scheduler.production.js', 'web/node_modules/scheduler'],
    ['node_modules/a/node_modules/@s/b/index.js', 'node_modules/a/node_modules/@s/b'],
    ['functions/src/handlers/api.ts', undefined],
  ])('maps %s to %s', (input, expected) => {
    // Act
    const dir = packageDirOfInput(input);

    // Assess
    expect(dir).toBe(expected);
  });
});
