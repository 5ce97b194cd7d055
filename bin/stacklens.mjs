#!/usr/bin/env node
// TypeScript sources run as they are through tsx, so `npm start`, `npx stacklens` and the tests share one build-free path.
import { register } from 'tsx/esm/api';

process.env.POWERTOOLS_LOG_LEVEL ??= 'WARN';
// This machine runs Node 20; the lockfile pins SDK versions that still support it (see README), so the warning is noise here.
process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= 'true';
register();
const { main } = await import('../infra/src/cli.ts');
main(process.argv.slice(2)).then(
  (code) => {
    process.exitCode = code;
  },
  (error) => {
    process.stderr.write(`stacklens: ${error instanceof Error ? error.message : String(error)}\n`);
    process.exitCode = 1;
  },
);
