#!/usr/bin/env node
// Runs the agent from its TypeScript sources (as `npx pos-agent` in this repo); a kiosk gets a bundled build instead.
import { register } from 'tsx/esm/api';

process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= 'true';
register();
const { runAgentCli } = await import('../src/agent/cli.ts');
runAgentCli(process.argv.slice(2), { stdout: process.stdout, stderr: process.stderr, env: process.env }).then(
  (code) => {
    process.exitCode = code;
  },
  (error) => {
    process.stderr.write(`pos-agent: ${error instanceof Error ? error.message : String(error)}\n`);
    process.exitCode = 1;
  },
);
