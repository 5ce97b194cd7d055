import { readFileSync } from 'node:fs';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { beforeAll, describe, expect, it } from '@jest/globals';
import { FUNCTION_LIST, FUNCTIONS, REPO_ROOT, entryPath, type FunctionId } from '../../../src/functions.js';
import { FUNCTION_TAG, LAMBDA_RUNTIME } from '../../../src/cdk/handlers.js';
import { propertiesOf, resourcesOf, synthesize, type Synthesized } from './synth.js';

// The local runtime and the stack must run the same handlers under the same names. The local side is read from its
// source (what runtime.ts and gateway.ts invoke, and which handler modules runtime.ts imports); the AWS side from the
// synthesized template. A function added to one side only fails here.

const LOCAL_SOURCES = ['infra/src/local/runtime.ts', 'infra/src/local/gateway.ts'].map((file) => readFileSync(path.join(REPO_ROOT, file), 'utf8'));

/** Names passed to invokeLocal, written either as a literal or as FUNCTIONS.<id>.name. */
function locallyInvokedNames(): Set<string> {
  const names = new Set<string>();
  for (const source of LOCAL_SOURCES) {
    for (const match of source.matchAll(/invokeLocal(?:<[\s\S]*?>)?\(\s*(?:'([^']+)'|FUNCTIONS\.(\w+)\.name)/g)) {
      names.add(match[1] ?? FUNCTIONS[match[2] as FunctionId]?.name ?? `unknown FUNCTIONS.${match[2]}`);
    }
  }
  return names;
}

/** The handler modules (functions/src/handlers/*.ts) the local runtime imports, as repository paths. */
function locallyImportedHandlers(): Set<string> {
  const runtime = LOCAL_SOURCES[0]!;
  const modules = new Set<string>();
  for (const match of runtime.matchAll(/from '\.\.\/\.\.\/\.\.\/(functions\/src\/handlers\/[\w-]+)\.js'/g)) modules.add(`${match[1]}.ts`);
  return modules;
}

let synthesized: Synthesized;

beforeAll(() => {
  // No bundling: the template's handler names and tags are what matter here; entry files are still checked by CDK.
  synthesized = synthesize({ stage: 'dev' }, { bundle: false });
});

describe('Function parity: local runtime and CDK stack', () => {
  it('invokes locally exactly the functions the stack deploys, under the same names', () => {
    expect([...locallyInvokedNames()].sort()).toEqual(FUNCTION_LIST.map((f) => f.name).sort());
  });

  it('wires locally exactly the handler modules the stack bundles', () => {
    expect([...locallyImportedHandlers()].sort()).toEqual([...new Set(FUNCTION_LIST.map((f) => f.entry))].sort());
  });

  it.each(FUNCTION_LIST.map((spec) => [spec.name, spec] as const))('%s: its entry module exports the handler Lambda calls', async (_name, spec) => {
    // Act
    const module = (await import(pathToFileURL(entryPath(spec)).href)) as Record<string, unknown>;

    // Assess
    expect(typeof module[spec.exportName]).toBe('function');
  });

  it('deploys one Lambda function per shared function, each calling its export on the current Node.js runtime', () => {
    // Prepare
    const deployed = resourcesOf(synthesized.template, 'AWS::Lambda::Function').map(([logicalId, fn]) => {
      const properties = propertiesOf(fn);
      const tag = ((properties.Tags ?? []) as Array<{ Key: string; Value: string }>).find((t) => t.Key === FUNCTION_TAG);
      return { logicalId, name: tag?.Value, handler: properties.Handler, runtime: properties.Runtime };
    });
    const ours = deployed.filter((f) => f.name !== undefined);
    const others = deployed.filter((f) => f.name === undefined);

    // Assess
    expect(ours.map(({ name, handler, runtime }) => ({ name, handler, runtime })).sort((a, b) => a.name!.localeCompare(b.name!))).toEqual(
      FUNCTION_LIST.map((spec) => ({ name: spec.name, handler: `index.${spec.exportName}`, runtime: LAMBDA_RUNTIME.name })).sort((a, b) =>
        a.name.localeCompare(b.name),
      ),
    );
    // The only other function is CDK's own dashboard uploader.
    expect(others.map((f) => f.logicalId)).toEqual([expect.stringMatching(/^CustomCDKBucketDeployment/)]);
  });
});
