import { realpathSync } from 'node:fs';
import path from 'node:path';
import { build, stop, type BuildOptions } from 'esbuild';
import { FUNCTION_LIST } from '../../src/functions.js';

// Which installed packages actually end up in the shipped bundles, read from esbuild metafiles. The licence check walks
// the production closure instead (it also covers the local runtime and the CDK app, which are never bundled); this is
// how a test proves that every bundled package is inside that closure, i.e. that no devDependency ships unchecked.

export interface ShippedBundle {
  readonly name: string;
  readonly entries: readonly string[];
  readonly options: BuildOptions;
}

const NODE: BuildOptions = { platform: 'node', format: 'esm', target: 'node20' };

/** Every bundle StackLens ships, with the bundler settings that decide which files of a package are picked. */
export function shippedBundles(repoRoot: string): ShippedBundle[] {
  const lambdaEntries = [...new Set(FUNCTION_LIST.map((spec) => spec.entry))];
  return [
    // Same resolution as the NodejsFunction bundling in infra/src/cdk/handlers.ts (ESM, module before main, SDK bundled);
    // one build for all handlers, which share most of their packages and so parse them once.
    { name: 'Lambda handlers', entries: lambdaEntries.map((entry) => path.join(repoRoot, entry)), options: { ...NODE, mainFields: ['module', 'main'] } },
    // pos-agent's `build` script.
    { name: 'kiosk agent', entries: [path.join(repoRoot, 'pos-agent/src/agent/main.ts')], options: NODE },
    // web/index.html loads src/main.tsx; Vite resolves packages for the browser the same way esbuild does here. What
    // Vite itself injects (its module-preload helper) comes from the vite devDependency and is not seen here.
    {
      name: 'dashboard',
      entries: [path.join(repoRoot, 'web/src/main.tsx')],
      options: { platform: 'browser', format: 'esm', jsx: 'automatic', loader: { '.svg': 'empty', '.png': 'empty', '.woff2': 'empty' } },
    },
  ];
}

/** The package folder an esbuild input belongs to: everything up to the last node_modules/<name> (or <@scope/name>). */
export function packageDirOfInput(input: string): string | undefined {
  const match = /^(.*node_modules\/(?:@[^/]+\/)?[^/]+)\//.exec(input);
  return match?.[1];
}

/** Real paths of the installed packages each bundle contains. */
export async function bundledPackageDirs(repoRoot: string, bundle: ShippedBundle): Promise<Set<string>> {
  const result = await build({
    ...bundle.options,
    entryPoints: [...bundle.entries],
    absWorkingDir: repoRoot,
    bundle: true,
    write: false,
    metafile: true,
    outdir: path.join(repoRoot, '.supply-chain-unused-outdir'),
    logLevel: 'silent',
  });
  const dirs = new Set<string>();
  for (const input of Object.keys(result.metafile.inputs)) {
    const dir = packageDirOfInput(input);
    if (dir) dirs.add(realpathSync(path.resolve(repoRoot, dir)));
  }
  return dirs;
}

/** Ends esbuild's service process, which otherwise keeps a test worker alive. */
export async function stopBundler(): Promise<void> {
  await stop();
}
