import { mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { App } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import { REPO_ROOT } from '../../../src/functions.js';
import { StackLensStack } from '../../../src/cdk/stack.js';
import { stageConfig } from '../../../src/cdk/stage.js';

/** The context `cdk synth` runs with: cdk.json's feature flags plus the stage's own keys. */
export function cdkJsonContext(): Record<string, unknown> {
  return (JSON.parse(readFileSync(path.join(REPO_ROOT, 'cdk.json'), 'utf8')) as { context: Record<string, unknown> }).context;
}

/** A stand-in for web/dist: what the stack deploys is not under test here, only that it deploys a build directory. */
function fakeDashboardBuild(): string {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'stacklens-web-dist-'));
  mkdirSync(path.join(dir, 'assets'));
  writeFileSync(path.join(dir, 'index.html'), '<!doctype html><script type="module" src="/assets/app.js"></script>');
  writeFileSync(path.join(dir, 'assets', 'app.js'), 'console.log("dashboard");');
  return dir;
}

export interface Synthesized {
  readonly app: App;
  readonly stack: StackLensStack;
  readonly template: Template;
  readonly outdir: string;
}

/**
 * Builds the stack the way infra/bin/app.ts does, minus the nag plugin (tests run the rules themselves so a finding is
 * an assertion failure with a readable list, not a synth exception). `bundle: false` skips esbuild through CDK's own
 * context switch; handler entry files must exist either way, because NodejsFunction checks them.
 */
export function synthesize(context: Record<string, unknown>, options: { bundle?: boolean } = {}): Synthesized {
  const outdir = mkdtempSync(path.join(os.tmpdir(), 'stacklens-cdk-out-'));
  const app = new App({
    outdir,
    context: { ...cdkJsonContext(), ...context, ...(options.bundle === false ? { 'aws:cdk:bundling-stacks': [] } : {}) },
    // CloudFormation's schema check is what `npm run synth` adds; it costs seconds and asserts nothing these tests need.
    builtinCloudFormationValidation: false,
  });
  const config = stageConfig(app.node);
  const stack = new StackLensStack(app, `StackLens-${config.stage}`, { config, dashboardAssetDir: fakeDashboardBuild() });
  const template = Template.fromStack(stack);
  return { app, stack, template, outdir };
}

type Json = Record<string, unknown>;

export function resourcesOf(template: Template, type: string): Array<[string, Json]> {
  return Object.entries(template.findResources(type)) as Array<[string, Json]>;
}

export function propertiesOf(resource: Json): Json {
  return (resource.Properties ?? {}) as Json;
}
