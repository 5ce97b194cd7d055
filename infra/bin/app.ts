import path from 'node:path';
import { App } from 'aws-cdk-lib';
import { ensureDashboardBuilt } from '../src/dashboard-build.js';
import { REPO_ROOT } from '../src/functions.js';
import { registerNag } from '../src/cdk/nag.js';
import { StackLensStack } from '../src/cdk/stack.js';
import { stageConfig } from '../src/cdk/stage.js';

// `npx cdk synth|diff|deploy [-c stage=prod] [-c adminEmail=...]`: one stack per stage, named StackLens-<stage>.
// Needs no AWS credentials to synthesize; account and region come from the CLI's profile only when deploying.

const app = new App();
const config = stageConfig(app.node);

const dashboard = ensureDashboardBuilt();
if (dashboard === 'no-sources' || typeof dashboard === 'object') {
  const reason = dashboard === 'no-sources' ? 'web/src is missing' : dashboard.failed;
  throw new Error(`The dashboard could not be built, so there is nothing to deploy to its bucket: ${reason}`);
}

new StackLensStack(app, `StackLens-${config.stage}`, {
  config,
  dashboardAssetDir: path.join(REPO_ROOT, 'web', 'dist'),
  ...(process.env.CDK_DEFAULT_ACCOUNT || process.env.CDK_DEFAULT_REGION
    ? { env: { account: process.env.CDK_DEFAULT_ACCOUNT, region: process.env.CDK_DEFAULT_REGION } }
    : {}),
});
registerNag(app);
app.synth();
